"""CP-SAT menu planner: pick one dish per component per meal under the GEMRCN rules.

Model: one boolean per (planned meal, candidate dish of that meal's component); exactly one
per slot; per-meal tag indicators feed sliding-window bounds that include the history;
vegetarian meals per ISO week; at most one use of a dish in any run of
`min_meals_between_repeats` meals; optional cost cap per meal. The objective weights
(cost, -local_share, co2e) are scaled to integers.

The catalogue is pruned before modelling: within a class of interchangeable dishes (same
component, same rule-relevant tags, same vegetarian flag) a dish beaten on the objective
(and on cost when a cost cap applies) by 2·spacing−1 others can never be needed — any use of
it can be swapped for one of them that is not served within `spacing` meals. Nor by U +
min(history, spacing−1) others, U bounding the class's uses in the plan (its max rules allow
at most ceil(m / window)·max): one of them is then served nowhere in the plan nor in the
recent history. This keeps 2,300-dish catalogues to a few hundred variables per meal at
most, without losing optimality.

Long horizons (more than 30 meals) are warm-started: the plan is first built 20 meals at a
time, each chunk planned with the previous ones as history, and that compliant plan is the
solution hint of the full model (the LP bound comes early; finding the optimum was the slow
part).

Share targets (``Instance.share_targets``, EGalim and organic shares of the food cost) are
linear constraints over the planned meals, sum (labelled − target·cost)·x >= 0, in exact
integers; an unreachable one is explained with the best share reachable (``targets``).

On infeasibility the model is rebuilt with one assumption literal per rule bound, lock,
vegetarian week, the repeat spacing and the cost cap; CP-SAT's sufficient assumptions,
shrunk by deletion, name a small conflicting set explained in plain French.

    python -m menus.planner INSTANCE.json > SOLUTION.json   # or '-' for stdin

One module per part: ``results``, ``candidates`` (pruning), ``greedy``, ``model`` (CP-SAT),
``evaluation``, ``planning`` (``plan_menus``), ``explanations``, ``targets`` (how far a share
target can go), ``rolling`` (terms and years); the CLI in ``__main__``.
"""

from menus.planner.candidates import meal_tops, prune_catalogue
from menus.planner.evaluation import out_of_season_served
from menus.planner.explanations import explain_infeasibility
from menus.planner.greedy import greedy_plan
from menus.planner.planning import _chunked_plan, plan_menus
from menus.planner.results import SCALE, Conflict, PlanResult

__all__ = [
    "SCALE",
    "Conflict",
    "PlanResult",
    "_chunked_plan",
    "explain_infeasibility",
    "greedy_plan",
    "meal_tops",
    "out_of_season_served",
    "plan_menus",
    "prune_catalogue",
]
