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
        name_third_party_apps()


# The admin's names for the third-party apps that ship only English ones (or none): the task
# queue's results and the RQ dashboard, in French like the rest of the admin.
THIRD_PARTY_NAMES = {
    "django_tasks_database": (
        _("background tasks"),
        {"dbtaskresult": (_("task result"), _("task results"))},
    ),
    "django_rq": (_("task queues"), {"dashboard": (_("queue dashboard"), _("queue dashboard"))}),
}


def name_third_party_apps() -> None:
    from django.apps import apps

    for label, (app_name, models) in THIRD_PARTY_NAMES.items():
        if label not in apps.app_configs:
            continue
        config = apps.get_app_config(label)
        config.verbose_name = app_name
        for model_name, (singular, plural) in models.items():
            meta = config.get_model(model_name)._meta
            meta.verbose_name, meta.verbose_name_plural = singular, plural
