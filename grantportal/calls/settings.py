"""A call's settings as typed values: what a valid call form hands to the operations (plain values, no form
objects)."""
from dataclasses import dataclass, field
from decimal import Decimal

from grantportal.calls.models import Level, StageKind


@dataclass
class LevelRow:
    id: int | None
    level: Level
    budget_total: Decimal
    min_grant: Decimal
    max_grant: Decimal
    min_match_percent: Decimal


@dataclass
class StageRow:
    kind: StageKind
    enabled: bool
    opens_at: object
    closes_at: object


@dataclass
class DocumentRow:
    id: int | None
    name: str
    description: str
    required: bool


@dataclass
class CriterionRow:
    id: int | None
    name: str
    max_points: int
    guidance: str


@dataclass
class CallSettings:
    fields: dict
    stages: list
    documents: list
    levels: list | None = None  # None: locked, leave as they are
    criteria: list | None = None
    extra: dict = field(default_factory=dict)
