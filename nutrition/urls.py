from django.urls import path

from nutrition import views

urlpatterns = [
    path("dishes/", views.dish_list, name="dish_list"),
    path("dishes/new/", views.dish_create, name="dish_create"),
    path("dishes/preview/", views.dish_preview, name="dish_preview"),
    path("dishes/<int:pk>/", views.dish_detail, name="dish_detail"),
    path("dishes/<int:pk>/edit/", views.dish_edit, name="dish_edit"),
    path("dishes/<int:pk>/override/", views.dish_override, name="dish_override"),
    path("foods/search/", views.food_search, name="food_search"),
    path("rules/", views.rule_set_list, name="rule_set_list"),
    path("rules/<int:pk>/", views.rule_set_detail, name="rule_set_detail"),
    path("rules/<int:pk>/edit/", views.rule_set_edit, name="rule_set_edit"),
    path("rules/<int:pk>/copy/", views.rule_set_copy, name="rule_set_copy"),
    path("rules/<int:pk>/assign/", views.rule_set_assign, name="rule_set_assign"),
    path("rules/<int:pk>/nutrients/", views.rule_set_nutrients, name="rule_set_nutrients"),
    path("rules/<int:pk>/history/", views.rule_set_history, name="rule_set_history"),
]
