"""The menu calendar: the cook plans, the dietitian and the manager read.

Every edit answers with the re-rendered calendar (menus and compliance together), so what
the cook sees always comes from one read of the database.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cantine import solver_runs
from cantine.dates import week_start
from cantine.models import Canteen, Role
from cantine.refusals import Refused
from cantine.roles import kitchen_for, may_act, role_required
from cantine.selectors import kitchens_of
from cantine.uploads import max_body
from menus import horizons, scdl, selectors, services, variety
from menus.catalogue_cache import cached_catalogue
from menus.closures import days_off
from menus.forms import MAX_SCDL_BYTES, CopyWeekForm, PeriodForm, PlanForm, ScdlImportForm
from menus.instances import family_rules, menu_policy
from menus.models import Closure, Meal, MealDish, PlanRun
from menus.pdf import weekly_menu_pdf
from nutrition.models import Component, Dish
from nutrition.selectors import rule_set_for

READERS = (Role.COOK, Role.DIETITIAN, Role.MANAGER)
DEFAULT_WEEKS = 4


def _planning_canteen(user, pk, *roles, write=False) -> Canteen:
    """The kitchen that plans menus; a satellite's staff read its kitchen's menus, only the
    kitchen's own staff change them (``cantine.roles.kitchen_for``)."""
    return kitchen_for(user, pk, *roles, write=write, served=True)


def _period(request) -> tuple[date, int]:
    """The weeks asked (``?start=&weeks=``); a date out of range or a wrong number of weeks
    is refused with its reason (``cantine.refusals``), never guessed."""
    form = PeriodForm(request.GET or request.POST or None)
    if form.is_bound and not form.is_valid():
        raise Refused.from_form(form)
    data = form.cleaned_data if form.is_bound else {}
    start = data.get("start") or timezone.localdate()
    return week_start(start), data.get("weeks") or DEFAULT_WEEKS


def _calendar_context(request, canteen: Canteen, start: date, weeks: int) -> dict:
    end = start + timedelta(days=7 * weeks - 1)
    off = days_off(canteen, week_start(start), end)  # for the weeks shown and the days to open
    weeks_data = selectors.calendar(canteen, start, weeks, off)
    rule_set = rule_set_for(canteen)
    report = None
    if rule_set:
        # The kitchen's catalogue and the served meals are read once for both checks.
        dishes = cached_catalogue(canteen)
        period = selectors.served_period(canteen, start, end, rule_set)
        report = selectors.compliance(canteen, start, end, rule_set, dishes, period)
        selectors.mark_problems(weeks_data, report)
        selectors.mark_variety(
            weeks_data, selectors.variety_failures(canteen, start, end, rule_set, dishes, period)
        )
    can_edit = may_act(request.user, canteen, Role.COOK, write=True)
    return {
        "canteen": canteen,
        "start": start,
        "end": end,
        "weeks_count": weeks,
        "weeks": weeks_data,
        "components": Component.choices,
        "closures": Closure.choices,
        "rule_set": rule_set,
        "report": report,
        "can_edit": can_edit,
        "plan_form": PlanForm(initial={"start": start, "weeks": weeks}) if can_edit else None,
        "unopened": services.days_without_meal(canteen, start, end, off) if can_edit else 0,
        "run": selectors.latest_run(canteen, start, end),
        "shortages": _shortages(canteen, start, end) if can_edit else [],
        "kitchens": kitchens_of(request.user, *READERS),
        "previous_start": start - timedelta(days=7 * weeks),
        "next_start": start + timedelta(days=7 * weeks),
    }


def _shortages(canteen: Canteen, start: date, end: date) -> list:
    """Products a producer refused and nobody else can supply, with the one-click menu
    repair: the buying side answers ``services.shortages_asked`` (menus never import it)."""
    answers = services.shortages_asked.send(sender=Canteen, canteen=canteen, start=start, end=end)
    return [shortage for _receiver, found in answers for shortage in found]


