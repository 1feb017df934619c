"""Why no plan exists: a small conflicting set of rules and locks, in words a cook reads."""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from menus import variety
from menus.planner.candidates import _build_slots
from menus.planner.model import _Builder
from menus.planner.results import Conflict
from menus.planner.targets import best_share, reach_text, target_text
from nutrition.compliance import (
    fr_date,
    rule_text,
    tag_label,
)
from nutrition.mealplan import Dish, Instance


def explain_infeasibility(
    instance: Instance, pruned: dict[str, list[Dish]], time_budget: float = 10.0
) -> list[Conflict]:
    """Up to three small conflicting sets of rule bounds / locks / weeks / spacing / cap."""
    deadline = time.perf_counter() + time_budget
    builder = _Builder(instance, _build_slots(instance, pruned, relaxed=True), relaxed=True)
    builder.build()
    labels = {lit.index: lab for lit, lab in builder.assumptions}
    active = [lit for lit, _ in builder.assumptions]
    conflicts: list[Conflict] = []
    while active and len(conflicts) < 3:
        core = _core(builder.model, active, deadline)
        if core is None:
            break
        core = _shrink(builder.model, core, deadline)
        core_labels = _widen(instance, [labels[lit.index] for lit in core])
        conflicts.append(_describe_core(instance, core_labels, pruned, deadline))
        named = set(core_labels)  # each lock and rule is named in one conflict only
        active = [lit for lit in active if labels[lit.index] not in named]
    # The conflicts the locks make on their own come first: they are what the cook changed.
    conflicts.sort(key=lambda c: -len(c.locks))
    if not conflicts:
        conflicts.append(
            Conflict(
                [r.id for r in instance.rules],
                "Aucun menu ne respecte toutes les règles, mais le calcul n'a pas pu isoler "
                "les règles en cause dans le temps imparti.",
            )
        )
    return conflicts


def _solve_with(model: cp_model.CpModel, lits: list, deadline: float):
    model.clear_assumptions()
    model.add_assumptions(lits)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.05, min(2.0, deadline - time.perf_counter()))
    code = solver.solve(model)
    return code, solver


def _core(model: cp_model.CpModel, lits: list, deadline: float) -> list | None:
    """A sufficient subset of `lits` for infeasibility, or None if they are compatible."""
    code, solver = _solve_with(model, lits, deadline)
    if code != cp_model.INFEASIBLE:
        return None
    by_index = {lit.index: lit for lit in lits}
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    return core or list(lits)


def _shrink(model: cp_model.CpModel, core: list, deadline: float) -> list:
    """Deletion filter: drop each literal whose removal keeps the set infeasible."""
    core = list(core)
    i = 0
    while i < len(core) and time.perf_counter() < deadline:
        trial = core[:i] + core[i + 1 :]
        code, solver = _solve_with(model, trial, deadline)
        if code == cp_model.INFEASIBLE:
            kept = set(solver.sufficient_assumptions_for_infeasibility())
            core = [lit for lit in trial if lit.index in kept] or trial
            i = min(i, len(core))
            continue
        i += 1
    return core


def _widen(instance: Instance, labels: list[tuple]) -> list[tuple]:
    """A minimal core of a max rule names only as many locks as break it (3 of 5 locked
    fatty entrées once the history holds 2): add every other lock counting for the same
    rule within a window of them, so the cook sees all the dishes that fight the rule."""
    rules = {r.id: r for r in instance.rules}
    locks = [lab for lab in labels if lab[0] == "lock"]
    wider = list(labels)
    for lab in labels:
        if lab[0] != "rule" or lab[2] != "max" or not locks:
            continue
        rule = rules[lab[1]]
        first = min(m for _, m, _ in locks) - rule.window + 1
        last = max(m for _, m, _ in locks) + rule.window - 1
        for m, meal in enumerate(instance.meals):
            for comp, did in meal.locked.items():
                extra = ("lock", m, comp)
                tagged = rule.tag in instance.dishes[did].effective_tags
                if first <= m <= last and tagged and extra not in wider:
                    wider.append(extra)
    return wider


