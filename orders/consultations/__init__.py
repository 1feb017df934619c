"""Consultations: a buyer puts a lot to producers, they answer, the award splits it.

The loop public buyers run with Agrilocal-like tools, on its legal footing:
- the cook makes a consultation from a lot of the lots simulator (``orders.lots``: the same
  grouping of needs by family and week, or product and week) or from a list of products, with
  the award criteria and their weights, then publishes it (``publish``): producers whose offers
  and place match are invited (portal, e-mail), after a threshold check
  (``orders.procurement``) the buyer must acknowledge when it warns;
- producers answer until the deadline (``submit_answer``), alone or as a group whose members
  each deliver their part; a producer only ever reads the answers it takes part in;
- after the deadline the award (``orders.award``) splits the lot across the answers; the buyer
  accepts it or departs from it with a written reason (``award``); the award sends purchase
  orders through the order life cycle (``orders.lifecycle``) and tells every answer why.

Writes take keyword-only arguments and an ``actor``; refusals raise ``ConsultationError`` with
a message for the person who asked. One module per step: ``making``, ``publishing``,
``answers``, ``awarding``; every public name is importable from this package.
"""

from orders.consultations.answers import (
    LineSpec,
    answers_of,
    is_open,
    open_consultations,
    submit_answer,
)
from orders.consultations.awarding import Proposal, award, award_instance, propose, ranking
from orders.consultations.errors import CRITERIA, ConsultationError, ThresholdWarning
from orders.consultations.making import (
    ItemSpec,
    LotChoice,
    create_consultation,
    estimated_price,
    estimated_prices,
    items_from_needs,
    lot_choices,
)
from orders.consultations.publishing import matching_producers, publish, threshold_warnings

__all__ = [
    "CRITERIA",
    "ConsultationError",
    "ItemSpec",
    "LineSpec",
    "LotChoice",
    "Proposal",
    "ThresholdWarning",
    "answers_of",
    "award",
    "award_instance",
    "create_consultation",
    "estimated_price",
    "estimated_prices",
    "is_open",
    "items_from_needs",
    "lot_choices",
    "matching_producers",
    "open_consultations",
    "propose",
    "publish",
    "ranking",
    "submit_answer",
    "threshold_warnings",
]
