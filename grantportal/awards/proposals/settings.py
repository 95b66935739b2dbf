"""A call's result settings as typed values, and their limits: the tier rules, the matched-funds bonus,
the reserve places per level, the length of 公示 and what the results page publishes. The form builds
them; ``operations.update_result_settings`` checks and stores them."""
from dataclasses import dataclass
from decimal import Decimal

from grantportal.awards.proposals.workflow import AwardRefused
from grantportal.calls.tier_rules import TierRules
from grantportal.core.db import ZERO

MAX_PUBLICITY_DAYS = 30
MAX_RESERVE_PER_LEVEL = 50
MAX_BONUS_POINTS = Decimal("999.99")  # Numeric(5, 2)


@dataclass
class ResultSettings:
    """A call's result settings as typed values (``tier_rules`` is a ``TierRules``; its ``min_grade`` is
    ignored: ``Call.min_grade`` is the single minimum grade, set on the call form)."""

    tier_rules: TierRules
    matched_bonus_per_wan: Decimal | None = None
    matched_bonus_cap: Decimal | None = None
    reserve_per_level: int = 3
    publicity_days: int = 5
    publish_scores: bool = False
    publish_panel: bool = True
    promote_reserve: bool = True


def check_result_settings(s):
    """Refuses (``AwardRefused``, next to the field) a value outside its limits."""
    for name, label in (("matched_bonus_per_wan", "每万元加分"), ("matched_bonus_cap", "最高加分")):
        value = getattr(s, name)
        if value is not None and not (ZERO <= value <= MAX_BONUS_POINTS):
            raise AwardRefused(f"{label}须在0至{MAX_BONUS_POINTS}之间。", name, 400)
    if s.matched_bonus_cap is not None and not s.matched_bonus_per_wan:
        raise AwardRefused("未设置每万元加分时，不需要填写最高加分。", "matched_bonus_cap", 400)
    if not (0 <= s.reserve_per_level <= MAX_RESERVE_PER_LEVEL):
        raise AwardRefused(f"每个级别的候补名额须在0至{MAX_RESERVE_PER_LEVEL}之间。", "reserve_per_level", 400)
    if not (1 <= s.publicity_days <= MAX_PUBLICITY_DAYS):
        raise AwardRefused(f"公示期须为1至{MAX_PUBLICITY_DAYS}个工作日。", "publicity_days", 400)
