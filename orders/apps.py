from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from menus.services import plan_written
        from orders.repair import on_plan_written

        # A menu repair's new menus recompute the needs they change (menus never import orders).
        plan_written.connect(on_plan_written, dispatch_uid="orders.repair")
