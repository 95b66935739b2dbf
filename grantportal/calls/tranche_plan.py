"""A call's tranche plan (分期拨付): the split and each tranche's condition, as typed data.

A setting of the call (DESIGN.md §4 "Money": "the split is the call's setting"), consumed by funding when it
prepares a contract's tranches; it lives with the call so that any domain may read it.

``Call.tranche_plan`` holds ``[{"percent": "50", "condition": "signed"}, …]``; ``None`` means the default
50/30/20 tied to signing, 中期评估 and 验收. The percentages sum to 100; amounts are split to the cent and
the last tranche takes the remainder, so the tranches always add up to the award exactly.
"""
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from grantportal.core.db import LabelledEnum

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
DEFAULT_PLAN = [{"percent": "50", "condition": "signed"}, {"percent": "30", "condition": "midterm_passed"},
                {"percent": "20", "condition": "acceptance_passed"}]


class TrancheCondition(LabelledEnum):
    """What must have happened before a tranche may be paid (the values are stored in ``tranche.condition``)."""

    SIGNED = "signed", "合同签订后"
    MIDTERM = "midterm_passed", "中期评估合格后"
    ACCEPTANCE = "acceptance_passed", "结项验收合格后"


class PlanError(ValueError):
    """An invalid plan; ``messages`` are Chinese."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("".join(self.messages))


@dataclass(frozen=True)
class PlannedTranche:
    position: int
    percent: Decimal
    condition: TrancheCondition
    amount: Decimal | None = None


def parse_plan(data):
    """``[PlannedTranche]`` from the JSON form (``None``: the default); raises ``PlanError``."""
    data = DEFAULT_PLAN if data is None else data
    errors, out = [], []
    if not isinstance(data, list) or not data:
        raise PlanError(["拨付计划至少要有一期。"])
    for i, row in enumerate(data, 1):
        try:
            pct = Decimal(str(row.get("percent"))).quantize(CENT)
        except (InvalidOperation, AttributeError, TypeError):
            errors.append(f"第{i}期的比例必须是数字。")
            continue
        if not (Decimal(0) < pct <= HUNDRED):
            errors.append(f"第{i}期的比例须大于0且不超过100。")
        try:
            condition = TrancheCondition(row.get("condition"))
        except ValueError:
            errors.append(f"第{i}期的拨付条件无效。")
            continue
        out.append(PlannedTranche(i, pct, condition))
    if not errors and sum(t.percent for t in out) != HUNDRED:
        errors.append(f"各期比例之和须为100%（当前为{sum(t.percent for t in out):f}%）。")
    order = [list(TrancheCondition).index(t.condition) for t in out]
    if not errors and order != sorted(order):
        errors.append("拨付条件须按签约、中期评估、结项验收的先后顺序排列。")
    if errors:
        raise PlanError(errors)
    return out


def schedule(plan, amount):
    """The plan's tranches with amounts for an award of ``amount``: each to the cent (rounded down), the
    last one the remainder."""
    amount = Decimal(amount).quantize(CENT)
    out, given = [], Decimal("0.00")
    for t in plan[:-1]:
        part = (amount * t.percent / HUNDRED).quantize(CENT, rounding=ROUND_DOWN)
        out.append(PlannedTranche(t.position, t.percent, t.condition, part))
        given += part
    last = plan[-1]
    out.append(PlannedTranche(last.position, last.percent, last.condition, amount - given))
    return out


def as_setting(plan):
    """``plan`` (``[PlannedTranche]``) in the form ``Call.tranche_plan`` stores."""
    return [{"percent": f"{t.percent.normalize():f}", "condition": t.condition.value} for t in plan]


def describe(plan):
    """"分三期拨付：合同签订后拨付50%；中期评估合格后拨付30%；结项验收合格后拨付20%。"."""
    parts = "；".join(f"{t.condition.label}拨付{t.percent.normalize():f}%" for t in plan)
    return f"分{len(plan)}期拨付：{parts}。" if len(plan) > 1 else f"一次性拨付：{parts}。"
