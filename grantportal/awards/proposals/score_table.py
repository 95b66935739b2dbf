"""The public score table of a published ranking, and its recomputation (issue 12, DESIGN.md §2, §4).

``score_table(call, proposal)`` reads, in a fixed number of queries (one per round for the scores, one per round
for the criterion points when the call publishes scores, two for the bonuses, one for the ranked awards), what
anyone may see: per ranked application its number, title and organization, per round every counted expert's
total as 专家A、专家B … (letters per application and round in a keyed-hash order: never a name, an account or
an id) — for a public vote (公众投票) the round score from its valid votes, with their number, as one line —, the
tier and matched-funds bonuses, and the published final score and rank.

``recompute(table)`` is pure: it takes only the published rows and the printed rules and ranks again;
``differences(table, recomputed)`` lists where that disagrees with what was published (``[]``: 复核一致).
"""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from grantportal.applications.models import Application
from grantportal.awards.models import Award
from grantportal.awards.proposals.ranking import formula_words, standings, tie_break_words
from grantportal.calls.models import Level
from grantportal.calls.tier_rules import call_rules, tie_key
from grantportal.core.db import db
from grantportal.experts.conflicts import conflicts_for_pairs
from grantportal.orgs.models import Organization
from grantportal.review.models import Aggregation, Assignment, Review, ReviewScore, RoundCriterion
from grantportal.review.results.aggregate import (
    HUNDRED,
    ZERO,
    anonymous_order,
    expert_label,
    fetch_rows,
    q2,
    round_results,
    scored_rounds,
    stats,
    submitted_totals_query,
)


@dataclass(frozen=True)
class RoundRule:
    """A round as printed: its name, weight and aggregation rule (trimmed mean from ``trim_from`` scores)."""

    id: int
    name: str
    weight_percent: Decimal
    trim_from: int | None  # None: plain mean
    vote: bool = False  # a public vote: one listed score per application, from its valid votes

    @property
    def words(self):
        if self.vote:
            return (f"{self.name}（公众投票）：有效票数 ÷ 本轮有效票数最多的项目的票数 × 100，保留一位小数，"
                    f"权重{self.weight_percent:f}%")
        if self.trim_from is None:
            return f"{self.name}：取各专家总分的算术平均值，权重{self.weight_percent:f}%"
        return (f"{self.name}：有效评分不少于{self.trim_from}份时去掉一个最高分和一个最低分后取平均值（截尾平均），"
                f"否则取算术平均值，权重{self.weight_percent:f}%")


@dataclass
class ScoreRow:
    application_id: int
    number: str
    title: str
    org_name: str
    level: Level
    submitted_at: datetime | None
    tier_key: int
    grade: str | None
    tier_bonus: Decimal
    matched_bonus: Decimal
    scores: dict = field(default_factory=dict)  # round id -> [(label, total, [(criterion, points)])]
    published_final: Decimal | None = None
    published_rank: int | None = None


@dataclass
class ScoreTable:
    rounds: list  # [RoundRule]
    rows: list  # [ScoreRow], by level then published rank
    formula: str
    tie_break: str
    criteria: bool  # whether per-criterion points are shown


def _rule(r):
    trim_from = max(r.trim_min_scores or 0, 3) if r.aggregation == Aggregation.TRIMMED else None
    return RoundRule(r.id, r.name, Decimal(r.weight_percent), None if r.is_vote else trim_from, r.is_vote)


def score_table(call, proposal):
    rounds = scored_rounds(call)
    rules = call_rules(call)
    info = standings(call, rules)
    rows = {}
    for app_id, number, title, org_name, level, submitted_at, final, rank in db.session.execute(
            sa.select(Application.id, Application.number, Application.title, Organization.name,
                      Award.level, Application.submitted_at, Award.final_score, Award.rank)
            .select_from(Award).join(Application, Application.id == Award.application_id)
            .join(Organization, Organization.id == Application.org_id)
            .where(Award.proposal_id == proposal.id, Award.rank.is_not(None))
            .order_by(Award.level, Award.rank, Award.id)):
        st = info.get(app_id)
        grade = st.grade if st is not None else None
        rows[app_id] = ScoreRow(app_id, number or "", title, org_name, level, submitted_at, tie_key(rules, grade),
                                st.grade_value if st is not None else None,
                                st.tier_bonus if st is not None else ZERO,
                                st.matched_bonus if st is not None else ZERO,
                                published_final=final, published_rank=rank)
    secret = current_app.config["SECRET_KEY"]
    for r in rounds:
        if r.is_vote:  # its published counts are the votes domain's (receipt hashes); here the score they give
            for app_id, st in round_results(r).items():
                if app_id in rows:
                    rows[app_id].scores[r.id] = [(f"有效票{st.n}票", st.score, [])]
            continue
        reviews = fetch_rows(submitted_totals_query(r.id).add_columns(Review.id))  # integers only
        conflicted = conflicts_for_pairs((app_id, org_id, expert_id) for app_id, _, expert_id, org_id, _ in reviews)
        by_app = {}
        for app_id, tenths, expert_id, _, review_id in reviews:
            if app_id in rows and (app_id, expert_id) not in conflicted:
                by_app.setdefault(app_id, {})[review_id] = Decimal(tenths).scaleb(-1)
        points = _criterion_points(r, [rid for totals in by_app.values() for rid in totals]) \
            if call.publish_scores else {}
        for app_id, totals in by_app.items():
            order = anonymous_order(list(totals), secret)
            rows[app_id].scores[r.id] = [(expert_label(i), totals[rid], points.get(rid, []))
                                         for i, rid in enumerate(order)]
    return ScoreTable([_rule(r) for r in rounds], list(rows.values()), formula_words(call, rounds, rules),
                      tie_break_words(rules), bool(call.publish_scores))


