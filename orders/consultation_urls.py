"""Routes of the consultation loop (included under /orders/ beside ``orders.urls``)."""

from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from orders import consultation_views as views

reads = require_GET
forms = require_http_methods(["GET", "POST"])

urlpatterns = [
    path("consultations/", reads(views.consultation_index), name="consultation_index"),
    path("<int:pk>/consultations/", reads(views.consultation_list), name="consultation_list"),
    path(
        "<int:pk>/consultations/from-lot/",
        views.consultation_from_lot,
        name="consultation_from_lot",
    ),
    path("consultations/<int:cpk>/", forms(views.consultation_detail), name="consultation_detail"),
    path(
        "consultations/<int:cpk>/publish/",
        views.consultation_publish,
        name="consultation_publish",
    ),
    path("consultations/<int:cpk>/award/", views.consultation_award, name="consultation_award"),
    path(
        "consultations/<int:cpk>/report.pdf",
        reads(views.consultation_report),
        name="consultation_report",
    ),
    path("<int:pk>/invoices/", reads(views.invoice_list), name="invoice_list"),
    path("invoices/<int:ipk>/pay/", views.invoice_pay, name="invoice_pay"),
    path("invoices/<int:ipk>/pdf/", reads(views.invoice_pdf), name="invoice_pdf"),
    path("portal/consultations/", reads(views.portal_consultations), name="portal_consultations"),
    path("portal/consultations/<int:cpk>/", forms(views.portal_answer), name="portal_answer"),
    path("portal/<int:po_pk>/invoice/", views.portal_invoice, name="portal_invoice"),
]