def _render_calendar(request, canteen, start, weeks, status=200):
    template = "menus/calendar.html"
    if request.htmx:
        template += "#calendar"
    context = _calendar_context(request, canteen, start, weeks)
    return render(request, template, context, status=status)


@role_required(*READERS)
def menu_index(request):
    """Open the menus of the first kitchen the user plans for."""
    kitchens = kitchens_of(request.user, *READERS)
    if not kitchens:
        return render(request, "menus/no_canteen.html")
    url = reverse("menu_calendar", kwargs={"pk": kitchens[0].pk})
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


@role_required(*READERS)
def calendar(request, pk):
    """The weeks' menus. Reading them writes nothing; the cook's POST opens the period's
    service days (creates their meals) so that dishes can be chosen on them."""
    if request.method == "POST":
        return _open_period(request, pk)
    canteen = _planning_canteen(request.user, pk, *READERS)
    if canteen.pk != pk:
        return redirect("menu_calendar", pk=canteen.pk)
    start, weeks = _period(request)
    return _render_calendar(request, canteen, start, weeks)


def _open_period(request, pk):
    canteen = _planning_canteen(request.user, pk, Role.COOK, write=True)
    start, weeks = _period(request)
    services.ensure_meals(canteen=canteen, start=start, end=start + timedelta(days=7 * weeks - 1))
    url = reverse("menu_calendar", kwargs={"pk": canteen.pk})
    return redirect(f"{url}?start={start:%Y-%m-%d}&weeks={weeks}")


def _meal(user, meal_pk) -> Meal:
    meal = get_object_or_404(Meal.objects.select_related("canteen"), pk=meal_pk)
    kitchen_for(user, meal.canteen_id, Role.COOK, write=True, served=True)
    return meal


@role_required(Role.COOK)
def course_picker(request, meal_pk, component):
    """The dish search shown in a calendar cell (HTMX fragment)."""
    meal = _meal(request.user, meal_pk)
    if component not in Component.values:
        raise Http404
    dishes = selectors.dish_choices(meal.canteen, component, request.GET.get("q", ""))
    return render(
        request,
        "menus/_course_picker.html",
        {"meal": meal, "component": component, "dishes": dishes, "q": request.GET.get("q", "")},
    )


@require_POST
@role_required(Role.COOK)
def set_course(request, meal_pk, component):
    meal = _meal(request.user, meal_pk)
    if component not in Component.values:
        raise Http404
    dish = None
    if request.POST.get("dish"):
        dish = Dish.objects.filter(pk=request.POST["dish"], kitchen=meal.canteen).first()
        if dish is None:
            raise Http404
    status = 200
    try:
        services.set_course(meal=meal, component=component, dish=dish)
    except ValidationError:
        status = 400  # a dish of another course: nothing changed, the calendar says so
    start, weeks = _period(request)
    return _render_calendar(request, meal.canteen, start, weeks, status=status)


@require_POST
@role_required(Role.COOK)
def toggle_lock(request, meal_pk, component):
    meal = _meal(request.user, meal_pk)
    try:
        services.toggle_lock(meal=meal, component=component)
    except MealDish.DoesNotExist:
        raise Http404 from None
    start, weeks = _period(request)
    return _render_calendar(request, meal.canteen, start, weeks)


@require_POST
@role_required(Role.COOK)
def toggle_closed(request, meal_pk):
    meal = _meal(request.user, meal_pk)
    # An unknown closure reason is a ValidationError: the refusal fragment answers it.
    services.set_closed(meal=meal, closed=not meal.closed, closure=request.POST.get("closure", ""))
    start, weeks = _period(request)
    return _render_calendar(request, meal.canteen, start, weeks)


