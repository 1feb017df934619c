from django.urls import path

from purchases import views

urlpatterns = [
    path("", views.ledger, name="purchase_ledger"),
    path("export.csv", views.ledger_export, name="purchase_export"),
    path("import/", views.import_file, name="purchase_import"),
    path("import/<int:pk>/undo/", views.import_undo, name="purchase_import_undo"),
    path("shares/", views.shares, name="purchase_shares"),
    path("shares/report.pdf", views.report_pdf, name="purchase_report_pdf"),
    path("macantine/", views.macantine_send, name="purchase_macantine_send"),
]
