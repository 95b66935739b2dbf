"""Rating-tier priority rules of a call (DESIGN.md §4 "Tier priority rules"), as typed settings.

A call chooses any combination of: a minimum grade to apply; bonus points by grade; the grade as the
first tie-break; a share of each level's budget reserved for 3A and above (3A+ priority for 政府购买服务,
社会组织评估管理办法); a funding cap by grade; documents waived for 4A and above.

Every function takes the grade in force on the call's reference date — ``effective_tier(org,
call.reference_date)``, ``None`` when unrated (an expired, revoked or not-yet-valid grade counts as
unrated) — and ``explain`` says, in Chinese, which rule did what and why. ``TierRules`` is stored as JSON
with ``to_dict`` / ``from_dict``; invalid settings raise ``TierRulesError`` with Chinese messages.
"""
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

from grantportal.core.db import LabelledEnum
from grantportal.core.money import format_wan
from grantportal.core.timeutil import format_date
from grantportal.core.wording import quoted
from grantportal.orgs.models import Grade, RatingEnd, RatingRecord
from grantportal.orgs.tiers import effective_rating

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
UNRATED = "unrated"  # the JSON key for organizations without a grade in force
UNRATED_LABEL = "未评级"
RESERVED_MIN_RANK = 3  # the reserved share is for 3A and above
WAIVER_MIN_RANK = 4  # documents are waived for 4A and above
_GRADE_LIST = "5A、4A、3A、2A、1A"


class TierRule(LabelledEnum):
    MIN_GRADE = "min_grade", "申报等级要求"
    BONUS = "bonus_by_grade", "等级加分"
    TIE_BREAK = "tier_first_tiebreak", "同分按等级排序"
    RESERVED = "reserved_share_percent", "预留资金份额"
    CAP = "cap_by_grade", "等级资助上限"
    WAIVER = "waive_documents_for_4a", "4A及以上免交材料"


