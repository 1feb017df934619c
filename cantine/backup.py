"""Backups that any cantine database can restore: the whole database, or one canteen's data
with everything it needs to stand on its own, as Django fixtures (JSON, gzipped by the file
name), restored by ``loaddata`` on SQLite or PostgreSQL alike.

One canteen's data is what would disappear with it (``NestedObjects``, the collector behind
the admin's delete page: its meals, runs, needs, orders, purchases, memberships...), the rows
that point at it without cascading (``SET_NULL`` / ``PROTECT``), then, transitively, every
row those point to (users, producers, offers, foods, dishes, rule sets, communes...), so that
the file restores into an empty database without a dangling key.

A backup holds password hashes and personal data: keep it like the database itself.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.apps import apps
from django.contrib.admin.utils import NestedObjects
from django.core import serializers
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, models

from cantine.models import Canteen

# What a fresh migrated database recreates by itself, or what is not worth keeping.
# django_rq's only model is a placeholder without a table (its admin dashboard).
SKIPPED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "django_rq"]


def open_for_writing(path: Path):
    return gzip.open(path, "wt", encoding="utf-8") if path.suffix == ".gz" else path.open("w")


def dump_database(path: Path) -> None:
    """Every row of every app but ``SKIPPED``, natural keys for content types."""
    call_command(
        "dumpdata",
        exclude=SKIPPED,
        natural_foreign=True,
        output=str(path),
        verbosity=0,
    )


def _skipped(model: type[models.Model]) -> bool:
    meta = model._meta
    unstored = not meta.managed or meta.proxy
    return unstored or meta.app_label in SKIPPED or meta.label_lower in SKIPPED


def canteen_rows(canteen: Canteen, using: str = DEFAULT_DB_ALIAS) -> dict[type, set]:
    """Primary keys, by model, of the canteen's rows and of every row they depend on."""
    collector = NestedObjects(using=using)
    collector.collect([canteen])
    rows: dict[type, set] = defaultdict(set)
    for model, instances in collector.data.items():
        rows[model].update(obj.pk for obj in instances)
    for (_field, _value), batches in collector.field_updates.items():
        for batch in batches:
            for obj in batch:
                rows[type(obj)].add(obj.pk)
    for obj in collector.protected:
        rows[type(obj)].add(obj.pk)
    _add_dependencies(rows)
    return {model: pks for model, pks in rows.items() if pks and not _skipped(model)}


def _add_dependencies(rows: dict[type, set]) -> None:
    """Follow foreign keys (and many-to-many links) until every row pointed to is in."""
    todo = {model: set(pks) for model, pks in rows.items()}
    while todo:
        model, pks = todo.popitem()
        model = model._meta.concrete_model
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            target = field.related_model._meta.concrete_model
            found = set(
                model._base_manager.filter(pk__in=pks)
                .exclude(**{f"{field.attname}__isnull": True})
                .values_list(field.attname, flat=True)
            )
            _queue(rows, todo, target, found)
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            source, linked = field.m2m_field_name(), field.m2m_reverse_field_name()
            found = set(
                through._base_manager.filter(**{f"{source}__in": pks}).values_list(
                    f"{linked}_id", flat=True
                )
            )
            _queue(rows, todo, field.related_model._meta.concrete_model, found)


def _queue(rows, todo, model, pks) -> None:
    new = set(pks) - rows[model]
    if new:
        rows[model].update(new)
        todo.setdefault(model, set()).update(new)


def _objects(rows: dict[type, set]) -> Iterator[models.Model]:
    """Rows model by model, those named by natural keys (users...) before their users, as
    ``dumpdata`` orders them."""
    by_app: dict = defaultdict(list)
    for model in sorted(rows, key=lambda m: m._meta.label):
        by_app[apps.get_app_config(model._meta.app_label)].append(model)
    for model in serializers.sort_dependencies(by_app.items()):
        pks = sorted(rows[model])
        for start in range(0, len(pks), 1000):
            yield from model._base_manager.filter(pk__in=pks[start : start + 1000]).order_by("pk")


def dump_canteen(canteen: Canteen, path: Path) -> int:
    """Write the canteen's backup; the number of rows written."""
    rows = canteen_rows(canteen)
    with open_for_writing(path) as stream:
        serializers.serialize(
            "json", _objects(rows), stream=stream, use_natural_foreign_keys=True, indent=None
        )
    return sum(len(pks) for pks in rows.values())


def restore(path: Path) -> None:
    """Load a backup (``loaddata``: key checks deferred to the end, sequences reset)."""
    call_command("loaddata", str(path), verbosity=0)


def tables_with_data(models_: Iterable[type] | None = None) -> list[str]:
    """Which tables already hold rows (a restore goes into an empty database)."""
    wanted = models_ or [m for m in apps.get_models() if not _skipped(m)]
    return [m._meta.label for m in wanted if m._base_manager.exists()]
