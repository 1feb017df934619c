from django.urls import path

from cantine import views
from cantine.http import forms, reads

urlpatterns = [
    path("", reads(views.canteen_list), name="canteen_list"),
    path("<int:pk>/", reads(views.canteen_detail), name="canteen_detail"),
    path("<int:pk>/covers/", forms(views.canteen_covers_edit), name="canteen_covers_edit"),
    path("<int:pk>/local/", forms(views.canteen_local_edit), name="canteen_local_edit"),
]