class TierRulesError(ValueError):
    """Invalid tier rules; ``messages`` are Chinese, one per problem, fit to show on the settings form."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("".join(self.messages))


def rank(grade):
    """5 for 5A … 1 for 1A, 0 for unrated (``None``)."""
    return grade.rank if grade is not None else 0


def grade_label(grade):
    return grade.label if grade is not None else UNRATED_LABEL


def _parse_grade_key(key, errors, allow_unrated=True):
    """A grade from a JSON key or value: "5A" … "1A", or (if allowed) "unrated"/"未评级" → None."""
    if isinstance(key, Grade):
        return key
    if key is None or key in (UNRATED, UNRATED_LABEL):
        if allow_unrated:
            return None
    else:
        text = str(key).strip().upper()
        if text in Grade._value2member_map_:
            return Grade(text)
    allowed = f"{_GRADE_LIST}或未评级" if allow_unrated else f"{_GRADE_LIST}"
    errors.append(f"未知的评估等级{quoted(key)}，只能是{allowed}。")
    return False


def _parse_decimal(value, what, errors):
    if isinstance(value, bool) or value is None:
        errors.append(f"{what}必须是数字。")
        return None
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        errors.append(f"{what}必须是数字（当前为{quoted(value)}）。")
        return None
    if not number.is_finite():
        errors.append(f"{what}必须是数字（当前为{quoted(value)}）。")
        return None
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _plain(number):
    """Decimal("4.00") → "4", Decimal("2.50") → "2.5"."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class TierRules:
    """The tier priority rules of one call; every rule is optional (``None`` / empty = not used).

    - ``min_grade``: the lowest grade that may apply (``None``: any, unrated included);
    - ``bonus_by_grade``: points added to the final score, by grade (key ``None`` = unrated);
    - ``tier_first_tiebreak``: on equal final scores the higher grade ranks first;
    - ``reserved_share_percent``: 0–100, the share of each level's budget reserved for 3A and above;
    - ``cap_by_grade``: the largest grant, in yuan, by grade (key ``None`` = unrated), below the level's;
    - ``waive_documents_for_4a``: names of required documents that 4A and above need not submit.

    Values are normalized (Decimals to two places, document names stripped and deduplicated) and
    validated on construction.
    """

    min_grade: Grade | None = None
    bonus_by_grade: dict[Grade | None, Decimal] = field(default_factory=dict)
    tier_first_tiebreak: bool = False
    reserved_share_percent: Decimal | None = None
    cap_by_grade: dict[Grade | None, Decimal] = field(default_factory=dict)
    waive_documents_for_4a: tuple[str, ...] = ()

    def __post_init__(self):
        errors = []
        set_ = object.__setattr__
        if self.min_grade is not None:
            grade = _parse_grade_key(self.min_grade, [], allow_unrated=False)
            if grade is False:
                errors.append(f"申报最低等级{quoted(self.min_grade)}无效，只能是{_GRADE_LIST}之一。")
            set_(self, "min_grade", grade if grade is not False else None)
        set_(self, "bonus_by_grade", self._grade_map(self.bonus_by_grade, "等级加分", errors))
        set_(self, "cap_by_grade", self._grade_map(self.cap_by_grade, "资助上限", errors))
        if not isinstance(self.tier_first_tiebreak, bool):
            errors.append("“同分按等级排序”只能是“是”或“否”。")
        if self.reserved_share_percent is not None:
            pct = _parse_decimal(self.reserved_share_percent, "预留比例", errors)
            if pct is not None and not (ZERO <= pct <= HUNDRED):
                errors.append(f"预留比例须在0至100之间（当前为{_plain(pct)}）。")
            set_(self, "reserved_share_percent", pct)
        set_(self, "waive_documents_for_4a", self._documents(self.waive_documents_for_4a, errors))
        if errors:
            raise TierRulesError(errors)

    @staticmethod
    def _grade_map(mapping, what, errors):
        if mapping is None:
            return {}
        if not isinstance(mapping, dict):
            errors.append(f"{what}的格式不正确：应按等级分别填写。")
            return {}
        result = {}
        for key, value in mapping.items():
            grade = _parse_grade_key(key, errors)
            label = grade_label(grade) if grade is not False else key
            number = _parse_decimal(value, f"{what}（{label}）", errors)
            if number is not None and number < 0:
                errors.append(f"{what}不能为负数（{label}：{_plain(number)}）。")
            if grade is not False and number is not None:
                if grade in result:
                    errors.append(f"{what}中{label}重复填写。")
                result[grade] = number
        return result

    @staticmethod
    def _documents(names, errors):
        if isinstance(names, str) or not isinstance(names, list | tuple):
            errors.append("免交材料应为材料名称的列表。")
            return ()
        result = []
        for name in names:
            text = name.strip() if isinstance(name, str) else ""
            if not text:
                errors.append("免交材料的名称不能为空。")
            elif text not in result:
                result.append(text)
        return tuple(result)

    @property
    def is_empty(self):
        """True when the call uses no tier rule at all."""
        return self == TierRules()

    @classmethod
    def from_dict(cls, data):
        """Rules from their JSON form (``None`` or ``{}``: no rules); raises ``TierRulesError``."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise TierRulesError(["等级优先规则的格式不正确。"])
        unknown = sorted(set(data) - {r.value for r in TierRule})
        if unknown:
            raise TierRulesError([f"未知的设置项：{'、'.join(map(str, unknown))}。"])
        return cls(
            min_grade=data.get("min_grade") or None,
            bonus_by_grade=data.get("bonus_by_grade") or {},
            tier_first_tiebreak=data.get("tier_first_tiebreak", False),
            reserved_share_percent=data.get("reserved_share_percent"),
            cap_by_grade=data.get("cap_by_grade") or {},
            waive_documents_for_4a=data.get("waive_documents_for_4a") or [],
        )

    def to_dict(self):
        """The JSON form: grades as "5A" … "1A" / "unrated", Decimals as strings ("5.00")."""
        def grade_map(mapping):
            ordered = sorted(mapping.items(), key=lambda kv: -rank(kv[0]))
            return {(g.value if g is not None else UNRATED): str(v) for g, v in ordered}

        return {
            "min_grade": self.min_grade.value if self.min_grade is not None else None,
            "bonus_by_grade": grade_map(self.bonus_by_grade),
            "tier_first_tiebreak": self.tier_first_tiebreak,
            "reserved_share_percent": (str(self.reserved_share_percent)
                                       if self.reserved_share_percent is not None else None),
            "cap_by_grade": grade_map(self.cap_by_grade),
            "waive_documents_for_4a": list(self.waive_documents_for_4a),
        }


# --- the rules, one pure function each (``grade`` is a Grade, or None when unrated) ---

def meets_min_grade(rules, grade):
    """Whether an organization with ``grade`` may apply (always, when the call sets no minimum)."""
    return rules.min_grade is None or rank(grade) >= rules.min_grade.rank


def tier_bonus(rules, grade):
    """Points added to the final score for ``grade`` (Decimal, 0.00 when no bonus is set for it)."""
    return rules.bonus_by_grade.get(grade, ZERO)


def grant_cap(rules, grade, level_max):
    """The largest grant for ``grade`` at a level whose maximum grant is ``level_max``: the grade's
    cap when it is lower, else the level's maximum (Decimal, to the cent)."""
    level_max = Decimal(level_max).quantize(CENT, rounding=ROUND_HALF_UP)
    cap = rules.cap_by_grade.get(grade)
    return min(cap, level_max) if cap is not None else level_max


