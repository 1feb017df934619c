from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CantineConfig(AppConfig):
    name = "cantine"
    verbose_name = _("cantine")

    def ready(self):
        from django.utils.translation import gettext

        from cantine import local
        from cantine.logs import connect_job_signals

        # The pure modules write English message ids; pages, PDFs and exports read them in
        # their own language (French first). Each app sets its own (nutrition, menus).
        local.translate = gettext

        connect_job_signals()  # one JSON line per background job
