"""Lots: grouping needs by family x territory x period, and awarding each lot to one producer."""

from orders.allocation import Instance, Need, Offer, Producer, solve
from orders.lots import Granularity, award_lots, chart_bars, group_needs

D1, D2 = "2027-01-04", "2027-01-12"  # two different weeks


def needs():
    return (
        Need("N1", "carrot", 10, D1, "kg", "FRUITS_ET_LEGUMES"),
        Need("N2", "leek", 10, D1, "kg", "FRUITS_ET_LEGUMES"),
        Need("N3", "carrot", 10, D2, "kg", "FRUITS_ET_LEGUMES"),
        Need("N4", "milk", 10, D1, "L", "PRODUITS_LAITIERS"),
    )


def test_granularity_sets_how_many_lots():
    counts = {
        g: len(group_needs(needs(), g, "49"))
        for g in (Granularity.FAMILY_PERIOD, Granularity.FAMILY_WEEK, Granularity.PRODUCT_WEEK)
    }
    assert counts == {"family_period": 2, "family_week": 3, "product_week": 4}


def test_a_big_lot_goes_to_the_one_producer_who_sells_everything():
    """Two local farms each sell one vegetable cheaply; a wholesaler sells both, dearer."""
    dates = (D1,)
    instance = Instance(
        needs=needs()[:2],
        producers=(
            Producer("FARM1", local=True),
            Producer("FARM2", local=True),
            Producer("WHOLESALE"),
        ),
        offers=(
            Offer("O1", "FARM1", "carrot", 1.0, 1, delivery_dates=dates, labels=("BIO",)),
            Offer("O2", "FARM2", "leek", 1.0, 1, delivery_dates=dates),
            Offer("O3", "WHOLESALE", "carrot", 1.5, 1, delivery_dates=dates),
            Offer("O4", "WHOLESALE", "leek", 1.5, 1, delivery_dates=dates),
        ),
    )
    fine = award_lots(
        instance, group_needs(instance.needs, Granularity.PRODUCT_WEEK, "49"), "product_week"
    )
    big = award_lots(
        instance, group_needs(instance.needs, Granularity.FAMILY_PERIOD, "49"), "family_period"
    )

    assert (fine.cost, fine.shares["local"], fine.producers) == (20.0, 1.0, 2)
    assert (big.cost, big.shares["local"], big.producers) == (30.0, 0.0, 1)
    assert fine.shares["bio"] == 0.5
    assert solve(instance).cost == fine.cost  # free split: the same as fine lots here
    chart = chart_bars([fine, big])
    assert [bar["percent"] for bar in chart["rows"][0]["bars"]] == [
        100,
        50,
        50,
    ]  # organic counts as EGalim