def tie_key(rules, grade):
    """A sort key (ascending) for equal final scores: with ``tier_first_tiebreak``, 5A (-5) before 4A
    (-4) … before unrated (0); without it, 0 for everyone. Use it right after the final score:
    ``key=lambda r: (-r.final, tie_key(rules, r.grade), <the call's other tie-breaks>)``."""
    return -rank(grade) if rules.tier_first_tiebreak else 0


def reserved_amount(rules, level_budget):
    """The part of a level's budget reserved for 3A and above (Decimal, to the cent, ROUND_HALF_UP);
    0.00 when the call reserves nothing."""
    if rules.reserved_share_percent is None:
        return ZERO
    amount = Decimal(level_budget) * rules.reserved_share_percent / HUNDRED
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def may_use_reserved(grade):
    """Whether a grade may be funded from the reserved share (3A and above)."""
    return rank(grade) >= RESERVED_MIN_RANK


def waived_documents(rules, grade):
    """The required documents ``grade`` need not submit: the call's list for 4A and above, else []."""
    return list(rules.waive_documents_for_4a) if rank(grade) >= WAIVER_MIN_RANK else []


# --- explanations ---

class Effect(NamedTuple):
    """One rule's effect on one application. ``applies`` is True when the organization's grade meets
    the rule's condition: it may apply, gets a bonus, ranks ahead on ties, may use the reserved share,
    is capped, or is exempt from documents. ``text`` is the full sentence to show."""

    rule: TierRule
    applies: bool
    grade_text: str
    effect_text: str

    @property
    def text(self):
        return f"{self.rule.label}：{self.grade_text}，{self.effect_text}"


def rating_for_explanation(org, on):
    """The record to explain an organization's grade on a date: the one in force
    (``effective_rating``), else the latest one that had started by then (so that ``explain`` can
    say it expired or was revoked), else ``None``."""
    record = effective_rating(org, on)
    if record is not None:
        return record
    started = [r for r in org.ratings if r.valid_from <= on]
    return max(started, key=lambda r: (r.announced_on, r.id or 0), default=None)


def grade_in_force(grade_record, reference_date):
    """The grade of ``grade_record`` if it is in force on ``reference_date``, else None (unrated)."""
    if grade_record is None or not grade_record.in_force_on(reference_date):
        return None
    return grade_record.grade


