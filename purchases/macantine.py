"""Send a canteen's declaration purchases to ma cantine, through its purchases API.

The contract is ma cantine's own (betagouv/ma-cantine: ``api/urls.py``,
``api/views/purchase.py`` ``PurchaseCreateView`` / ``PurchaseRetrieveUpdateDestroyView``,
``api/serializers/purchase.py`` ``PurchaseSerializer``, ``macantine/urls.py``; OAuth2 by
django-oauth-toolkit, scopes in ``macantine/settings.py``), opened to software vendors in 2026:

- ``POST {API}/canteens/{id}/purchases/`` creates one purchase and answers ``201`` with it,
  its ``id`` included; ``PATCH`` and ``DELETE {API}/canteens/{id}/purchases/{pk}`` change or
  remove one the same application created (``GET`` reads it);
- ``id`` is the canteen's number on ma cantine (``MaCantineLink.macantine_id``), the token an
  OAuth2 access token sent as ``Authorization: Bearer``, for a user who manages that canteen;
- the body is JSON: ``description``, ``fournisseur``, ``date``, ``prix_ht``,
  ``famille_produits`` (required but ``fournisseur``), ``categories_egalim`` (a list),
  ``origine``, ``est_circuit_court``, ``est_local``, ``definition_local``,
  ``definition_local_km``; a refused line answers ``400`` with the reasons per field.

The API takes one purchase per request, so cantine makes the send all or nothing itself: every
line is first checked under ma cantine's rules (``purchases.importer``, strict) and nothing is
sent if one fails; then lines are created, changed or removed one by one, and if a request
fails, what this send did is undone (created lines deleted, changed ones restored, removed ones
created again) and the report says so. Re-sending is idempotent: each line's ma cantine id and
what was sent are kept (``MaCantineSubmission``), an unchanged line is not sent again, a changed
one is updated in place, a line deleted from cantine is deleted from ma cantine.

Settings (Django settings, else the environment, else defaults; see README):
``MACANTINE_API_URL``, ``MACANTINE_API_TOKEN`` (used when the canteen's account has no token of
its own), ``MACANTINE_API_TIMEOUT`` (seconds).

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cantine.models import Canteen
from purchases import exporter, importer, selectors
from purchases.models import MaCantineLink, MaCantineSubmission, Purchase

DEFAULT_API_URL = "https://ma-cantine.agriculture.gouv.fr/api/v1"


def setting(name: str, default):
    return getattr(settings, name, os.environ.get(name, default))


def api_url() -> str:
    return str(setting("MACANTINE_API_URL", DEFAULT_API_URL)).rstrip("/")


def link_of(canteen) -> MaCantineLink | None:
    try:
        return canteen.macantine_link
    except ObjectDoesNotExist:
        return None


def token_for(link: MaCantineLink | None) -> str:
    if link is None:
        return ""
    return link.access_token or setting("MACANTINE_API_TOKEN", "")


def is_configured(canteen) -> bool:
    """A ma cantine id and a token: the send is possible; otherwise offer the CSV export."""
    return bool(token_for(link_of(canteen)))


# The API ------------------------------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status: int, detail):
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


class Client:
    """ma cantine's purchases endpoints for one canteen."""

    def __init__(self, macantine_id: int, token: str, base: str | None = None):
        self.base = f"{(base or api_url())}/canteens/{macantine_id}/purchases/"
        self.token = token
        self.timeout = float(setting("MACANTINE_API_TIMEOUT", 10))

    def _call(self, method: str, url: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                content = response.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                detail = json.loads(raw)
            except ValueError:
                detail = raw.decode("utf-8", "replace")[:500]
            raise ApiError(error.code, detail) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise ApiError(0, str(getattr(error, "reason", error))) from None
        return json.loads(content) if content else None

    def create(self, payload: dict) -> int:
        return int(self._call("POST", self.base, payload)["id"])

    def update(self, remote_id: int, payload: dict) -> None:
        self._call("PATCH", f"{self.base}{remote_id}", payload)

    def delete(self, remote_id: int) -> None:
        self._call("DELETE", f"{self.base}{remote_id}")


def payload(purchase: Purchase) -> dict:
    """A ledger line as ma cantine's ``PurchaseSerializer`` takes it: the export's cells, typed."""
    row = dict(zip(exporter.COLUMNS, next(exporter.rows([purchase])), strict=True))
    return {
        "description": row["description"],
        "fournisseur": row["fournisseur"],
        "date": row["date"],
        "prix_ht": row["prix_ht"],
        "famille_produits": row["famille_produits"],
        "categories_egalim": [c for c in row["categories_egalim"].split(",") if c],
        "origine": row["origine"],
        "est_circuit_court": row["est_circuit_court"] == "OUI",
        "est_local": row["est_local"] == "OUI",
        "definition_local": row["definition_local"],
        "definition_local_km": int(row["definition_local_km"])
        if row["definition_local_km"]
        else None,
    }


def _sha(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


# The send -----------------------------------------------------------------------------------


@dataclass
class SendReport:
    year: int
    ok: bool = False
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rolled_back: bool = False
    errors: list[str] = field(default_factory=list)  # nothing changed on ma cantine if any


class NotConfigured(Exception):
    """The canteen has no ma cantine id or no token: offer the CSV export instead."""


def send_declaration(*, canteen: Canteen, year: int, client: Client | None = None) -> SendReport:
    """Send ``year``'s purchases of ``canteen`` (with its satellites) to its ma cantine account."""
    link = link_of(canteen)
    token = token_for(link)
    if link is None or not token:
        raise NotConfigured
    client = client or Client(link.macantine_id, token)
    report = SendReport(year=year)
    lines = list(
        selectors.ledger(selectors.group_of(canteen), selectors.LedgerFilter(year=year))
        .select_related("canteen")
        .order_by("date", "pk")
    )
    report.lines = len(lines)
    checked = importer.parse("declaration.csv", exporter.to_csv_bytes(lines), strict=True)
    if not checked.ok:
        for error in checked.errors[:20]:
            report.errors.append(
                _("Line %(line)s (%(column)s): %(message)s")
                % {"line": error.line, "column": error.column, "message": error.message}
            )
        return report
    known = {s.purchase_id: s for s in link.submissions.all()}
    undo: list = []
    try:
        with transaction.atomic():
            _send(link, client, lines, known, report, undo, year)
    except ApiError as error:
        report.errors.append(_describe(error))
        report.rolled_back = True
        _undo(client, undo, report)
        report.created = report.updated = report.deleted = 0
        return report
    report.ok = True
    return report


def _send(link, client, lines, known, report, undo, year) -> None:
    for purchase in lines:
        body = payload(purchase)
        sha = _sha(body)
        sent = known.pop(purchase.pk, None)
        if sent is None:
            remote_id = client.create(body)
            undo.append(("delete", remote_id, None))
            MaCantineSubmission.objects.create(
                link=link, purchase=purchase, remote_id=remote_id, payload=body, payload_sha256=sha
            )
            report.created += 1
        elif sent.payload_sha256 == sha:
            report.unchanged += 1
        else:
            client.update(sent.remote_id, body)
            undo.append(("update", sent.remote_id, sent.payload))
            sent.payload, sent.payload_sha256 = body, sha
            sent.save(update_fields=["payload", "payload_sha256", "sent_at"])
            report.updated += 1
    # Sent before, gone from cantine since (deleted lines), within the year: remove them.
    for sent in known.values():
        if sent.purchase_id is not None:
            continue  # a line of another year: not this declaration's
        if not str(sent.payload.get("date", "")).startswith(str(year)):
            continue
        client.delete(sent.remote_id)
        undo.append(("create", sent.remote_id, sent.payload))
        sent.delete()
        report.deleted += 1


def _undo(client, undo, report) -> None:
    """Put ma cantine back as it was before this send, most recent change first."""
    for action, remote_id, previous in reversed(undo):
        try:
            if action == "delete":
                client.delete(remote_id)
            elif action == "update":
                client.update(remote_id, previous)
            else:
                new_id = client.create(previous)
                MaCantineSubmission.objects.filter(remote_id=remote_id).update(remote_id=new_id)
                # (the send's transaction was rolled back: the record is there again)
        except ApiError as error:
            report.errors.append(
                _("Could not undo a change on ma cantine (%(error)s): check its purchases.")
                % {"error": _describe(error)}
            )


def _describe(error: ApiError) -> str:
    if error.status == 0:
        return _("ma cantine could not be reached: %(reason)s") % {"reason": error.detail}
    if error.status in (401, 403):
        return _("ma cantine refused the token (HTTP %(status)s): ask for a new one.") % {
            "status": error.status
        }
    if error.status == 404:
        return _("ma cantine knows no canteen with this id that the token may write to.")
    if isinstance(error.detail, dict):
        detail = "; ".join(
            f"{name}: {' '.join(map(str, messages if isinstance(messages, list) else [messages]))}"
            for name, messages in error.detail.items()
        )
    else:
        detail = str(error.detail)
    return _("ma cantine refused a line (HTTP %(status)s): %(detail)s") % {
        "status": error.status,
        "detail": detail,
    }


def declaration_years(canteen) -> list[int]:
    years = selectors.years(selectors.group_of(canteen))
    return years or [timezone.localdate().year]
