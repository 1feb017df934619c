from django.urls import path

from cantine.http import forms, reads
from orders import portal, views

urlpatterns = [
    path("portal/", reads(portal.portal), name="orders_portal"),
    path("portal/lines/<int:line_pk>/answer/", portal.answer_line, name="orders_portal_answer"),
    path("portal/<int:po_pk>/pdf/", reads(portal.order_pdf), name="orders_portal_pdf"),
    path("portal/<int:po_pk>/confirm/", portal.confirm_order, name="orders_portal_confirm"),
    path("purchase-orders/<int:po_pk>/send/", views.send_purchase_order, name="orders_po_send"),
    path(
        "purchase-orders/<int:po_pk>/receive/",
        views.receive_purchase_order,
        name="orders_po_receive",
    ),
    path("purchase-orders/<int:po_pk>/pay/", views.pay_purchase_order, name="orders_po_pay"),
    path(
        "purchase-orders/<int:po_pk>/reallocate/",
        views.reallocate_purchase_order,
        name="orders_po_reallocate",
    ),
    path(
        "purchase-orders/lines/<int:line_pk>/repair-menus/",
        views.repair_menus,
        name="orders_repair_menus",
    ),
    path("", reads(views.orders_index), name="orders_index"),
    path("<int:pk>/needs/", reads(views.needs_page), name="orders_needs"),
    path("<int:pk>/needs/compute/", views.compute_needs, name="orders_compute_needs"),
    path("<int:pk>/allocate/", views.start_allocation, name="orders_allocate"),
    path("<int:pk>/lots/", forms(views.lot_simulator), name="orders_lots"),
    path(
        "<int:pk>/purchase-orders/", reads(views.purchase_order_list), name="orders_purchase_orders"
    ),
    path(
        "<int:pk>/purchase-orders/send-drafts/",
        forms(views.send_drafts),
        name="orders_send_drafts",
    ),
    path("needs/<int:need_pk>/", views.adjust_need, name="orders_adjust_need"),
    path("runs/<int:run_pk>/", reads(views.run_detail), name="orders_run"),
    path("runs/<int:run_pk>/status/", reads(views.run_status), name="orders_run_status"),
    path("runs/<int:run_pk>/retry/", views.retry_run, name="orders_retry_run"),
    path("runs/<int:run_pk>/accept/", forms(views.accept_run), name="orders_accept_run"),
    path("purchase-orders/<int:po_pk>/", reads(views.purchase_order_detail), name="orders_po"),
    path(
        "purchase-orders/<int:po_pk>/pdf/",
        reads(views.purchase_order_pdf_view),
        name="orders_po_pdf",
    ),
    path("purchase-orders/<int:po_pk>/csv/", reads(views.purchase_order_csv), name="orders_po_csv"),
]
