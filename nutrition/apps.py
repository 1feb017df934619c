from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NutritionConfig(AppConfig):
    name = "nutrition"
    verbose_name = _("Nutrition")

    def ready(self):
        from django.utils.translation import gettext

        from cantine import names
        from nutrition import compliance
        from nutrition.models import TAG_LABELS, Allergen, Component

        compliance.translate = gettext  # rule messages in the page's language
        names.register("tag", lambda: TAG_LABELS)
        names.register("allergen", lambda: dict(Allergen.choices))
        names.register("component", lambda: dict(Component.choices))
