from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from cantine import health, views
from cantine.api import CanteenViewSet
from cantine.http import reads
from menus.api import MealViewSet, PlanRunViewSet
from nutrition.api import DishViewSet, FoodViewSet, RuleSetViewSet
from orders.api import (
    AllocationRunViewSet,
    NeedViewSet,
    ProducerOrderViewSet,
    PurchaseOrderViewSet,
)
from orders.consultation_api import ProducerConsultationViewSet
from producers.api import OfferViewSet, ProducerViewSet
from purchases.api import PurchaseViewSet, SharesViewSet

router = DefaultRouter()
router.register("canteens", CanteenViewSet, basename="canteen")
router.register("producers", ProducerViewSet, basename="producer")
router.register("offers", OfferViewSet, basename="offer")
router.register("needs", NeedViewSet, basename="need")
router.register("allocation-runs", AllocationRunViewSet, basename="allocationrun")
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchaseorder")
router.register("my-orders", ProducerOrderViewSet, basename="myorder")
router.register("my-consultations", ProducerConsultationViewSet, basename="myconsultation")
router.register("purchases", PurchaseViewSet, basename="purchase")
router.register("purchase-shares", SharesViewSet, basename="purchase-shares")
router.register("foods", FoodViewSet, basename="food")
router.register("dishes", DishViewSet, basename="dish")
router.register("rule-sets", RuleSetViewSet, basename="ruleset")
router.register("meals", MealViewSet, basename="meal")
router.register("plan-runs", PlanRunViewSet, basename="planrun")

urlpatterns = [
    path("", reads(views.home), name="home"),
    path("healthz", reads(health.healthz), name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("canteens/", include("cantine.canteen_urls")),
    path("producers/", include("producers.urls")),
    path("purchases/", include("purchases.urls")),
    path("nutrition/", include("nutrition.urls")),
    path("menus/", include("menus.urls")),
    path("orders/", include("orders.consultation_urls")),
    path("orders/", include("orders.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]

admin.site.site_header = "cantine"
admin.site.site_title = "cantine"
