from django.urls import path

from cantine.http import forms, reads
from producers import views

urlpatterns = [
    path("", reads(views.directory), name="producer_directory"),
    path("my-farm/", forms(views.profile), name="producer_profile"),
    path("my-offers/", forms(views.my_offers), name="producer_offers"),
    path("my-offers/<int:pk>/", views.edit_offer, name="producer_offer_edit"),
]
