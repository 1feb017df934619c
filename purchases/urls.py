from django.urls import path

from cantine.http import forms, reads
from purchases import forecast_views, views

urlpatterns = [
    path("", reads(views.ledger), name="purchase_ledger"),
    path("export.csv", reads(views.ledger_export), name="purchase_export"),
    path("import/", forms(views.import_file), name="purchase_import"),
    path("import/<int:pk>/undo/", views.import_undo, name="purchase_import_undo"),
    path("shares/", reads(views.shares), name="purchase_shares"),
    path(
        "shares/forecast/",
        reads(forecast_views.shares_forecast),
        name="purchase_shares_forecast",
    ),
    path("shares/report.pdf", reads(views.report_pdf), name="purchase_report_pdf"),
    path("macantine/", forms(views.macantine_send), name="purchase_macantine_send"),
]
