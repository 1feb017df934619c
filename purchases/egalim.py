"""The EGalim group of a purchase line as a SQL expression (cantine.labels, domain.md §3).

A line counts once, in its highest group: organic > SIQO > other EGalim >
externalities/performance. The expression is stored by the database in a generated column
(``Purchase.egalim_group``), so shares filter on a small integer instead of re-reading JSON on
every query. A generated column accepts only immutable expressions, hence the ``has_label``
lookup: PostgreSQL's ``jsonb ? 'BIO'``, and elsewhere a text match on the JSON list ('"IGP"'
matches only IGP: codes are upper-case words, none inside another once quoted).
"""

from django.db import models
from django.db.models import Case, IntegerField, Lookup, Q, Value, When

from cantine.labels import LABEL_GROUP, EgalimGroup

GROUP_CODES = {
    group: sorted(code.value for code, g in LABEL_GROUP.items() if g == group)
    for group in EgalimGroup
    if group != EgalimGroup.NONE
}


class LabelList(models.JSONField):
    """A JSON list of label codes, with a ``has_label`` lookup fit for generated columns."""


@LabelList.register_lookup
class HasLabel(Lookup):
    lookup_name = "has_label"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} LIKE %s", [*params, f'%"{self.rhs}"%']

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} ? %s", [*params, self.rhs]


def has_any_label(codes) -> Q:
    query = Q()
    for code in codes:
        query |= Q(labels__has_label=code)
    return query


def egalim_group_expression() -> Case:
    """Same answer as ``cantine.labels.egalim_group``, computed by the database."""
    return Case(
        *(
            When(has_any_label(GROUP_CODES[group]), then=Value(group.value))
            for group in sorted(GROUP_CODES, reverse=True)
        ),
        default=Value(EgalimGroup.NONE.value),
        output_field=IntegerField(),
    )