def _criterion_points(round_, review_ids):
    """{review id: [(criterion name, points)]} in the rubric's order, for the reviews ``review_ids`` of the
    round: one query over the round's scores, reached by its assignments (a list of thousands of review ids
    as bound parameters took longer to build and send than the rows)."""
    wanted, names = set(review_ids), {}
    for cid, name in db.session.execute(sa.select(RoundCriterion.id, RoundCriterion.name)
                                        .where(RoundCriterion.round_id == round_.id)):
        names[cid] = name
    out = {}
    for rid, cid, points in db.session.execute(
            sa.select(ReviewScore.review_id, ReviewScore.criterion_id, ReviewScore.points)
            .join(Review, Review.id == ReviewScore.review_id)
            .join(Assignment, Assignment.id == Review.assignment_id)
            .join(RoundCriterion, RoundCriterion.id == ReviewScore.criterion_id)
            .where(Assignment.round_id == round_.id)
            .order_by(ReviewScore.review_id, RoundCriterion.position, RoundCriterion.id)):
        if rid in wanted:
            out.setdefault(rid, []).append((names[cid], points))
    return out


# --- recomputation: only the public table and the printed rules ----------------------------------

@dataclass
class Recomputed:
    application_id: int
    level: Level
    round_scores: dict  # round id -> Decimal (two places)
    final: Decimal  # two places
    rank: int = 0


def recompute(table):
    """Rank again from ``table.rows`` and ``table.rounds`` alone: round score = trimmed mean or mean of the
    listed totals, final = Σ round score × weight% + tier bonus + matched-funds bonus, ranked per level by the
    printed tie-break. Returns ``{application id: Recomputed}``."""
    first_id = next((r.id for r in table.rounds if not r.vote), table.rounds[0].id) if table.rounds else None
    items = []
    for row in table.rows:
        exact, shown, first = ZERO, {}, None
        for rule in table.rounds:
            listed = row.scores.get(rule.id)
            if not listed:
                continue
            totals = [total for _, total, _ in listed]
            s = stats(row.application_id, totals, rule.trim_from is not None and len(totals) >= rule.trim_from)
            exact += s.exact_score * rule.weight_percent / HUNDRED
            shown[rule.id] = s.score
            if rule.id == first_id:
                first = s.exact_score
        exact += row.tier_bonus + row.matched_bonus
        key = (-exact, row.tier_key, first is None, -(first or ZERO), row.submitted_at is None,
               row.submitted_at or datetime.min, row.application_id)
        items.append((row.level, key, Recomputed(row.application_id, row.level, shown, q2(exact))))
    items.sort(key=lambda t: (t[0].value if hasattr(t[0], "value") else str(t[0]), t[1]))
    counters, out = {}, {}
    for level, _, item in items:
        counters[level] = counters.get(level, 0) + 1
        item.rank = counters[level]
        out[item.application_id] = item
    return out


def differences(table, recomputed):
    """Chinese sentences, one per application whose published final score or rank differs from the
    recomputation (``[]``: 复核一致)."""
    out = []
    for row in table.rows:
        item = recomputed.get(row.application_id)
        if item is None:
            continue
        parts = []
        if row.published_final is not None and q2(Decimal(row.published_final)) != item.final:
            parts.append(f"公布的最终得分为{row.published_final}，复算为{item.final}")
        if row.published_rank != item.rank:
            parts.append(f"公布的排名为第{row.published_rank}位，复算为第{item.rank}位")
        if parts:
            out.append(f"{row.number}（{row.title}）：" + "；".join(parts))
    return out


def score_lines(table):
    """The table as CSV lines: the rules first (formula, rounds, tie-break), then one line per application,
    round and expert (criterion points after the total when the call publishes them), then one line per
    application with its bonuses, final score and rank."""
    yield ["计算公式", table.formula]
    for rule in table.rounds:
        yield ["评审轮次", rule.words]
    yield ["排序规则", table.tie_break]
    yield []
    yield ["申报编号", "项目名称", "申报机构", "级别", "评审轮次", "专家", "总分", "分项得分"]
    names = {rule.id: rule.name for rule in table.rounds}
    for row in table.rows:
        for rid, listed in row.scores.items():
            for label, total, points in listed:
                detail = "；".join(f"{name}{p}" for name, p in points) if table.criteria else ""
                yield [row.number, row.title, row.org_name, row.level.label, names[rid], label, f"{total}", detail]
    yield []
    yield ["申报编号", "项目名称", "申报机构", "级别", "系统编号", "提交时间", "等级", "等级加分", "配套资金加分",
           "公布的最终得分", "公布的排名"]
    for row in table.rows:
        yield [row.number, row.title, row.org_name, row.level.label, row.application_id,
               row.submitted_at.isoformat() if row.submitted_at else "", row.grade or "", f"{row.tier_bonus}",
               f"{row.matched_bonus}", f"{row.published_final}" if row.published_final is not None else "",
               row.published_rank]
