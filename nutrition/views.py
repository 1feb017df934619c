"""The dietitian's pages: dishes with live tags, rule sets with history. Cooks read them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cantine.models import Role
from cantine.roles import canteens_for, has_role, role_required
from nutrition import selectors, services
from nutrition.forms import (
    AssignRuleSetForm,
    DishFilterForm,
    DishForm,
    IngredientForm,
    NutrientBoundsForm,
    RuleFormSet,
    RuleSetCopyForm,
    RuleSetSettingsForm,
    TagOverrideForm,
    ingredient_formset,
)
from nutrition.models import NUTRIENT_KEYS, Dish, FrequencyRule, RuleSet

READERS = (Role.COOK, Role.DIETITIAN)
EDITOR = Role.DIETITIAN


def _dish_or_404(user, pk, *roles, write=False) -> Dish:
    if not str(pk).isdigit():
        raise Http404
    try:
        return selectors.dish_detail(user, pk, *roles, write=write)
    except Dish.DoesNotExist as exc:
        raise Http404 from exc


def _rule_set_or_404(user, pk) -> RuleSet:
    try:
        return selectors.rule_set_detail(user, pk)
    except RuleSet.DoesNotExist as exc:
        raise Http404 from exc


# --- dishes -----------------------------------------------------------------------------------


@role_required(*READERS)
def dish_list(request):
    form = DishFilterForm(request.GET or None)
    dishes = selectors.dish_list(request.user, **form.filters())
    page = Paginator(dishes, 50).get_page(request.GET.get("page"))
    template = "nutrition/dish_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "can_edit": selectors.kitchens_for(request.user, EDITOR, write=True).exists(),
        },
    )


@role_required(*READERS)
def dish_detail(request, pk):
    dish = _dish_or_404(request.user, pk)
    ingredients = list(dish.ingredients.select_related("food", "served_food"))
    analysis = services.analyse(dish.component, ingredients, dish.vegetarian_declared, dish.name)
    return render(
        request,
        "nutrition/dish_detail.html",
        {
            "dish": dish,
            "ingredients": ingredients,
            "analysis": analysis,
            "nutrient_rows": _nutrient_rows(analysis),
            "tags": sorted(dish.tag_rows.all(), key=lambda row: row.tag),
            "overrides": dish.overrides.all(),
            "can_edit": selectors.visible_dishes(request.user, EDITOR, write=True)
            .filter(pk=pk)
            .exists(),
        },
    )


def _nutrient_rows(analysis):
    totals = analysis.nutrient_map
    return [(key, totals[key]) for key in NUTRIENT_KEYS if key in totals]


def _bind_editor(request, dish: Dish | None):
    kitchens = selectors.kitchens_for(request.user, EDITOR, write=True).order_by("name")
    rows = dish.ingredients.select_related("food", "served_food") if dish else []
    initial_rows = [IngredientForm.initial_for(i) for i in rows]
    data = request.POST if request.method == "POST" else None
    if data is not None and "more_rows" in data:
        data = data.copy()
        total = data.get("ingredients-TOTAL_FORMS", "0")
        data["ingredients-TOTAL_FORMS"] = str(min(int(total) + 3, 60) if total.isdigit() else 3)
    form = DishForm(data, instance=dish, kitchens=kitchens)
    extra = 2 if initial_rows else 4
    formset = ingredient_formset(extra)(data, initial=initial_rows, prefix="ingredients")
    return form, formset


def _editor(request, dish: Dish | None):
    form, formset = _bind_editor(request, dish)
    more_rows = "more_rows" in request.POST
    if request.method == "POST" and not more_rows and form.is_valid() and formset.is_valid():
        try:
            saved = services.save_dish(
                kitchen=form.cleaned_data["kitchen"],
                fields=form.cleaned_data,
                ingredients=formset.ingredients(),
                dish=dish,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Dish saved, tags recomputed."))
            return redirect("dish_detail", pk=saved.pk)
    analysis = _preview_analysis(form, formset) if request.method == "POST" else None
    if dish is not None and analysis is None:
        ingredients = list(dish.ingredients.select_related("food", "served_food"))
        analysis = services.analyse(
            dish.component, ingredients, dish.vegetarian_declared, dish.name
        )
    return render(
        request,
        "nutrition/dish_form.html",
        {
            "dish": dish,
            "form": form,
            "formset": formset,
            "analysis": analysis,
            "nutrient_rows": _nutrient_rows(analysis) if analysis else [],
        },
        status=400 if request.method == "POST" and not more_rows else 200,
    )


@role_required(EDITOR)
def dish_create(request):
    if not selectors.kitchens_for(request.user, EDITOR, write=True).exists():
        raise PermissionDenied
    return _editor(request, None)


@role_required(EDITOR)
def dish_edit(request, pk):
    return _editor(request, _dish_or_404(request.user, pk, EDITOR, write=True))


def _preview_analysis(form, formset):
    """Analyse whatever parts of the posted recipe are valid; nothing is saved."""
    form.is_valid()
    formset.is_valid()
    component = form.cleaned_data.get("component") if hasattr(form, "cleaned_data") else None
    rows = [
        data.as_model()
        for data in [
            f.as_data()
            for f in formset.forms
            if f.is_valid() and f.cleaned_data.get("food") and not f.cleaned_data.get("DELETE")
        ]
    ]
    if not component:
        return None
    declared = form.cleaned_data.get("vegetarian_declared")
    return services.analyse(component, rows, declared, form.cleaned_data.get("name", ""))


@require_POST
@role_required(EDITOR)
def dish_preview(request):
    """The live panel: per-portion nutrients, CO2e and tags of the recipe being typed."""
    dish = None
    if request.POST.get("dish"):
        dish = _dish_or_404(request.user, request.POST["dish"], EDITOR, write=True)
    form, formset = _bind_editor(request, dish)
    analysis = _preview_analysis(form, formset)
    return render(
        request,
        "nutrition/dish_form.html#preview",
        {
            "form": form,
            "formset": formset,
            "analysis": analysis,
            "nutrient_rows": _nutrient_rows(analysis) if analysis else [],
        },
    )


@role_required(EDITOR)
def dish_override(request, pk):
    dish = _dish_or_404(request.user, pk, EDITOR, write=True)
    form = TagOverrideForm(request.POST or None, initial={"tag": request.GET.get("tag")})
    if request.method == "POST" and form.is_valid():
        try:
            services.override_tag(
                dish=dish,
                tag=form.cleaned_data["tag"],
                value=form.decision(),
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("dish_detail", pk=dish.pk)
    return render(
        request,
        "nutrition/tag_override_form.html",
        {"dish": dish, "form": form, "tags": sorted(dish.tag_rows.all(), key=lambda r: r.tag)},
        status=400 if form.errors else 200,
    )


@require_GET
@role_required(EDITOR)
def food_search(request):
    """Options for the ingredient autocomplete (a <datalist>)."""
    query = request.GET.get("q") or next(
        (v for k, v in request.GET.items() if k.endswith("-food")), ""
    )
    return render(
        request, "nutrition/food_options.html", {"foods": selectors.food_search(query, 30)}
    )


# --- rule sets --------------------------------------------------------------------------------


@role_required(*READERS)
def rule_set_list(request):
    return render(
        request,
        "nutrition/rule_set_list.html",
        {
            "rule_sets": selectors.rule_set_list(request.user),
            "editable": set(
                selectors.editable_rule_sets(request.user).values_list("pk", flat=True)
            ),
            "is_editor": canteens_for(request.user, EDITOR).exists(),
        },
    )


@role_required(*READERS)
def rule_set_detail(request, pk):
    rule_set = _rule_set_or_404(request.user, pk)
    canteens = canteens_for(request.user, EDITOR).order_by("name")
    return render(
        request,
        "nutrition/rule_set_detail.html",
        {
            "rule_set": rule_set,
            "rules": rule_set.rules.all(),
            "can_edit": selectors.editable_rule_sets(request.user).filter(pk=pk).exists(),
            "is_editor": canteens.exists(),
            "assign_form": AssignRuleSetForm(canteens=canteens) if canteens.exists() else None,
            "assignments": rule_set.assignments.select_related("canteen"),
        },
    )


@role_required(EDITOR)
def rule_set_edit(request, pk):
    rule_set = _rule_set_or_404(request.user, pk)
    if not selectors.editable_rule_sets(request.user).filter(pk=pk).exists():
        raise PermissionDenied  # a preset or another kitchen's set: copy it first
    data = request.POST if request.method == "POST" else None
    form = RuleSetSettingsForm(data, instance=rule_set, prefix="settings")
    rules = FrequencyRule.objects.filter(rule_set=rule_set).order_by("position", "pk")
    formset = RuleFormSet(data, queryset=rules, prefix="rules")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        changed_rules, removed = formset.changes()
        settings = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            changes = services.update_rule_set(
                rule_set=RuleSet.objects.get(pk=pk),
                actor=request.user,
                settings=settings,
                rules=changed_rules,
                removed=removed,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changes:
                messages.success(
                    request, _("Rule set saved: %(n)d change(s) recorded.") % {"n": len(changes)}
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("rule_set_detail", pk=pk)
    return render(
        request,
        "nutrition/rule_set_form.html",
        {"rule_set": rule_set, "form": form, "formset": formset},
        status=400 if request.method == "POST" else 200,
    )


@role_required(EDITOR)
def rule_set_copy(request, pk):
    source = _rule_set_or_404(request.user, pk)
    kitchens = selectors.kitchens_for(request.user, EDITOR, write=True).order_by("name")
    form = RuleSetCopyForm(
        request.POST or None,
        kitchens=kitchens,
        initial={"name": services.unique_copy_name(source.name)},
    )
    if request.method == "POST" and form.is_valid():
        copy = services.copy_rule_set(
            source=source,
            name=form.cleaned_data["name"],
            owner=form.cleaned_data["owner"],
            actor=request.user,
        )
        messages.success(request, _("Copy created: you can now edit it."))
        return redirect("rule_set_edit", pk=copy.pk)
    return render(
        request,
        "nutrition/rule_set_copy.html",
        {"rule_set": source, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(EDITOR)
def rule_set_assign(request, pk):
    rule_set = _rule_set_or_404(request.user, pk)
    form = AssignRuleSetForm(request.POST, canteens=canteens_for(request.user, EDITOR))
    if not form.is_valid():
        messages.error(request, _("Choose one of your canteens."))
        return redirect("rule_set_detail", pk=pk)
    canteen = form.cleaned_data["canteen"]
    if rule_set.owner_id is not None and rule_set.owner_id not in {
        canteen.pk,
        canteen.central_kitchen_id,
    }:
        messages.error(request, _("This rule set belongs to another kitchen: copy it first."))
        return redirect("rule_set_detail", pk=pk)
    services.assign_rule_set(canteen=canteen, rule_set=rule_set, actor=request.user)
    messages.success(
        request, _("%(canteen)s now follows this rule set.") % {"canteen": canteen.name}
    )
    return redirect("rule_set_detail", pk=pk)


@role_required(*READERS)
def rule_set_history(request, pk):
    rule_set = _rule_set_or_404(request.user, pk)
    changes = rule_set.changes.select_related("author")
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(request, "nutrition/rule_set_history.html", {"rule_set": rule_set, "page": page})


@role_required(*READERS)
def rule_set_nutrients(request, pk):
    """Per-meal nutrient bounds by age group (dietitian edits), and the annex II portions."""
    rule_set = _rule_set_or_404(request.user, pk)
    can_edit = (
        has_role(request.user, EDITOR)
        and selectors.editable_rule_sets(request.user).filter(pk=pk).exists()
    )
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = NutrientBoundsForm(request.POST or None, rule_set=rule_set)
    if request.method == "POST" and form.is_valid():
        services.set_nutrient_bounds(rule_set=rule_set, grid=form.grid(), actor=request.user)
        messages.success(request, _("Per-meal bounds saved."))
        return redirect("rule_set_nutrients", pk=pk)
    return render(
        request,
        "nutrition/rule_set_nutrients.html",
        {
            "rule_set": rule_set,
            "form": form,
            "can_edit": can_edit,
            "portions": rule_set.portion_sizes.all(),
        },
        status=400 if form.errors else 200,
    )