def _served_in_window(instance: Instance, rule, anchor: list[int]) -> tuple[int, list]:
    """(meals already served in the window of the anchor meals, dates counting for rule)."""
    h = len(instance.history)
    window = instance.history[max(0, h + min(anchor) - rule.window + 1) :]
    days = [
        meal.date
        for meal in window
        if any(rule.tag in instance.dishes[d].effective_tags for d in meal.dishes.values())
    ]
    return len(window), days


def _history_text(instance: Instance, bounds: list[tuple], anchor: list[int]) -> str:
    """What the meals already served bring to the rules of a conflict: they are part of the
    cause, and the cook cannot change them.

    For a max rule, the served meals that count ("et 2 repas déjà servis avec entrée grasse
    (08/01 et 26/01)"); for min rules, how few of them do ("les 19 repas déjà servis juste
    avant n'en comptant que 3 avec poisson et 3 avec viande rouge...").
    """
    if not instance.history:
        return ""
    rules = {r.id: r for r in instance.rules}
    text, few, served = "", [], 0
    for rid, bound in bounds:
        rule = rules[rid]
        served, days = _served_in_window(instance, rule, anchor)
        if bound == "min":
            few.append(f"{len(days) or 'aucun'} avec {tag_label(rule.tag)}")
        elif days:
            dates = _join_fr([fr_date(d) for d in days])
            word = "repas déjà servi" if len(days) == 1 else "repas déjà servis"
            text += f" et {len(days)} {word} avec {tag_label(rule.tag)} ({dates})"
    if few and served:
        text += f", les {served} repas déjà servis juste avant n'en comptant que {_join_fr(few)}"
    return text


