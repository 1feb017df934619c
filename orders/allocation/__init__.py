"""Order allocation: split a canteen's needs across producers' offers at least cost.

Pure Python (no Django). The JSON contract is "Order allocation" in
shared/specs/solver-interfaces.md; this module accepts a few documented extras:

- ``fixed_lines``: ``[{"need": "N1", "offer": "O1", "packs": 3}]`` — lines already confirmed by
  producers. They stay (the pair keeps at least those packs), consume the offer's capacity,
  count in delivery costs, minimum orders, shares and budget. A re-allocation of refused
  quantities calls ``solve`` with the confirmed lines fixed.
- Offer ``capacity`` is the *total* quantity the offer can deliver over the instance, fixed lines
  included (``null`` = unlimited). Offer ``remaining_capacity`` (optional) is what is still free
  for *new* lines after the fixed lines; when present it takes precedence, so a caller that
  already subtracted confirmed quantities passes it and the fixed lines do not consume it twice.
- Offer ``unit`` (optional): when both need and offer carry a unit, they must match to serve.
- ``budget`` also caps goods + delivery under ``min_cost``. Under ``max_local`` the objective
  is local value minus unmet penalty (cheaper solution preferred on ties).
- Solution extras: ``goods_cost``, ``delivery_cost``, ``unmet_penalty``, ``local_value``,
  ``objective``, ``gap``, ``conflicts`` (``[{"rules": [...], "why": "..."}]`` as the planner's),
  ``violations`` (what a greedy answer breaks) and ``method`` (which phase found it).
- ``mip_gap`` (default 0.001): relative gap at which the solver stops; status "optimal" means
  proven within it. ``solver``: "HIGHS" (default), "SCIP" or "CP_SAT", for measurements.

Model (mixed-integer, built with OR-Tools MathOpt): integer packs per compatible (need, offer)
pair; a binary per (producer, date) carrying the fixed delivery cost and the minimum order
(value >= min_order_value or nothing); per-offer capacity; each need covered (or its shortfall
penalised per unit when ``allow_unmet``), over-delivery kept below one pack of the largest
compatible offer (packs are indivisible, but nothing is bought for its own sake, e.g. to game
a share); shares by value linearised as sum((is_label - share) * value) >= 0, and
``max_share_per_producer`` as value_p <= cap * value_total.

Solver choice, measured with bench/allocation.py on generated territories (seed 1, 10 s):
HiGHS 0.60 % gap at 300 x 200, SCIP stuck at the greedy start (3.1 %), CP-SAT 1 % better than
greedy but no useful bound. pywraplp was dropped: its HiGHS wrapper returns no solution when
the time limit is hit. Solving (see ``solve``): target-aware greedy and a construction that meets
the targets, then two threads (``orders.allocation.search``): the full model's LP relaxation
and a Lagrangian bound by delivery date (``orders.allocation.bound``) on one, neighbourhood
search on the other, which also solves a "kernel" (the model restricted to the LP's pairs).

One module per part: ``contract`` (the dataclasses), ``parse``, ``index``, ``solution``,
``greedy``, ``model`` (MathOpt), ``neighbourhoods``, ``search`` (the two workers), ``bound``
(the bound by delivery date), ``solve`` (the deadline, construction and search), ``diagnose``;
the command in ``__main__``. The independent verifier, ``orders.allocation_verify``, stays
outside: it shares no code with the optimiser. Every name callers use is importable from this package.
"""

from orders.allocation.contract import (
    DEFAULT_FAMILY,
    DEFAULT_SOLVER,
    EGALIM_LABELS,
    EPS,
    FAMILIES,
    LABEL_ALIASES,
    OBJECTIVES,
    OVER_DELIVERY_SLACK,
    SOLVERS,
    TARGET_KEYS,
    UNITS,
    Cancelled,
    Delivery,
    FixedLine,
    Instance,
    InstanceError,
    Line,
    Need,
    Offer,
    Producer,
    Progress,
    Solution,
    Targets,
    Unmet,
)
from orders.allocation.diagnose import (
    SHARE_NAMES,
    diagnose,
)
from orders.allocation.greedy import (
    _greedy_packs,
    greedy_allocation,
)
from orders.allocation.index import (
    _Index,
)
from orders.allocation.model import (
    LP_AGGREGATE_MIN_PAIRS,
    RELAXABLE,
    TIE_BREAK,
    _Model,
)
from orders.allocation.parse import (
    normalise_label,
    parse_instance,
)
from orders.allocation.solution import (
    _build_solution,
    check_solution,
)
from orders.allocation.solve import (
    BRANCH_MAX_PAIRS,
    CONSTRUCTION_ROUNDS,
    CONSTRUCTION_SHARE,
    HARD_MARGIN_S,
    LP_MAX_PAIRS,
    TIME_MARGIN,
    _layout,
    solve,
)

__all__ = [
    "BRANCH_MAX_PAIRS",
    "CONSTRUCTION_ROUNDS",
    "CONSTRUCTION_SHARE",
    "Cancelled",
    "DEFAULT_FAMILY",
    "DEFAULT_SOLVER",
    "Delivery",
    "EGALIM_LABELS",
    "EPS",
    "FAMILIES",
    "FixedLine",
    "HARD_MARGIN_S",
    "Instance",
    "InstanceError",
    "LABEL_ALIASES",
    "LP_AGGREGATE_MIN_PAIRS",
    "LP_MAX_PAIRS",
    "Line",
    "Need",
    "OBJECTIVES",
    "OVER_DELIVERY_SLACK",
    "Offer",
    "Producer",
    "Progress",
    "RELAXABLE",
    "SHARE_NAMES",
    "SOLVERS",
    "Solution",
    "TARGET_KEYS",
    "TIE_BREAK",
    "TIME_MARGIN",
    "Targets",
    "UNITS",
    "Unmet",
    "_Index",
    "_Model",
    "_build_solution",
    "_greedy_packs",
    "_layout",
    "check_solution",
    "diagnose",
    "greedy_allocation",
    "normalise_label",
    "parse_instance",
    "solve",
]