def grade_text(grade_record, reference_date):
    """"评估等级4A（有效期至2029年12月31日，以2026年6月30日为准）", or why the organization counts as
    unrated: "未评级（等级已于2025年12月31日过期）"."""
    on = format_date(reference_date)
    if grade_record is None:
        return f"{UNRATED_LABEL}（以{on}为准）"
    r: RatingRecord = grade_record
    if r.in_force_on(reference_date):
        return f"评估等级{r.grade.label}（有效期至{format_date(r.valid_until)}，以{on}为准）"
    if r.ended_on is not None and r.ended_on <= reference_date and r.ended_on <= r.valid_until:
        verb = "撤销" if r.end_kind == RatingEnd.REVOKED else "降级"
        return f"{UNRATED_LABEL}（等级已于{format_date(r.ended_on)}{verb}）"
    if reference_date > r.valid_until:
        return f"{UNRATED_LABEL}（等级已于{format_date(r.valid_until)}过期）"
    return f"{UNRATED_LABEL}（等级自{format_date(r.valid_from)}起生效，以{on}为准）"


def explain(rules, grade_record, reference_date):
    """Which of the call's tier rules apply to an application and why, in Chinese: one ``Effect`` per
    rule the call uses, in the order of ``TierRule``. ``grade_record`` is the organization's rating
    record for the call's reference date (``rating_for_explanation(org, call.reference_date)``), or
    None; a record not in force on that date counts as unrated."""
    grade = grade_in_force(grade_record, reference_date)
    who = grade_text(grade_record, reference_date)
    label = grade_label(grade)
    effects = []
    if rules.min_grade is not None:
        need = f"{rules.min_grade.label}及以上"
        ok = meets_min_grade(rules, grade)
        effects.append(Effect(TierRule.MIN_GRADE, ok, who,
                              f"符合{need}的申报要求" if ok else f"未达到{need}的申报要求，不能申报"))
    if rules.bonus_by_grade:
        bonus = tier_bonus(rules, grade)
        effects.append(Effect(TierRule.BONUS, bonus > 0, who, f"加{_plain(bonus)}分" if bonus > 0 else "不加分"))
    if rules.tier_first_tiebreak:
        effects.append(Effect(
            TierRule.TIE_BREAK, grade is not None, who,
            f"总分相同时按评估等级从高到低排序，{label}排在较低等级和未评级的申报之前" if grade is not None
            else "总分相同时排在有评估等级的申报之后"))
    if rules.reserved_share_percent is not None:
        pct = _plain(rules.reserved_share_percent)
        ok = may_use_reserved(grade)
        effects.append(Effect(
            TierRule.RESERVED, ok, who,
            f"可使用各级别预算中为3A及以上组织预留的{pct}%，也可使用其余预算" if ok
            else f"不能使用为3A及以上组织预留的{pct}%预算，只参与其余预算的分配"))
    if rules.cap_by_grade:
        cap = rules.cap_by_grade.get(grade)
        effects.append(Effect(
            TierRule.CAP, cap is not None, who,
            f"资助金额不超过{format_wan(cap)}（且不超过本级别上限）" if cap is not None
            else f"{label}不设等级上限，以本级别的资助上限为准"))
    if rules.waive_documents_for_4a:
        names = "、".join(rules.waive_documents_for_4a)
        waived = waived_documents(rules, grade)
        effects.append(Effect(TierRule.WAIVER, bool(waived), who,
                              f"免交{names}" if waived else f"须提交{names}（4A及以上方可免交）"))
    return effects


def call_rules(call):
    """The call's tier rules; the minimum grade is the call's eligibility setting (``Call.min_grade``)."""
    rules = TierRules.from_dict({k: v for k, v in (call.tier_rules or {}).items() if k != "min_grade"})
    return replace(rules, min_grade=call.min_grade)
