from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CantineConfig(AppConfig):
    name = "cantine"
    verbose_name = _("cantine")

    def ready(self):
        from django.utils.translation import gettext

        from cantine import local
        from cantine.logs import connect_job_signals

        local.translate = gettext  # "local" is stated in the language of the page

        connect_job_signals()  # one JSON line per background job
