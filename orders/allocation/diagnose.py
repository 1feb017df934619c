"""Explaining infeasibility: which targets, capacities and minimum orders cannot hold together."""

from __future__ import annotations

from orders.allocation.contract import EPS, Instance
from orders.allocation.index import _Index
from orders.allocation.model import _active_families, _Model


def diagnose(inst: Instance, idx: _Index | None = None, seconds: float = 10.0) -> list[dict]:
    """Find a small set of requirement families that cannot hold together (deletion filter:
    relax one family at a time, keep it relaxed when the rest stays infeasible), then say why
    in a buyer's words. Covering every need (when unmet needs are forbidden) is held as the
    background and only blamed when nothing else explains the conflict."""
    idx = idx or _Index(inst)
    active = _active_families(inst)
    background = [f for f in active if f == "coverage"]
    soft = [f for f in active if f != "coverage"]
    per_check = max(0.5, min(3.0, seconds / (len(active) + 2)))

    def infeasible(kept: list[str]) -> bool:
        model = _Model(inst, idx, relax=set(active) - set(kept), feasibility_only=True)
        return model.solve(per_check, 1.0) == "infeasible"

    if infeasible(background):
        if background and not infeasible([]):
            return _explain(inst, idx, background)
        return [
            {
                "rules": ["fixed_lines", "capacity"],
                "why": "les lignes déjà confirmées dépassent les capacités ou les besoins : "
                "impossible même sans objectifs ni minimums",
            }
        ]
    core = list(soft)
    for family in list(core):
        trial = [f for f in core if f != family]
        if infeasible(background + trial):
            core = trial
    return _explain(inst, idx, core)


def _pct(share: float) -> str:
    return f"{share * 100:.0f} %"


SHARE_NAMES = {"bio": "bio", "egalim": "EGalim", "local": "local"}


def _explain(inst: Instance, idx: _Index, core: list[str]) -> list[dict]:
    phrases = [_phrase(inst, idx, family) for family in core]
    conflicts = []
    if len(core) == 1:
        conflicts.append({"rules": core, "why": phrases[0]})
    elif core:
        conflicts.append(
            {
                "rules": core,
                "why": "ces exigences ne peuvent pas être tenues ensemble : " + " ; ".join(phrases),
            }
        )
    if "coverage" in core:
        conflicts += _short_needs(inst, idx)
    return conflicts


def _phrase(inst: Instance, idx: _Index, family: str) -> str:
    if family in SHARE_NAMES:
        target = getattr(inst.targets, f"{family}_min_share")
        name = SHARE_NAMES[family]
        best = _share_estimate(inst, idx, family)
        if best < target:
            return (
                f"objectif {name} {_pct(target)} impossible : l'offre {name} disponible ne "
                f"couvre au mieux qu'environ {_pct(best)} de la valeur des besoins"
            )
        return (
            f"objectif {name} {_pct(target)} (l'offre {name} pourrait couvrir jusqu'à "
            f"environ {_pct(best)} de la valeur, mais pas avec les autres exigences)"
        )
    if family == "coverage":
        return "tous les besoins doivent être couverts (besoins non couverts interdits)"
    if family == "max_share":
        single = sorted(
            {
                inst.needs[n].product
                for n in range(len(inst.needs))
                if len({inst.offers[idx.pairs[i][1]].producer for i in idx.need_pairs[n]}) == 1
            }
        )
        text = f"part maximale de {_pct(inst.max_share_per_producer)} par producteur"
        if single:
            text += (
                " alors que "
                + ", ".join(f"« {p} »" for p in single[:3])
                + " n'est proposé que par un seul producteur"
            )
        return text
    if family == "budget":
        return (
            f"budget de {inst.budget:.2f} € trop faible pour couvrir les besoins avec les "
            f"autres exigences"
        )
    return (
        "minimums de commande des producteurs : certaines commandes resteraient sous le "
        "minimum exigé pour une livraison"
    )


def _share_estimate(inst: Instance, idx: _Index, family: str) -> float:
    """Optimistic share of value the labelled offers could reach: each need bought from them
    as far as their capacity goes, at their dearest price, the rest at the cheapest other."""
    good = rest = 0.0
    for n, need in enumerate(inst.needs):
        yes, no = [], []
        for i in idx.need_pairs[n]:
            o = idx.pairs[i][1]
            offer = inst.offers[o]
            counts = {
                "bio": offer.is_bio,
                "egalim": offer.is_egalim,
                "local": idx.producer[offer.producer].local,
            }[family]
            (yes if counts else no).append(o)
        q_yes = min(need.quantity, sum(idx.capacity(o) for o in yes))
        if yes:
            good += q_yes * max(inst.offers[o].unit_price for o in yes)
        if no:
            rest += (need.quantity - q_yes) * min(inst.offers[o].unit_price for o in no)
    return good / (good + rest) if good + rest > 0 else 0.0


def _short_needs(inst: Instance, idx: _Index) -> list[dict]:
    """Needs that no combination of offers can cover on their own, in words."""
    out = []
    for n, need in enumerate(inst.needs):
        unit = need.unit or ""
        label = (
            f"besoin {need.id} ({need.product}, {need.quantity:g} {unit} le "
            f"{need.delivery_date})".replace("  ", " ")
        )
        if not idx.need_pairs[n]:
            out.append(
                {
                    "rules": ["coverage", f"need:{need.id}"],
                    "why": f"{label} : aucune offre de « {need.product} » livrable ce jour-là",
                }
            )
            continue
        cap = sum(idx.capacity(idx.pairs[i][1]) for i in idx.need_pairs[n])
        if cap < need.quantity - EPS:
            out.append(
                {
                    "rules": ["coverage", f"need:{need.id}"],
                    "why": f"{label} : les offres compatibles ne peuvent livrer que "
                    f"{cap:g} {unit}".rstrip(),
                }
            )
    return out[:20]
