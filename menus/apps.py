from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MenusConfig(AppConfig):
    name = "menus"
    verbose_name = _("Menus")

    def ready(self):
        from django.utils.translation import gettext

        from menus import variety

        variety.translate = gettext  # variety messages in the page's language
