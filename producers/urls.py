from django.urls import path

from producers import views

urlpatterns = [
    path("", views.directory, name="producer_directory"),
    path("my-farm/", views.profile, name="producer_profile"),
    path("my-offers/", views.my_offers, name="producer_offers"),
    path("my-offers/<int:pk>/", views.edit_offer, name="producer_offer_edit"),
]
