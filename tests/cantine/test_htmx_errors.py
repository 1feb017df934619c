"""A form's errors come back as a 400 fragment that htmx swaps in place (``base.html``'s
htmx-config). django-htmx's debug helper, which its script tag adds when DEBUG is on,
replaces the whole document with any 400 answer: under ``make run`` (DEBUG) every invalid
input wiped the page. The page loads htmx without it, in debug as in production."""

import pytest
from django.test import override_settings
from django.urls import reverse


@pytest.mark.parametrize("debug", [True, False])
def test_pages_load_htmx_without_the_helper_that_replaces_the_page(client, world, debug):
    client.force_login(world.users["cook"])
    with override_settings(DEBUG=debug):
        page = client.get(reverse("home")).content.decode()
    assert "django_htmx/htmx-2.min.js" in page
    assert "django-htmx.js" not in page
