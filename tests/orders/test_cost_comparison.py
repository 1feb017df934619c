"""The allocation against the plain baseline (the cheapest offer per item), in words: a saving
only when both buy the same needs, the price of the targets when the baseline misses them, and
never a negative saving."""

from datetime import date

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from orders.cost_comparison import compare
from orders.models import AllocationRun
from orders.services import request_allocation
from tests.orders.test_support import MONDAY, offer

pytest_plugins = ["tests.orders.test_support"]

SUNDAY = date(2027, 1, 10)


def run(**fields) -> AllocationRun:
    defaults = {
        "status": "optimal",
        "cost": 44.0,
        "baseline_cost": 44.0,
        "gap": 0.0,
        "targets": {},
        "shares": {"bio": 0.0, "egalim": 0.0, "local": 0.0},
        "baseline_shares": {"bio": 0.0, "egalim": 0.0, "local": 0.0, "unmet_needs": []},
        "unmet": [],
    }
    return AllocationRun(**{**defaults, **fields})


def shown(allocation: AllocationRun) -> str:
    with translation.override("fr"):
        html = render_to_string("orders/_run_comparison.html", {"run": allocation})
    return " ".join(html.split())


def test_same_needs_and_targets_show_a_saving_never_a_negative_one():
    cheaper = run(cost=40.0)
    assert cheaper.comparison.kind == "saving" and cheaper.comparison.saving == pytest.approx(4)
    assert "4,00 € HT de moins que le moins cher par article (44,00 € HT)" in shown(cheaper)
    assert run().comparison.kind == "same"
    # Dearer with nothing to show for it (the search stopped early): no saving, no minus sign.
    dearer = run(cost=50.0, status="feasible", gap=0.1)
    assert dearer.comparison.kind == "time_limit" and dearer.comparison.saving is None
    assert "−" not in shown(dearer) and "-6" not in shown(dearer)
    assert "relancez-la" in shown(dearer)


def test_a_baseline_that_leaves_needs_unmet_is_no_comparison():
    short = run(
        cost=44.0,
        baseline_cost=20.8,
        baseline_shares={"bio": 0.0, "unmet_needs": [7, 8], "unmet_quantity": 12.5},
    )
    assert short.comparison.kind == "not_comparable" and short.comparison.baseline_short == 2
    text = shown(short)
    assert "(20,80 € HT) laisserait 2 besoins non couverts que cette répartition achète" in text
    assert "de moins" not in text
    # A need the allocation itself leaves unmet, that the baseline does not buy either: fine.
    both = run(
        cost=40.0,
        unmet=[{"need": 7, "quantity": 3.0}],
        baseline_shares={"unmet_needs": [7]},
    )
    assert both.comparison.kind == "saving"
    # Under a producer's minimum order: the baseline is not a purchase one could place.
    under = run(cost=44.0, baseline_cost=30.0, baseline_shares={"under_minimum": 1})
    assert "(30,00 € HT) passerait 1 commande sous le minimum de son producteur" in shown(under)


def test_a_baseline_that_misses_a_target_says_so_and_the_extra_is_its_price():
    organic = run(
        cost=48.0,
        baseline_cost=44.0,
        targets={"bio_min_share": 0.2},
        shares={"bio": 0.25},
        baseline_shares={"bio": 0.12, "unmet_needs": []},
    )
    comparison = organic.comparison
    assert comparison.kind == "targets_price" and comparison.extra == pytest.approx(4)
    text = shown(organic)
    assert "Le moins cher par article ne respecte pas l’objectif bio de 20 % (12 %)" in text
    assert "les 4,00 € HT de plus sont le prix des objectifs" in text
    # The baseline meeting the target too: no sentence about it.
    met = compare(
        cost=44,
        baseline_cost=44,
        goal="min_cost",
        targets={"bio_min_share": 0.2},
        shares={"bio": 0.3},
        baseline_shares={"bio": 0.2, "unmet_needs": []},
        unmet=[],
    )
    assert met.missed == () and met.kind == "same"


def test_the_cheapest_per_item_is_bought_and_compared_end_to_end(
    world, planned, foods, django_capture_on_commit_callbacks
):
    """Organic carrots at 1.20 € from the farm, plain ones at 1.00 € from a wholesaler: with a
    30 % organic target the baseline buys the plain ones and misses it."""
    from orders.needs import compute_needs
    from tests.factories import ProducerFactory

    world.producer.delivery_weekdays = [0, 4]
    world.producer.save()
    wholesaler = ProducerFactory(
        name="Grossiste", commune=world.other_producer.commune, delivery_weekdays=[0]
    )
    offer(world.producer, foods["carrot"], price="1.20", pack="5", labels=["BIO"])
    offer(wholesaler, foods["carrot"], price="1.00", pack="5")
    offer(wholesaler, foods["rice"], price="2.00", pack="5")
    compute_needs(kitchen=planned, start=MONDAY, end=SUNDAY)
    with django_capture_on_commit_callbacks(execute=True):
        made = request_allocation(
            canteen=planned,
            start=MONDAY,
            end=SUNDAY,
            targets={"bio_min_share": 0.3},
            actor=world.users["cook"],
        )
    made.refresh_from_db()
    assert made.status == "optimal" and made.shares["bio"] >= 0.3
    assert made.baseline_shares["bio"] == 0 and made.baseline_shares["unmet_needs"] == []
    comparison = made.comparison
    assert comparison.kind == "targets_price" and comparison.extra > 0
    assert "ne respecte pas l’objectif bio de 30 %" in shown(made)
