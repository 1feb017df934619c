"""Every page of every role, in French and in English, read as a person reads it.

The pages come from the authorization matrix (``tests/security/authorization_table.py``): each
route whose GET answers 200 to a role is visited as that role's demo user, with the path
parameters filled from the demo world (``every_page_world``: plus solved allocations, purchase
orders, plan runs, consultations and an invoice, so that every page has something to show). Each page
fails on what a head cook, a dietitian, a farmer or a manager should never read:

- a code: a snake_case token (``energy_kcal``) or an enum constant (``LABEL_ROUGE``);
- a number in scientific notation ("5e+1 kg");
- an untranslated string: on the French page, an English message of the catalogue that has no
  French translation, or plain English words; on the English page, a French message of the
  catalogue (its words with accents that no data of the world holds, or a whole sentence);
- solver jargon ("borne", "écart à la borne", "glouton"; "greedy", "gap to the bound");
- a serious or critical axe-core violation (``axe-playwright-python``, axe bundled, on
  Debian's chromium).

Requests are served one at a time (``serial_server``): the pages' HTMX fragments load
together and the live server's in-memory SQLite connection is shared between its threads.

Solver results are crawled after the solver ran too (``every_page_world.SOLVED_VARIANTS``);
the producer's pages must fit a 360 px phone; the admin (index and changelists) reads French to
staff, third-party apps included.

``CANTINE_SCREENSHOTS=1`` also saves each role's main pages (French) under
``docs/screenshots/`` for the README.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.catalogue import (
    ROOT,
    WORD,
    choice_codes,
    french_messages,
    french_words,
    read_catalogue,
    texts_of_the_data,
    untranslated_messages,
)
from tests.browser.conftest import log_in
from tests.browser.every_page_world import build_world, with_solved_variants
from tests.security.authorization_table import EXPECTED
from tests.security.world import ROLES

SCREENSHOTS = ROOT / "docs" / "screenshots"


# The demo's user of each role; "satellite" is made here (cook and dietitian of a satellite).
USERS = {
    "cook": "cuisinier",
    "dietitian": "dieteticienne",
    "manager": "gestionnaire",
    "producer": "producteur",
    "satellite": "satellite",
}


# Not pages a person reads in the browser: files, the API (DRF's own pages), redirects.
NOT_PAGES = {
    "healthz",
    "logout",
    "set_language",
    "purchase_export",
    "purchase_report_pdf",
    "menu_scdl_export",
    "menu_weekly_pdf",
    "orders_po_pdf",
    "orders_po_csv",
    "orders_portal_pdf",
    "invoice_pdf",
    "api_schema",
    "api_docs",
    "api-root",
}


ANONYMOUS_PAGES = [
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_complete",
    "password_reset_confirm",
]


# Each role's main pages: the ones the README shows.
MAIN_PAGES = {
    "cook": ["menu_calendar", "menu_compliance", "dish_list", "orders_needs", "orders_run"],
    "dietitian": ["rule_set_detail", "rule_set_nutrients", "dish_detail", "menu_compliance"],
    "manager": ["purchase_shares", "purchase_ledger", "orders_purchase_orders", "invoice_list"],
    "producer": ["orders_portal", "producer_offers", "portal_consultations", "producer_profile"],
    "satellite": ["canteen_detail@satellite", "menu_calendar"],
}


SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")


ENUM_CONSTANT = re.compile(r"\b[A-Z][A-Z0-9]+_[A-Z0-9_]+\b")


E_NUMBER = re.compile(r"\d[eE][+-]?\d")


ENGLISH_WORDS = re.compile(r"\b(the|and|with|your|this|from|of|is|are|for|to)\b", re.IGNORECASE)


URL_OR_MAIL = re.compile(r"(https?://\S+|\S+@\S+|(?<!\w)/[\w/.?=&%-]+)")


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


# French words of the app's own sentences (the pure modules write French) that no English
# sentence has; data holding them is left out (``Reader.french_only_words``).
FRENCH_SENTENCE_WORDS = {
    "aucun",
    "aucune",
    "avec",
    "pour",
    "sont",
    "semaine",
    "semaines",
    "repas",
    "exactement",
    "moins",
    "jours",
    "borne",
    "glouton",
}


# The solvers' words, which no cook should read on any page: the French ones are also caught
# on English pages (as French words), the English ones on French pages (as English words or
# untranslated), but each is named here in both languages.
SOLVER_JARGON = {
    "fr": re.compile(r"\b(borne|écart à la borne|écart \d|glouton)\b", re.IGNORECASE),
    "en": re.compile(r"\b(greedy|gap to the bound|bound \d|gap \d)\b", re.IGNORECASE),
}


SERIOUS = {"serious", "critical"}


# Known failures: (role, language, row) -> why. Each one must still fail (strict), so a fix
# shows up as a failure asking to remove its line.
KNOWN_FAILURES: dict[tuple[str, str, str], str] = {}


def pages_of(role: str) -> list[str]:
    """The rows of the matrix whose GET answers 200 to ``role``."""
    column = ROLES.index(role)
    rows = []
    for row, methods in EXPECTED.items():
        name = row.split("@")[0]
        if name in NOT_PAGES or name in ANONYMOUS_PAGES or name.startswith("api"):
            continue
        if ":" in name or name.endswith(("-list", "-detail")):
            continue
        if "GET" in methods and methods["GET"].split()[column] == "200":
            rows.append(row)
    return rows


@pytest.fixture
def serial_server(live_server):
    """The live server, answering one request at a time (restored afterwards)."""
    httpd = live_server.thread.httpd
    app = httpd.get_app()
    lock = threading.Lock()

    def one_at_a_time(environ, start_response):
        with lock:
            result = app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                if hasattr(result, "close"):
                    result.close()

    httpd.set_app(one_at_a_time)
    yield live_server
    httpd.set_app(app)


@dataclass
class Reader:
    untranslated: list[str]
    french: list[str]
    french_only_words: set[str]
    codes: dict = field(default_factory=dict)  # language -> codes that are no word of it

    def problems(self, text: str, language: str) -> list[str]:
        text = URL_OR_MAIL.sub(" ", text)
        found = [f"code {m!r}" for m in sorted(set(SNAKE_CASE.findall(text)))]
        found += [f"constant {m!r}" for m in sorted(set(ENUM_CONSTANT.findall(text)))]
        found += [f"e+ number near {_around(text, m)!r}" for m in E_NUMBER.finditer(text)]
        found += [f"ISO date {m!r}" for m in sorted(set(ISO_DATE.findall(text)))]
        words = set(WORD.findall(text))
        found += [f"code {w!r}" for w in sorted(words & self.codes.get(language, set()))]
        jargon = SOLVER_JARGON.get(language)
        if jargon is not None:
            found += [f"solver jargon near {_around(text, m)!r}" for m in jargon.finditer(text)]
        if language == "fr":
            found += [f"untranslated {m!r}" for m in self.untranslated if _has(text, m)]
            first = ENGLISH_WORDS.search(text)
            if first is not None:
                found.append(f"English words near {_around(text, first)!r}")
        else:
            found += [f"French {m!r}" for m in self.french if _has(text, m)]
            leaked = sorted(set(WORD.findall(text)) & self.french_only_words)
            found += [f"French word {w!r}" for w in leaked]
        return found


def _has(text: str, message: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(message)}(?!\w)", text) is not None


def _around(text: str, match) -> str:
    return text[max(0, match.start() - 30) : match.end() + 30].replace("\n", " ")


READ_TEXT = """() => {
    const codes = [...document.querySelectorAll('code, pre, kbd, samp')].map(e => e.innerText);
    return {text: document.body ? document.body.innerText : '', codes,
            document: !!document.querySelector('html[lang]') && !!document.querySelector('title')};
}"""


def read_page(page, axe, shoot: Path | None, blocked: list) -> tuple[list[str], str]:
    found = []
    page.evaluate("1")  # the page's own console messages are in
    found += [f"blocked by the Content-Security-Policy: {m[:90]}" for m in blocked]
    result = page.evaluate(READ_TEXT)
    text = result["text"]
    for code in result["codes"]:
        text = text.replace(code, " ")
    if shoot is not None:
        page.screenshot(path=shoot, full_page=True)
    if result["document"]:  # a whole page (an HTMX fragment has no <html lang> of its own)
        violations = axe.run(page).response["violations"]
        for violation in violations:
            if violation["impact"] in SERIOUS:
                targets = [", ".join(n["target"]) for n in violation["nodes"][:3]]
                found.append(f"axe {violation['impact']} {violation['id']}: {targets}")
    return found, text


PHONE_ROLES = {"producer"}  # a farmer reads the portal on a phone


PHONE = {"width": 360, "height": 780}


def too_wide_for_a_phone(page) -> list[str]:
    page.set_viewport_size(PHONE)
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    return [f"{width} px wide on a {PHONE['width']} px phone"] if width > PHONE["width"] else []


def crawl(page, base_url: str, rows: list[tuple[str, str]], reader: Reader, role: str) -> dict:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    failures = {}
    for language in ("fr", "en"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
        for row, url in rows:
            page.blocked.clear()
            page.missing.clear()
            response = page.goto(base_url + url, wait_until="networkidle")
            problems = []
            if response is None or response.status != 200:
                problems.append(f"answered {response.status if response else 'nothing'}")
            else:
                main = role in MAIN_PAGES and row in MAIN_PAGES[role] and language == "fr"
                shoot = None
                if main and os.environ.get("CANTINE_SCREENSHOTS"):
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    shoot = SCREENSHOTS / f"{role}-{row.replace('@', '-')}.png"
                axe_problems, text = read_page(page, axe, shoot, page.blocked)
                problems = reader.problems(text, language) + axe_problems
                problems += [f"a resource answered {missing}" for missing in page.missing]
                if role in PHONE_ROLES and language == "fr":
                    problems += too_wide_for_a_phone(page)
            if problems:
                failures[(role, language, row)] = f"{url}: " + "; ".join(problems)
    return failures


@pytest.fixture
def reader(demo_world):
    entries = read_catalogue()
    data = "\n".join(texts_of_the_data())
    data_words = set(WORD.findall(data))
    words = {
        "fr": {w for e in entries for w in WORD.findall(e.msgstr)},
        "en": {w for e in entries for w in WORD.findall(e.msgid)},
    }
    codes = choice_codes() - data_words
    return Reader(
        untranslated=untranslated_messages(entries),
        french=[message for message in french_messages(entries) if message not in data],
        french_only_words=(french_words(entries) | FRENCH_SENTENCE_WORDS) - data_words,
        codes={language: codes - words[language] for language in ("fr", "en")},
    )


@pytest.fixture
def demo_world(transactional_db):
    from django.db import connection

    if connection.vendor != "sqlite":
        # What a page shows does not depend on the database; `make test` runs the suite on
        # SQLite and again on PostgreSQL, and the crawl (minutes) is worth running once.
        pytest.skip("the every-page crawl runs on SQLite only")
    return build_world()


class _Page:
    """A page whose Content-Security-Policy refusals are kept until the next visit (axe's
    own inline styles, applied while it measures, are not the page's)."""

    def __init__(self, page):
        self._page, self.blocked, self.missing = page, [], []
        page.on("console", self._console)
        page.on("response", self._response)

    def _response(self, response):
        if response.status >= 400 and response.request.resource_type != "document":
            self.missing.append(f"{response.status} {response.url}")

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.blocked.append(message.text)

    def __getattr__(self, name):
        return getattr(self._page, name)


@pytest.fixture
def crawler(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    yield _Page(page)
    context.close()


@pytest.mark.parametrize("role", list(USERS))
def test_every_page_reads_as_a_person_expects(crawler, serial_server, demo_world, reader, role):
    page = crawler
    page.set_default_timeout(20_000)
    page.set_default_navigation_timeout(30_000)
    rows = [(row, demo_world.url(row)) for row in with_solved_variants(pages_of(role))]
    rows = [(row, url) for row, url in rows if not url.startswith("/api/")]
    if role == "cook":
        rows = [(row, demo_world.url(row)) for row in ANONYMOUS_PAGES] + rows
        failures = crawl(page, serial_server.url, rows[:5], reader, "anonymous")
        rows = rows[5:]
    else:
        failures = {}
    french = {"name": "django_language", "value": "fr", "url": serial_server.url}
    page.context.add_cookies([french])
    log_in(page, serial_server, USERS[role])
    failures.update(crawl(page, serial_server.url, rows, reader, role))

    crawled = {role, "anonymous"} if role == "cook" else {role}
    known = {key for key in KNOWN_FAILURES if key[0] in crawled}
    unexpected = {key: why for key, why in failures.items() if key not in known}
    fixed = sorted(known - failures.keys())
    report = "\n".join(f"{r} {lang} {row}: {why}" for (r, lang, row), why in unexpected.items())
    assert not unexpected, f"{len(unexpected)} pages fail:\n{report}"
    assert not fixed, f"known failures that pass now (remove them from KNOWN_FAILURES): {fixed}"


def test_the_catalogue_reader_finds_missing_and_present_translations(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Buyer"\nmsgstr ""\n\n'
        'msgid "Delivery %(date)s"\nmsgstr "Livraison prévue %(date)s"\n\n'
        '#, fuzzy\nmsgid "Send all drafts"\nmsgstr "Envoyer"\n\n'
        'msgid "one dish"\nmsgid_plural "%(n)s dishes"\nmsgstr[0] "un plat"\n'
        'msgstr[1] "%(n)s plats"\n',
        encoding="utf-8",
    )
    entries = read_catalogue(po)
    assert untranslated_messages(entries) == ["Buyer", "Send all drafts"]
    assert french_messages(entries) == ["Livraison prévue", "un plat"]
    assert french_words(entries) == {"prévue"}
    reader = Reader(["Buyer"], ["Livraison prévue"], {"prévue"})
    assert reader.problems("Acheteur : Buyer", "fr") == ["untranslated 'Buyer'"]
    assert reader.problems("Buyers", "fr") == []
    assert reader.problems("Livraison prévue lundi", "en") == [
        "French 'Livraison prévue'",
        "French word 'prévue'",
    ]
    problems = reader.problems("energy_kcal 5E+1 LABEL_ROUGE, /menus/a_b/", "en")
    assert problems[:2] == ["code 'energy_kcal'", "constant 'LABEL_ROUGE'"]
    assert problems[2].startswith("e+ number near") and len(problems) == 3
    assert reader.problems("Carottes of the day", "fr") == [
        "English words near 'Carottes of the day'"
    ]
    coded = Reader([], [], set(), codes={"fr": {"milk", "piece"}, "en": {"piece"}})
    assert coded.problems("Allergènes : milk · 3 piece · le 2026-12-04", "fr") == [
        "ISO date '2026-12-04'",
        "code 'milk'",
        "code 'piece'",
    ]
    assert coded.problems("Allergens: milk", "en") == []
    jargon = Reader([], [], set())
    found = jargon.problems("Meilleur : 34,040 · borne 34,040 · écart 0,00", "fr")
    assert len(found) == 2 and all(f.startswith("solver jargon near") for f in found)
    assert jargon.problems("Le moins cher partout (glouton)", "fr")
    assert jargon.problems("Cheapest anywhere (greedy)", "en")
    assert jargon.problems("Les bornes par repas", "fr") == []


def test_the_readme_shows_each_roles_main_pages():
    """The screenshots the README links are those the crawl takes (``CANTINE_SCREENSHOTS=1``)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for role, rows in MAIN_PAGES.items():
        for row in rows:
            name = f"docs/screenshots/{role}-{row.replace('@', '-')}.png"
            assert f"({name})" in readme, f"README.md does not show {name}"
            assert (ROOT / name).exists(), f"{name} is missing: run the crawl with screenshots"
    linked = set(re.findall(r"\(docs/screenshots/([^)]+\.png)\)", readme))
    assert linked == {p.name for p in SCREENSHOTS.glob("*.png")}


def admin_names() -> list[tuple[str, str]]:
    """The admin index's app and model names, each as (English, French)."""
    from django.apps import apps
    from django.contrib import admin
    from django.utils import translation

    shown = {model._meta.app_label for model in admin.site._registry}
    names = [c.verbose_name for c in apps.get_app_configs() if c.label in shown]
    for model in admin.site._registry:
        names += [model._meta.verbose_name_plural, model._meta.verbose_name]
    pairs = []
    for name in names:
        with translation.override("en"):
            english = str(name)
        with translation.override("fr"):
            pairs.append((english, str(name)))
    return pairs


# Names that read the same in French.
SAME_IN_FRENCH = {"Axes", "Menus", "Nutrition", "cantine"} | {
    f"{word}{plural}"
    for word in ("commune", "consultation", "notification")
    for plural in ("", "s")
}


ADMIN_PAGES = [
    "/admin/",
    "/admin/orders/allocationrun/",
    "/admin/django_tasks_database/dbtaskresult/",
]


def test_the_admin_reads_french_to_staff(crawler, serial_server, transactional_db):
    """The admin index and changelists: no app or model name left in English (the admin shows
    captions in capitals: "TASKS DATABASE BACKEND")."""
    from axe_playwright_python.sync_playwright import Axe

    from cantine.models import User

    User.objects.create_superuser("patron", "patron@example.org", "cantine-demo-2026")
    pairs = admin_names()
    untranslated = sorted({en for en, fr in pairs if en == fr and en not in SAME_IN_FRENCH})
    assert not untranslated, f"admin names left in English: {untranslated}"
    english = {en for en, fr in pairs if en != fr and len(en) > 3}
    page = crawler
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": serial_server.url}])
    log_in(page, serial_server, "patron")
    failures = {}
    for url in ADMIN_PAGES:
        response = page.goto(serial_server.url + url, wait_until="networkidle")
        assert response is not None and response.status == 200, url
        problems, text = read_page(page, Axe(), None, page.blocked)
        problems += [
            f"English name {name!r}"
            for name in sorted(english)
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)
        ]
        if problems:
            failures[url] = problems
    assert not failures, failures
