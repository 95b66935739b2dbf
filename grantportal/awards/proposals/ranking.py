"""A call's final ranking: the weighted review rounds plus the call's bonuses (tier bonus, matched-funds
bonus), ordered with the call's tier tie-break, and the formula in words (DESIGN.md §4).

``final_ranking(call)`` is what officers, applicants and the public see; ``standings(call)`` gives, per
application, the grade in force on the call's reference date and the bonuses with their explanations.
"""
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import sqlalchemy as sa

from grantportal.applications.models import Application, AppStatus
from grantportal.calls.models import Level
from grantportal.calls.tier_rules import (
    TierRules,
    call_rules,
    explain,
    grade_in_force,
    grade_label,
    tie_key,
    tier_bonus,
)
from grantportal.core.db import db, literal_ids
from grantportal.core.timeutil import format_date
from grantportal.orgs.models import Grade, RatingEnd, RatingRecord
from grantportal.review.results.aggregate import TIE_BREAK, VOTE_SCORE, AppRow, call_ranking, fetch_rows

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
WAN = Decimal(10000)


def matched_bonus(call, matched_amount):
    """中山-style fundraising bonus: ``call.matched_bonus_per_wan`` points per 10,000 yuan of matched funds,
    at most ``call.matched_bonus_cap`` points (no cap when unset); 0 when the call gives none."""
    per_wan = call.matched_bonus_per_wan
    if not per_wan or not matched_amount:
        return ZERO
    points = (Decimal(matched_amount) / WAN * per_wan).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(points, call.matched_bonus_cap) if call.matched_bonus_cap is not None else points


def _plain(number):
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(slots=True)
class Standing:
    """One application's grade on the call's reference date and its bonuses, with their explanation."""

    application_id: int
    org_id: int
    grade_record: object  # RatingFacts (a rating record's columns) or None
    grade: object  # Grade or None: the grade in force on the reference date
    tier_bonus: Decimal
    matched_bonus: Decimal
    matched_amount: Decimal
    effects: list  # tier_rules.Effect, one per rule the call uses

    @property
    def bonus(self):
        return self.tier_bonus + self.matched_bonus

    @property
    def grade_value(self):
        return self.grade.value if self.grade is not None else None

    def explanation(self, call):
        """Chinese sentences: every tier rule's effect, then the matched-funds bonus (when the call has it)."""
        lines = [e.text for e in self.effects]
        if call.matched_bonus_per_wan:
            cap = f"，最高{_plain(call.matched_bonus_cap)}分" if call.matched_bonus_cap is not None else ""
            lines.append(f"配套资金加分：自筹配套{self.matched_amount:,.2f}元，按每万元加"
                         f"{_plain(call.matched_bonus_per_wan)}分{cap}，加{_plain(self.matched_bonus)}分")
        return lines


class RatingFacts(NamedTuple):
    """A rating record's columns, read without the ORM (what ``tier_rules.explain`` reads of a record)."""

    id: int
    org_id: int
    grade: Grade
    announced_on: date
    valid_from: date
    valid_until: date
    ended_on: date | None
    end_kind: RatingEnd | None

    in_force_on = RatingRecord.in_force_on  # the model's own rule, on these columns


def _ratings_by_org(org_ids):
    """``{org id: [RatingFacts, ...]}``: one query per 5,000 organizations, plain rows."""
    by_org = {org_id: [] for org_id in org_ids}
    ids = sorted(org_ids)
    columns = [getattr(RatingRecord, name) for name in RatingFacts._fields]
    for start in range(0, len(ids), 5000):
        for row in db.session.execute(sa.select(*columns)
                                      .where(RatingRecord.org_id.in_(literal_ids(ids[start:start + 5000])))):
            by_org[row.org_id].append(RatingFacts(*row))
    return by_org


def _record_for(records, on):
    """``tier_rules.rating_for_explanation`` on preloaded records: the one in force, else the latest started."""
    in_force = [r for r in records if r.in_force_on(on)]
    if in_force:
        return max(in_force, key=lambda r: (r.announced_on, r.id))
    started = [r for r in records if r.valid_from <= on]
    return max(started, key=lambda r: (r.announced_on, r.id or 0), default=None)


class SubmittedRow(NamedTuple):
    """What the ranking reads of a submitted application (an ``aggregate.AppRow`` and the matched funds)."""

    id: int
    org_id: int
    level: Level
    matched_amount: Decimal | None