@require_POST
@role_required(Role.COOK)
def copy_week(request, pk):
    canteen = _planning_canteen(request.user, pk, Role.COOK, write=True)
    form = CopyWeekForm(request.POST)
    start, weeks = _period(request)
    if form.is_valid():
        services.copy_week(  # a refused copy (ValidationError) is the refusal fragment's
            canteen=canteen,
            source_monday=form.cleaned_data["source"],
            target_monday=form.cleaned_data["target"],
        )
        return _render_calendar(request, canteen, start, weeks)
    raise Refused.from_form(form)


@require_POST
@role_required(Role.COOK)
def start_plan(request, pk):
    canteen = _planning_canteen(request.user, pk, Role.COOK, write=True)
    form = PlanForm(request.POST)
    if not form.is_valid():
        raise Refused([_("The planning request is incomplete."), *Refused.from_form(form).problems])
    rule_set = rule_set_for(canteen)
    if rule_set is None:
        raise Refused(_("Ask the dietitian to choose this canteen's rule set."))
    start, end = form.period()
    # A term or a school year from the weeks shown (a calendar that says nothing is refused).
    end = horizons.horizon_end(canteen, start, form.cleaned_data["horizon"], end)
    try:
        run = services.request_plan(
            canteen=canteen,
            start=start,
            end=end,
            preset=form.cleaned_data["preset"],
            keep_existing=form.cleaned_data["keep_existing"],
            rule_set=rule_set,
            actor=request.user,
            max_cost_per_meal=form.cleaned_data["max_cost_per_meal"],
            aim_shares=form.cleaned_data["aim_shares"],
        )
    except solver_runs.AlreadyRunning as running:
        run = running.run
    run.refresh_from_db()  # an immediate task backend may have solved it already
    context = {"run": run, "canteen": canteen, "can_edit": True}
    response = render(request, "menus/_plan_status.html", context)
    if not run.is_active:
        response["HX-Trigger"] = "menusChanged"
    return response


@role_required(*READERS)
def plan_status(request, run_pk):
    run = get_object_or_404(PlanRun.objects.select_related("canteen"), pk=run_pk)
    kitchen_for(request.user, run.canteen_id, *READERS, served=True)
    run = solver_runs.fresh(run)  # a run whose worker died reads as failed, to try again
    can_edit = may_act(request.user, run.canteen, Role.COOK, write=True)
    context = {"run": run, "canteen": run.canteen, "can_edit": can_edit}
    response = render(request, "menus/_plan_status.html", context)
    if not run.is_active and request.GET.get("was_active"):
        response["HX-Trigger"] = "menusChanged"  # the calendar reloads itself once
    return response


@require_POST
@role_required(Role.COOK)
def retry_plan(request, run_pk):
    """Try a failed run again (its worker died, the queue was down): same period, same goal."""
    run = get_object_or_404(PlanRun.objects.select_related("canteen"), pk=run_pk)
    canteen = _planning_canteen(request.user, run.canteen_id, Role.COOK, write=True)
    try:
        run = solver_runs.retry(run, services.solve_plan_run)
    except solver_runs.AlreadyRunning as running:
        run = running.run
    run.refresh_from_db()  # an immediate task backend may have solved it already
    context = {"run": run, "canteen": canteen, "can_edit": True}
    response = render(request, "menus/_plan_status.html", context)
    if not run.is_active:
        response["HX-Trigger"] = "menusChanged"
    return response


