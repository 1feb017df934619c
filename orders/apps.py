from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from menus.services import plan_written, shortages_asked
        from orders.repair import on_plan_written, on_shortages_asked

        # A menu repair's new menus recompute the needs they change, and the calendar shows
        # what nobody can supply (menus never import orders).
        plan_written.connect(on_plan_written, dispatch_uid="orders.repair")
        shortages_asked.connect(on_shortages_asked, dispatch_uid="orders.repair.calendar")
