"""Security headers (issue 12): a strict Content-Security-Policy, Referrer-Policy and
Permissions-Policy on every page, and templates that need no inline script or style to work."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("name", ["login", "home"])
def test_pages_carry_a_strict_policy_and_the_other_headers(client, world, name):
    client.force_login(world.users["cook"])
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_the_api_docs_run_no_inline_script(client, world):
    client.force_login(world.users["cook"])
    page = client.get(reverse("api_docs")).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", page)


def test_the_page_behaviours_come_from_a_static_file(client, world):
    client.force_login(world.users["cook"])
    page = client.get(reverse("home")).content.decode()
    assert '/static/js/cantine.js"' in page and "data-autosubmit" in page
    assert '"allowEval": false' in page and '"includeIndicatorStyles": false' in page


def test_no_template_has_an_inline_script_handler_or_style():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    style = re.compile(r"\sstyle\s*=|<style", re.IGNORECASE)
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text("utf-8")
            for kind, pattern in (
                ("script", inline_script),
                ("handler", handler),
                ("style", style),
            ):
                if pattern.search(text):
                    found.append(f"{path.relative_to(ROOT)}: inline {kind}")
    assert found == []


def test_charts_carry_no_style_attribute():
    from purchases import charts

    chart = charts.Chart(title="t", width=300, height=100, shapes=[])
    assert "style=" not in charts.to_svg(chart)
