from django.urls import path

from cantine import views

urlpatterns = [
    path("", views.canteen_list, name="canteen_list"),
    path("<int:pk>/", views.canteen_detail, name="canteen_detail"),
    path("<int:pk>/covers/", views.canteen_covers_edit, name="canteen_covers_edit"),
    path("<int:pk>/local/", views.canteen_local_edit, name="canteen_local_edit"),
]
