"""What every app shares: places of France, canteens, their covers, users and roles."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.local import LocalDefinition, LocalScope, Place
from cantine.validators import validate_siret


class User(AbstractUser):
    """A person who signs in. Roles come from memberships (canteens) or a producer link."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Region(models.Model):
    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    zone = models.CharField(
        _("zone"),
        max_length=5,
        default="metro",
        help_text=_("metro, drom or com: overseas territories have their own EGalim targets."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class Department(models.Model):
    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, models.PROTECT, related_name="departments")

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return f"{self.name} ({self.code})"


class Commune(models.Model):
    """A commune of the COG (official geographic code), keyed by its INSEE code."""

    code = models.CharField(_("INSEE code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=150, db_index=True)
    department = models.ForeignKey(Department, models.PROTECT, related_name="communes")
    postal_codes = models.CharField(_("postal codes"), max_length=200, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self):
        return f"{self.name} ({self.department_id})"


class Territory(models.Model):
    """A named set of communes, e.g. a PAT (projet alimentaire territorial)."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    communes = models.ManyToManyField(Commune, related_name="territories", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("territory (PAT)")
        verbose_name_plural = _("territories (PAT)")

    def __str__(self):
        return self.name


class AgeGroup(models.TextChoices):
    MATERNELLE = "maternelle", _("Nursery school")
    ELEMENTAIRE = "elementaire", _("Primary school")
    COLLEGE_LYCEE = "college_lycee", _("Secondary school")
    ADULT = "adult", _("Adults")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Canteen(models.Model):
    """A place that serves meals: a school, an administrative or health canteen, or a central
    kitchen that cooks and buys for its satellites (the kitchen group: ``kitchen``, ``group``,
    ``in_group_of``). Menus, needs and orders belong to the kitchen that plans them; covers,
    purchases and the EGalim shares to each canteen, summed over the group where it buys."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School canteen")
        ADMINISTRATIVE = "administrative", _("Administrative canteen")
        HEALTH = "health", _("Health or care home")
        CENTRAL_KITCHEN = "central_kitchen", _("Central kitchen")
        SATELLITE = "satellite", _("Satellite")

    name = models.CharField(_("name"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True, validators=[validate_siret])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    central_kitchen = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="satellites",
        limit_choices_to={"kind": Kind.CENTRAL_KITCHEN},
        verbose_name=_("central kitchen"),
        help_text=_("For a satellite: the kitchen that cooks and buys for it."),
    )
    commune = models.ForeignKey(Commune, models.PROTECT, related_name="canteens")
    address = models.CharField(_("address"), max_length=250, blank=True)
    delivery_window = models.CharField(
        _("delivery hours"),
        max_length=120,
        blank=True,
        help_text=_("When producers may deliver, e.g. “Monday to Friday, 7:00–9:30”."),
    )
    phone = models.CharField(
        _("phone"), max_length=30, blank=True, help_text=_("The kitchen's phone, for producers.")
    )
    service_code = models.CharField(
        _("Chorus Pro service code"),
        max_length=100,
        blank=True,
        help_text=_("The buyer's service that receives invoices (e-invoicing, Chorus Pro)."),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    local_scope = models.CharField(
        _("local means"),
        max_length=12,
        choices=[
            (LocalScope.DEPARTEMENT.value, _("same department")),
            (LocalScope.REGION.value, _("same region")),
            (LocalScope.COMMUNE.value, _("same commune")),
            (LocalScope.KM.value, _("within a radius")),
            (LocalScope.PAT.value, _("within a territory (PAT)")),
        ],
        default=LocalScope.DEPARTEMENT.value,
    )
    local_radius_km = models.PositiveIntegerField(
        _("radius (km)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    local_territory = models.ForeignKey(
        Territory,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="canteens",
        verbose_name=_("territory (PAT)"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("canteen")
        verbose_name_plural = _("canteens")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(local_scope="KM") | models.Q(local_radius_km__isnull=False),
                name="canteen_radius_required_for_km",
            ),
            models.CheckConstraint(
                condition=~models.Q(local_scope="PAT") | models.Q(local_territory__isnull=False),
                name="canteen_territory_required_for_pat",
            ),
        ]

    def __str__(self):
        return self.name

    # --- the kitchen group: a central kitchen and the satellites it cooks and buys for -------
    # The one place that says who belongs to a kitchen's group; needs, covers, shares and
    # menus read it instead of re-deriving it.

    @property
    def kitchen(self) -> "Canteen":
        """The canteen that plans menus and buys for this one: its central kitchen, or itself."""
        return self.central_kitchen if self.central_kitchen_id else self

    def group(self) -> "models.QuerySet[Canteen]":
        """This kitchen and its satellites (a satellite's group is its kitchen's)."""
        kitchen_id = self.central_kitchen_id or self.pk
        return Canteen.objects.filter(
            models.Q(pk=kitchen_id) | models.Q(central_kitchen_id=kitchen_id)
        )

    @staticmethod
    def in_group_of(kitchen: "Canteen", field: str = "canteen") -> models.Q:
        """A filter on ``field`` (a foreign key to Canteen) for the rows of a kitchen's group."""
        return models.Q(**{field: kitchen}) | models.Q(**{f"{field}__central_kitchen": kitchen})

    def clean(self):
        errors = {}
        is_satellite = self.kind == self.Kind.SATELLITE
        if is_satellite and not self.central_kitchen_id:
            errors["central_kitchen"] = _("A satellite must name its central kitchen.")
        if not is_satellite and self.central_kitchen_id:
            errors["central_kitchen"] = _("Only a satellite has a central kitchen.")
        if self.local_scope == LocalScope.KM and not self.local_radius_km:
            errors["local_radius_km"] = _("Give the radius that defines local.")
        if self.local_scope == LocalScope.PAT and not self.local_territory_id:
            errors["local_territory"] = _("Choose the territory that defines local.")
        if errors:
            raise ValidationError(errors)

    @property
    def place(self) -> Place:
        department = self.commune.department
        return Place(
            commune=self.commune_id,
            department=department.code,
            region=department.region_id,
            latitude=self.latitude if self.latitude is not None else self.commune.latitude,
            longitude=self.longitude if self.longitude is not None else self.commune.longitude,
        )

    def local_definition(self) -> LocalDefinition:
        scope = LocalScope(self.local_scope)
        centre_label = {
            LocalScope.COMMUNE: self.commune.name,
            LocalScope.DEPARTEMENT: str(self.commune.department),
            LocalScope.REGION: self.commune.department.region.name,
        }.get(scope, "")
        territory = self.local_territory
        return LocalDefinition(
            scope=scope,
            centre=self.place,
            radius_km=float(self.local_radius_km) if self.local_radius_km else None,
            territory_name=territory.name if territory else "",
            territory_communes=(  # the communes prefetched by lists of canteens are used
                frozenset(commune.code for commune in territory.communes.all())
                if territory
                else frozenset()
            ),
            centre_label=centre_label,
        )


class CoverForecast(models.Model):
    """Covers usually served on one weekday for one age group (menus x covers = needs)."""

    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="cover_forecasts")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    age_group = models.CharField(_("age group"), max_length=20, choices=AgeGroup.choices)
    covers = models.PositiveIntegerField(_("covers"), default=0)

    class Meta:
        ordering = ["canteen", "weekday", "age_group"]
        verbose_name = _("cover forecast")
        verbose_name_plural = _("cover forecasts")
        constraints = [
            models.UniqueConstraint(
                fields=["canteen", "weekday", "age_group"], name="one_forecast_per_day_and_age"
            )
        ]

    def __str__(self):
        return f"{self.canteen} · {self.get_weekday_display()} · {self.get_age_group_display()}"


class Role(models.TextChoices):
    COOK = "cook", _("Cook")
    DIETITIAN = "dietitian", _("Dietitian")
    MANAGER = "manager", _("Manager")
    PRODUCER = "producer", _("Producer")


CANTEEN_ROLES = [Role.COOK, Role.DIETITIAN, Role.MANAGER]


class Membership(models.Model):
    """A user's role in a canteen. A central kitchen's members act for its satellites too."""

    user = models.ForeignKey(User, models.CASCADE, related_name="memberships")
    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("role"), max_length=20, choices=[(role.value, role.label) for role in CANTEEN_ROLES]
    )

    class Meta:
        ordering = ["canteen", "role", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "canteen", "role"], name="one_role_once")
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.canteen}"


class IdempotencyKey(models.Model):
    """A request already answered: its retry gets the same answer instead of acting twice."""

    user = models.ForeignKey(User, models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=300)
    # SHA-256 of the request's parsed body: the same key sent with another body is refused.
    request_digest = models.CharField(max_length=64, blank=True)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_answer_per_key")]

    def __str__(self):
        return f"{self.user} · {self.key}"


class ApiToken(models.Model):
    """A key for the API, stored as its SHA-256 only (``cantine.tokens``).

    The key is shown once, when issued. It stops working when it expires, when it is revoked,
    and when its user's password changes (``password_stamp`` is the session hash of the
    password it was issued under, as Django's sessions do)."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=8, editable=False)
    password_stamp = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user} · {self.prefix}…"