@role_required(*READERS)
def weekly_pdf(request, pk):
    """The week's menu for families, as a printable PDF."""
    canteen = _planning_canteen(request.user, pk, *READERS)
    start, _weeks = _period(request)
    week = selectors.calendar(canteen, start, 1)[0]
    response = HttpResponse(weekly_menu_pdf(canteen.name, week), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="menus-{start:%Y-%m-%d}.pdf"'
    return response


def _variety_and_seasons(canteen, start, weeks, rule_set, dishes=None, period=None) -> dict:
    """The variety rules with their failures, and the dishes served out of season."""
    end = start + timedelta(days=7 * weeks - 1)
    failures = (
        selectors.variety_failures(canteen, start, end, rule_set, dishes, period)
        if rule_set
        else []
    )
    rules = list(rule_set.variety_rules.all()) if rule_set else []
    return {
        "variety_rules": [
            (
                rule,
                variety.rule_text(family_rules(rule_set)[index]),
                [f for f in failures if f.rule.id == rule.code],
            )
            for index, rule in enumerate(rules)
        ],
        "out_of_season": selectors.out_of_season_served(selectors.calendar(canteen, start, weeks)),
        "season_policy": menu_policy(rule_set) if rule_set else None,
    }


@role_required(*READERS)
def compliance_report(request, pk):
    """Each rule over every window of the period, with the meals that count: the dietitian's check."""
    canteen = _planning_canteen(request.user, pk, *READERS)
    if canteen.pk != pk:
        return redirect("menu_compliance", pk=canteen.pk)
    start, weeks = _period(request)
    end = start + timedelta(days=7 * weeks - 1)
    rule_set = rule_set_for(canteen)
    dishes = cached_catalogue(canteen) if rule_set else None
    period = selectors.served_period(canteen, start, end, rule_set) if rule_set else None
    report = (
        selectors.compliance(canteen, start, end, rule_set, dishes, period) if rule_set else None
    )
    return render(
        request,
        "menus/compliance.html",
        {
            "canteen": canteen,
            "start": start,
            "end": end,
            "weeks_count": weeks,
            "rule_set": rule_set,
            "report": report,
            "repeat_lines": [r.describe(report.dishes) for r in report.repeats] if report else [],
            "nutrients": selectors.nutrient_check(canteen, start, end, rule_set)
            if rule_set
            else [],
            **_variety_and_seasons(canteen, start, weeks, rule_set, dishes, period),
            "previous_start": start - timedelta(days=7 * weeks),
            "next_start": start + timedelta(days=7 * weeks),
        },
    )


@role_required(*READERS)
def scdl_export(request, pk):
    """The period's menus as an SCDL "menus collectifs" CSV, to publish as open data."""
    canteen = _planning_canteen(request.user, pk, *READERS)
    start, weeks = _period(request)
    end = start + timedelta(days=7 * weeks - 1)
    # From a satellite's page, that restaurant's menus; from the kitchen's, every restaurant's.
    restaurant = None if canteen.pk == pk else Canteen.objects.select_related("commune").get(pk=pk)
    response = HttpResponse(
        scdl.export_menus(canteen, start, end, restaurant=restaurant),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="menus-{start:%Y-%m-%d}.csv"'
    return response


@max_body(MAX_SCDL_BYTES)
@role_required(Role.COOK)
def scdl_import(request, pk):
    """Bring past menus in from an SCDL CSV: all rows or none, each problem with its line."""
    canteen = _planning_canteen(request.user, pk, Role.COOK, write=True)
    form = ScdlImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = scdl.import_menus(canteen=canteen, text=form.cleaned_data["text"])
    status = 400 if (form.errors or (report and not report.ok)) else 200
    return render(
        request,
        "menus/scdl_import.html",
        {"canteen": canteen, "form": form, "report": report},
        status=status,
    )


@require_POST
@role_required(Role.COOK)
def release_conflict_locks(request, run_pk, index):
    """Relax one conflict by unlocking the dishes it names; the calendar then reloads."""
    run = get_object_or_404(PlanRun.objects.select_related("canteen"), pk=run_pk)
    kitchen_for(request.user, run.canteen_id, Role.COOK, write=True, served=True)
    if index >= len(run.conflicts):
        raise Http404
    count = services.release_locks(canteen=run.canteen, locks=run.conflicts[index]["locks"])
    response = HttpResponse(
        ngettext("%(count)s dish freed: plan again.", "%(count)s dishes freed: plan again.", count)
        % {"count": count}
    )
    response["HX-Trigger"] = "menusChanged"
    return response