def _join_fr(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


def _share_sentence(
    instance: Instance, key: str, pruned: dict[str, list[Dish]], deadline: float
) -> str:
    """ "L'objectif bio de 20 % ne peut pas être atteint avec ces offres : au mieux 14,2 %"
    (the best share under every other constraint of the instance)."""
    best = best_share(instance, pruned, key, deadline)
    text = f"{target_text(key, instance.share_targets[key])} ne peut pas être atteint avec ces "
    text += f"offres{reach_text(best)}"
    return text[0].upper() + text[1:]


def _reach_texts(
    instance: Instance, labels: list[tuple], pruned: dict[str, list[Dish]], deadline: float
) -> str:
    keys = sorted({lab[1] for lab in labels if lab[0] == "share"})
    return "".join(f" {_share_sentence(instance, k, pruned, deadline)}." for k in keys)


def _share_conflict(
    instance: Instance, labels: list[tuple], pruned: dict[str, list[Dish]], deadline: float
) -> Conflict | None:
    """A core of share targets alone: the offers cannot reach them, by how much."""
    keys = sorted({lab[1] for lab in labels if lab[0] == "share"})
    if not keys or any(lab[0] != "share" for lab in labels):
        return None
    why = "; ".join(_share_sentence(instance, key, pruned, deadline) for key in keys)
    why += (
        ". Baissez l'objectif, ou proposez des plats dont plus d'ingrédients sont achetés sous "
        "label."
    )
    return Conflict([], why, [], [f"share:{key}" for key in keys])


def _describe_core(
    instance: Instance,
    labels: list[tuple],
    pruned: dict[str, list[Dish]],
    deadline: float | None = None,
) -> Conflict:
    deadline = time.perf_counter() + 5.0 if deadline is None else deadline
    alone = _share_conflict(instance, labels, pruned, deadline)
    if alone is not None:
        return alone
    rules = {r.id: r for r in instance.rules}
    rule_ids = sorted({lab[1] for lab in labels if lab[0] == "rule"}, key=_natural)
    locks, other, parts = [], [], []
    if rule_ids:
        texts = [f"{rid} ({rule_text(rules[rid])})" for rid in rule_ids]
        word = "La règle" if len(texts) == 1 else "Les règles"
        parts.append(f"{word} {_join_fr(texts)}")
    lock_texts = []
    for lab in sorted(lab for lab in labels if lab[0] == "lock"):
        _, m, comp = lab
        meal = instance.meals[m]
        dish = instance.dishes[meal.locked[comp]]
        locks.append({"date": meal.date.isoformat(), "component": comp, "dish": dish.id})
        lock_texts.append(f"« {dish.name} » le {fr_date(meal.date)}")
    weeks = sorted(lab[1] for lab in labels if lab[0] == "veg")
    for week in weeks:
        other.append(f"vegetarian_per_week:{week}")
        parts.append(
            f"au moins {instance.vegetarian_per_week} repas végétarien(s) la semaine {week}"
        )
    if any(lab[0] == "repeats" for lab in labels):
        other.append("min_meals_between_repeats")
        parts.append(
            f"l'écart d'au moins {instance.min_meals_between_repeats} repas avant de resservir "
            "un plat"
        )
    if any(lab[0] == "cost_cap" for lab in labels):
        other.append("max_cost_per_meal")
        parts.append(f"le coût maximal de {instance.max_cost_per_meal:.2f} € par repas")
    family_rules = {r.id: r for r in instance.family_rules}
    for rid in sorted({lab[1] for lab in labels if lab[0] == "family"}):
        other.append(f"variety:{rid}")
        parts.append(f"la règle de variété {rid} ({variety.rule_text(family_rules[rid])})")
    if any(lab[0] == "season" for lab in labels):
        other.append("season")
        parts.append("les fruits et légumes de saison")
    if any(lab[0] == "supply" for lab in labels):
        other.append("supply")
        parts.append("les plats dont un produit ne peut pas être livré")
    for key in sorted({lab[1] for lab in labels if lab[0] == "share"}):
        other.append(f"share:{key}")
        parts.append(target_text(key, instance.share_targets[key]))
    why = _join_fr(parts) if parts else "Les plats verrouillés"
    many = len(parts) > 1 or len(rule_ids) > 1
    if lock_texts:
        word = "plat verrouillé" if len(lock_texts) == 1 else "plats verrouillés"
        verb = "ne peuvent pas tenir" if many else "ne peut pas tenir"
        why += f" {verb} avec {len(lock_texts)} {word} ({_join_fr(lock_texts)})"
    else:
        why += " ne peuvent pas tenir ensemble" if many else " ne peut pas être respectée"
    # The meals already served fill the first windows: without locks, from the first meal.
    anchor = [lab[1] for lab in labels if lab[0] == "lock"] or [0]
    bounds = sorted({lab[1:] for lab in labels if lab[0] == "rule"}, key=lambda b: _natural(b[0]))
    why += _history_text(instance, bounds, anchor)
    why += "." + _catalogue_hint(instance, [rules[r] for r in rule_ids], pruned)
    why += _reach_texts(instance, labels, pruned, deadline)
    why += (
        " Assouplissez l'une de ces contraintes, déverrouillez un plat ou complétez le catalogue."
    )
    return Conflict(rule_ids, why, locks, other)


def _catalogue_hint(instance: Instance, rules: list, pruned: dict[str, list[Dish]]) -> str:
    """How many catalogue dishes carry each rule's tag: the usual root cause."""
    bits = []
    for rule in rules:
        n = sum(1 for d in instance.dishes.values() if rule.tag in d.effective_tags)
        bits.append(f"{n} plat{'s' if n != 1 else ''} « {tag_label(rule.tag)} »")
    return f" Le catalogue compte {_join_fr(bits)}." if bits else ""


def _natural(rule_id: str):
    head, _, tail = rule_id.rpartition("-")
    return (head, int(tail)) if tail.isdigit() else (rule_id, 0)