def submitted(call):
    """The call's submitted applications as ``SubmittedRow`` (one query). The driver's plain tuples, the matched
    funds read in whole cents (an integer: the column holds two places), so that 10,000 rows build a few hundred
    Decimals, not 10,000 — the same Decimals (two places) as the column type gives."""
    levels = {lv.value: lv for lv in Level}
    amounts = {None: None}
    cents = sa.cast(sa.func.round(Application.matched_amount * 100), sa.Integer)
    rows = []
    for app_id, org_id, level, matched in fetch_rows(
            sa.select(Application.id, Application.org_id, Application.level, cents)
            .where(Application.call_id == call.id, Application.status == AppStatus.SUBMITTED)):
        amount = amounts.get(matched)
        if amount is None and matched is not None:
            amount = amounts[matched] = Decimal(matched).scaleb(-2)
        rows.append(SubmittedRow(app_id, org_id, levels.get(level, level), amount))
    return rows


def standings(call, rules=None, apps=None):
    """``{application_id: Standing}`` for every submitted application of the call (two queries; one when
    ``apps``, the call's ``submitted`` rows, are given).

    What depends only on the organization's rating record (its grade, the rules' effects in words) is worked
    out once per distinct record — ``explain`` reads nothing of a record but its grade, dates and end — and the
    matched-funds bonus once per distinct amount: 10,000 applications share a few hundred of each."""

    rules = rules or call_rules(call)
    rows = [(a.id, a.org_id, a.matched_amount) for a in (submitted(call) if apps is None else apps)]
    ratings = _ratings_by_org({org_id for _, org_id, _ in rows})
    on = call.reference_date
    result, per_org, per_record, per_amount = {}, {}, {}, {}
    for app_id, org_id, matched in rows:
        facts = per_org.get(org_id)
        if facts is None:
            record = _record_for(ratings[org_id], on)
            key = record[2:] if record is not None else None  # everything but the record's and the org's ids
            shared = per_record.get(key)
            if shared is None:
                grade = grade_in_force(record, on)
                shared = per_record[key] = (grade, tier_bonus(rules, grade), explain(rules, record, on))
            facts = per_org[org_id] = (record, *shared)
        record, grade, bonus, effects = facts
        matched = matched or ZERO
        points = per_amount.get(matched)
        if points is None:
            points = per_amount[matched] = matched_bonus(call, matched)
        result[app_id] = Standing(app_id, org_id, record, grade, bonus, points, matched, effects)
    return result


@dataclass
class Ranking:
    by_level: dict  # Level -> [aggregate.Ranked], ranked
    rounds: list
    rules: TierRules
    standings: dict  # application id -> Standing
    formula: str
    tie_break: str


def final_ranking(call):
    """The call's ranking with its bonuses and tier tie-break (see ``Ranking``)."""
    rules = call_rules(call)
    apps = submitted(call)
    info = standings(call, rules, apps)

    def bonus_of(row):
        st = info.get(row.id)
        return st.bonus if st is not None else ZERO

    keys = {grade: tie_key(rules, grade) for grade in (*Grade, None)}

    def tier_of(row):
        st = info.get(row.id)
        return keys[st.grade if st is not None else None]

    by_level, rounds = call_ranking(call, bonus_of=bonus_of, tier_of=tier_of,
                                    apps={a.id: AppRow(a.id, a.org_id, a.level) for a in apps})
    return Ranking(by_level, rounds, rules, info, formula_words(call, rounds, rules), tie_break_words(rules))


def formula_words(call, rounds, rules=None):
    """The call's final-score formula in words, e.g. "最终得分 = 初评得分 × 60% + 现场答辩得分 × 40% +
    等级加分（5A加5分、4A加3分）+ 配套资金加分（自筹配套资金每1万元加1分，最高10分）"."""
    rules = rules or call_rules(call)
    parts = [f"{r.name}得分 × {_plain(Decimal(r.weight_percent))}%" for r in rounds] or ["专家评审得分"]
    if rules.bonus_by_grade:
        bonus = "、".join(f"{grade_label(g)}加{_plain(v)}分" for g, v in
                          sorted(rules.bonus_by_grade.items(), key=lambda kv: -(kv[0].rank if kv[0] else 0)) if v)
        parts.append(f"等级加分（{bonus or '不加分'}，以{format_date(call.reference_date)}有效的评估等级为准）")
    if call.matched_bonus_per_wan:
        cap = f"，最高{_plain(call.matched_bonus_cap)}分" if call.matched_bonus_cap is not None else ""
        parts.append(f"配套资金加分（自筹配套资金每1万元加{_plain(call.matched_bonus_per_wan)}分{cap}）")
    vote = VOTE_SCORE if any(r.is_vote for r in rounds) else ""
    return "最终得分 = " + " + ".join(parts) + "。只计入申报有评审结果的轮次。" + vote


def tie_break_words(rules):
    if not rules.tier_first_tiebreak:
        return TIE_BREAK
    return TIE_BREAK.replace("依次比较：", "依次比较：评估等级高者在前（未评级排在最后）；", 1)
