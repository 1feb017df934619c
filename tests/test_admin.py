"""Every model of the project can be managed in the Django admin (directly or inline)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

PROJECT_APPS = ["cantine", "nutrition", "menus", "producers", "orders", "purchases"]


def project_models():
    for label in PROJECT_APPS:
        if apps.is_installed(label):
            yield from apps.get_app_config(label).get_models()


def test_every_model_has_an_admin():
    inline_models = {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }
    missing = [
        model.__name__
        for model in project_models()
        if model not in admin.site._registry and model not in inline_models
    ]
    assert missing == []


@pytest.mark.django_db
def test_every_admin_changelist_opens(admin_client):
    for model in admin.site._registry:
        if model._meta.app_label not in PROJECT_APPS:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url
