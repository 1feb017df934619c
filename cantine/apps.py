from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CantineConfig(AppConfig):
    name = "cantine"
    verbose_name = _("cantine")
