from django.urls import path

from cantine.http import forms, reads
from nutrition import views

urlpatterns = [
    path("dishes/", reads(views.dish_list), name="dish_list"),
    path("dishes/new/", forms(views.dish_create), name="dish_create"),
    path("dishes/preview/", views.dish_preview, name="dish_preview"),
    path("dishes/<int:pk>/", reads(views.dish_detail), name="dish_detail"),
    path("dishes/<int:pk>/edit/", forms(views.dish_edit), name="dish_edit"),
    path("dishes/<int:pk>/override/", forms(views.dish_override), name="dish_override"),
    path("foods/search/", views.food_search, name="food_search"),
    path("rules/", reads(views.rule_set_list), name="rule_set_list"),
    path("rules/<int:pk>/", reads(views.rule_set_detail), name="rule_set_detail"),
    path("rules/<int:pk>/edit/", forms(views.rule_set_edit), name="rule_set_edit"),
    path("rules/<int:pk>/copy/", forms(views.rule_set_copy), name="rule_set_copy"),
    path("rules/<int:pk>/assign/", views.rule_set_assign, name="rule_set_assign"),
    path("rules/<int:pk>/nutrients/", forms(views.rule_set_nutrients), name="rule_set_nutrients"),
    path("rules/<int:pk>/history/", reads(views.rule_set_history), name="rule_set_history"),
]
