from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CantineConfig(AppConfig):
    name = "cantine"
    verbose_name = _("cantine")

    def ready(self):
        from cantine.logs import connect_job_signals

        connect_job_signals()  # one JSON line per background job
