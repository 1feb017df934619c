"""The allocation contract: needs, offers, producers, targets in; a Solution out (see ../shared/specs/solver-interfaces.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from cantine.vocabulary import FAMILIES as _FAMILIES
from cantine.vocabulary import LABEL_ALIASES as _LABEL_ALIASES
from cantine.vocabulary import LABELS, UNIT_ALIASES, Family, Label

# The shared vocabulary (cantine.vocabulary), as plain strings; kept under these names for callers.
EGALIM_LABELS: tuple[str, ...] = tuple(
    str(code) for code in LABELS
)  # every label counts for EGalim
LABEL_ALIASES: dict[str, str] = {alias: str(code) for alias, code in _LABEL_ALIASES.items()}
FAMILIES: tuple[str, ...] = tuple(str(code) for code in _FAMILIES)
UNITS: dict[str, str] = {alias: str(unit) for alias, unit in UNIT_ALIASES.items()}
BIO = str(Label.BIO)
DEFAULT_FAMILY = str(Family.AUTRES)
OBJECTIVES = ("min_cost", "max_local")
SOLVERS = ("HIGHS", "SCIP", "CP_SAT")
DEFAULT_SOLVER = "HIGHS"
TARGET_KEYS = ("bio_min_share", "egalim_min_share", "local_min_share")
EPS = 1e-6
# A share target holds when the labelled value is at least (target - SHARE_TOL) x the goods
# value, both unrounded. Half the 0.01 point the independent verifier allows: whatever float
# noise or rounding of the reported figures, a share the optimiser accepts the verifier accepts.
SHARE_TOL = 5e-5
# Share of the largest pack an over-delivery must stay below (strict "<" made solver-safe).
OVER_DELIVERY_SLACK = 1e-3

Progress = Callable[[float, float | None, float], None]


class Cancelled(Exception):
    """The call's deadline passed while a model was being built: the work is dropped."""


class InstanceError(ValueError):
    """A malformed instance; ``problems`` holds one message per problem, with its JSON path."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Need:
    id: str
    product: str
    quantity: float
    delivery_date: str
    unit: str | None = None
    family: str = DEFAULT_FAMILY


@dataclass(frozen=True)
class Producer:
    id: str
    delivery_cost: float = 0.0
    min_order_value: float = 0.0
    local: bool = False
    distance_km: float | None = None


@dataclass(frozen=True)
class Offer:
    id: str
    producer: str
    product: str
    unit_price: float
    pack_size: float
    capacity: float | None = None
    labels: tuple[str, ...] = ()
    delivery_dates: tuple[str, ...] = ()
    unit: str | None = None
    remaining_capacity: float | None = None

    @property
    def is_bio(self) -> bool:
        return BIO in self.labels

    @property
    def is_egalim(self) -> bool:
        return any(label in EGALIM_LABELS for label in self.labels)


@dataclass(frozen=True)
class Targets:
    bio_min_share: float | None = None
    egalim_min_share: float | None = None
    local_min_share: float | None = None


@dataclass(frozen=True)
class FixedLine:
    need: str
    offer: str
    packs: int


@dataclass(frozen=True)
class Instance:
    needs: tuple[Need, ...]
    producers: tuple[Producer, ...]
    offers: tuple[Offer, ...]
    targets: Targets = Targets()
    max_share_per_producer: float | None = None
    allow_unmet: bool = True
    unmet_penalty_per_unit: float = 1000.0
    objective: str = "min_cost"
    budget: float | None = None
    time_limit_s: float = 10.0
    fixed_lines: tuple[FixedLine, ...] = ()
    mip_gap: float = 0.001
    solver: str = DEFAULT_SOLVER


@dataclass
class Line:
    need: str
    offer: str
    packs: int
    quantity: float
    cost: float
    fixed: bool = False


@dataclass
class Unmet:
    need: str
    quantity: float


@dataclass
class Delivery:
    producer: str
    date: str
    value: float
    delivery_cost: float


@dataclass
class Solution:
    status: str
    lines: list[Line] = field(default_factory=list)
    unmet: list[Unmet] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    cost: float | None = None
    bound: float | None = None
    gap: float | None = None
    solve_seconds: float = 0.0
    shares: dict[str, float] = field(default_factory=dict)
    goods_cost: float = 0.0
    delivery_cost: float = 0.0
    unmet_penalty: float = 0.0
    local_value: float = 0.0
    objective: float | None = None
    conflicts: list[dict] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    method: str = ""

    def to_dict(self) -> dict:
        return asdict(self)
