"""Aggregation and ranking of expert scores (DESIGN.md §4 "Scoring in practice").

Pure functions over Decimal totals, plus loaders that read what they need in a fixed number of queries:

- per application and round: n, mean, trimmed mean (one highest and one lowest score dropped), population
  standard deviation, min, max, and the round score — the trimmed mean when the round aggregates by
  trimmed mean *and* has at least ``round.trim_min_scores`` (never fewer than 3) scores, else the mean;
- only submitted reviews count, and not while their expert has a conflict of interest (回避) with the
  application — a conflict found after the review was submitted takes it out (``round_figures``), and the
  officer's pages say so;
- per call: final score = Σ (round score × round weight %) over the rounds in which the application has
  results, plus ``bonuses(application)``; ranking per call and level by final score, then the tie-break
  ``TIE_BREAK``.

Every figure is a Decimal quantized to two places with ROUND_HALF_UP; only the final figures are rounded
(the final score sums exact round scores, not rounded ones).

A public vote (公众投票, ``RoundKind.VOTE``) is a round like the others in the final score, with its own round score
(``VOTE_SCORE``): the project's valid votes ÷ the most valid votes of any project in the round × 100, to one
decimal place (so that the published score table, which lists it, recomputes to the same final score). The votes
are rows of the votes domain, above this one: ``vote_results`` asks for each entered project's valid votes
through ``core.signals.vote_round_counts`` (votes answers from its rows), and turns them into scores here, where
the formula lives. Votes under review or voided do not count.

A round's figures are computed from the count, sum, lowest, highest and sum of squares of each application's
totals (in tenths of a point, exact integers), which the database keeps per round and application
(``RoundScoreSums``, triggers of migration 0020) as reviews and assignments change: a 10,000-application round
reads 10,000 rows, not 70,000 reviews joined to their assignments. Withdrawn and screened-out applications and
conflicted reviews are left out when the results are read, never stored.
"""
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from math import isqrt
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from grantportal.accounts.models import User
from grantportal.applications.models import Application, AppStatus, Screening
from grantportal.calls.models import Level
from grantportal.core import signals
from grantportal.core.db import db, literal_ids
from grantportal.experts.conflicts import ExpertRow, conflicts_between, conflicts_for_pairs
from grantportal.experts.models import ExpertProfile
from grantportal.orgs.models import Organization
from grantportal.review.models import (
    Aggregation,
    Assignment,
    Attendance,
    DefenceSlot,
    Review,
    ReviewRound,
    ReviewStatus,
    RoundKind,
    RoundScoreSums,
)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)

TIE_BREAK = ("最终得分相同时，依次比较：第一轮（初评）得分高者在前；申报书提交时间早者在前；"
             "仍相同的，申报书系统编号（ID）小者在前。排名不并列。")
VOTE_SCORE = ("公众投票得分 = 该项目有效票数 ÷ 本轮有效票数最多的项目的票数 × 100，保留一位小数（四舍五入；"
              "本轮没有有效票时均为0分）；待核查和已作废的票不计。")
# the general rule; a call's own formula (awards/proposals/ranking.py) adds VOTE_SCORE when it has a public vote
FORMULA = "最终得分 = Σ（各轮评审得分 × 该轮权重%）+ 加分。只计入该申报有评审结果的轮次；验收评审不计入。"
TENTH = Decimal("0.1")


def q2(value):
    """Two places, ROUND_HALF_UP (the rounding officials expect: 0.005 → 0.01)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- statistics --------------------------------------------------------------------------------

class RoundStats:
    """One application's figures in one round. Held as exact integers (the count, sum, lowest, highest and
    sum of squares of the totals in tenths of a point) and shown as Decimal with two places: n, mean,
    trimmed_mean (None with fewer than 3 scores), sd (population), min, max, score (the round score: trimmed
    mean or mean, per the round) and ``trimmed`` (whether ``score`` is the trimmed mean); ``exact_score`` is
    the unrounded round score (for final scores and ordering). Only ``exact_score`` is worked out up front
    (ranking 10,000 applications needs nothing else); the shown figures are computed when read."""

    __slots__ = ("application_id", "n", "_sum", "_lo", "_hi", "_squares", "trimmed", "exact_score")

    def __init__(self, application_id, n, sum_tenths, min_tenths, max_tenths, sum_squares, trimmed, exact_score):
        self.application_id, self.n, self.trimmed, self.exact_score = application_id, n, trimmed, exact_score
        self._sum, self._lo, self._hi, self._squares = sum_tenths, min_tenths, max_tenths, sum_squares

    @property
    def mean(self):
        return _money(_cents(self._sum, 10 * self.n))

    @property
    def trimmed_mean(self):
        if self.n < 3:
            return None
        return _money(_cents(self._sum - self._hi - self._lo, 10 * (self.n - 2)))

    @property
    def sd(self):
        # population sd = sqrt(n·Σx² − (Σx)²) / (10·n); in cents, half up: (isqrt(400·N) + n) // (2n)
        n, s = self.n, self._sum
        return _money((isqrt(400 * (n * self._squares - s * s)) + n) // (2 * n))

    min = property(lambda self: _money(self._lo * 10))
    max = property(lambda self: _money(self._hi * 10))

    @property
    def score(self):
        return self.trimmed_mean if self.trimmed else self.mean

    def __repr__(self):
        return f"RoundStats(application_id={self.application_id}, n={self.n}, score={self.score})"


class VoteStats:
    """One project's figures in a public vote: ``n`` valid votes and the round score (``VOTE_SCORE``), with the
    attributes of ``RoundStats`` that pages and the ranking read."""

    __slots__ = ("application_id", "n", "exact_score")
    trimmed, trimmed_mean, sd, min, max = False, None, None, None, None

    def __init__(self, application_id, n, exact_score):
        self.application_id, self.n, self.exact_score = application_id, n, exact_score

    @property
    def score(self):
        return q2(self.exact_score)

    mean = score

    def __repr__(self):
        return f"VoteStats(application_id={self.application_id}, n={self.n}, score={self.score})"


def vote_score(votes, most):
    """``VOTE_SCORE``: votes ÷ most × 100 to one decimal place, half up (0 when no project has a valid vote)."""
    if not most:
        return ZERO
    return (Decimal(votes) * HUNDRED / Decimal(most)).quantize(TENTH, rounding=ROUND_HALF_UP)


def vote_results(round_):
    """A public vote's results: ``{application_id: VoteStats}`` for every project that entered it (no vote: 0),
    best first, ties by lower application id, as ``round_results`` orders."""
    counts = signals.ask(signals.vote_round_counts, round_)
    most = max(counts.values(), default=0)
    results = sorted((VoteStats(app_id, n, vote_score(n, most)) for app_id, n in counts.items()), key=_app_id)
    results.sort(key=_exact_score, reverse=True)
    return {r.application_id: r for r in results}


def uses_trimmed(round_, n):
    """Whether the round score is the trimmed mean for ``n`` scores in this round."""

    return round_.aggregation == Aggregation.TRIMMED and n >= max(round_.trim_min_scores or 0, 3)


def _cents(num, den):
    """num/den (≥ 0) in cents, rounded half up, as an exact integer."""
    return (num * 200 + den) // (2 * den)


def _money(cents):
    return Decimal(cents).scaleb(-2)


def stats_tenths(application_id, xs, trim):
    """The figures for one application from its totals in tenths of a point (integers: the column holds
    one decimal place), in exact integer arithmetic; the same results as ``stats`` on the Decimals."""
    return stats_sums(application_id, len(xs), sum(xs), min(xs), max(xs), sum(x * x for x in xs), trim)


def stats_sums(application_id, n, s, lo, hi, sq, trim):
    """``stats_tenths`` from the sums alone (what ``RoundScoreSums`` keeps): ``n`` totals in tenths of a point,
    their sum ``s``, lowest ``lo``, highest ``hi`` and sum of squares ``sq`` (exact integers)."""
    if trim and n >= 3:
        return RoundStats(application_id, n, s, lo, hi, sq, True, Decimal(s - hi - lo) / Decimal(10 * (n - 2)))
    return RoundStats(application_id, n, s, lo, hi, sq, False, Decimal(s) / Decimal(10 * n))


def stats(application_id, scores, trim):
    """The figures for one application's scores (Decimals with at most one decimal place); ``trim``:
    use the trimmed mean as the round score (when there are at least 3 scores)."""
    return stats_tenths(application_id, [int(Decimal(x) * 10) for x in scores], trim)


def compute_round_tenths(round_, rows):
    """``rows``: iterable of (application_id, total in tenths of a point). See ``round_results``."""
    by_app = {}
    for app_id, tenths in rows:
        by_app.setdefault(app_id, []).append(tenths)
    return compute_round_sums(round_, ((app_id, len(xs), sum(xs), min(xs), max(xs), sum(x * x for x in xs))
                                       for app_id, xs in by_app.items()))


def compute_round(round_, totals):
    """``totals``: iterable of (application_id, total). Returns ``{application_id: RoundStats}`` ordered by
    round score (highest first), then application id (lowest first)."""
    return compute_round_tenths(round_, ((app_id, int(Decimal(str(t)) * 10)) for app_id, t in totals))


def _tenths():
    return sa.cast(sa.func.round(Review.total * 10), sa.Integer)


def _counted(query, round_id):
    """``query`` over the submitted reviews of active assignments in the round that count (see
    ``round_results``; the conflict check is separate)."""
    return (query.join(Review, Review.assignment_id == Assignment.id)
            .join(Application, Application.id == Assignment.application_id)
            .where(Assignment.round_id == round_id, Assignment.active.is_(True),
                   Review.status == ReviewStatus.SUBMITTED, Review.total.is_not(None),
                   # a withdrawn application, or one that failed eligibility screening, leaves the results
                   Application.status == AppStatus.SUBMITTED, Application.screening != Screening.FAILED))


def submitted_totals_query(round_id):
    """(application_id, total in tenths of a point, expert user id, organization id) of every submitted
    review of an active assignment in the round. Tenths are integers (total is NUMERIC(6,1)), so no Decimal
    is built per review; the expert and the organization are for the conflict check (``round_figures``)."""

    return _counted(sa.select(Assignment.application_id, _tenths(), Assignment.expert_id, Application.org_id),
                    round_id)


def round_sums_query(round_):
    """Per application with counted reviews in the round: (application_id, n, Σ tenths, min, max, Σ tenths²,
    organization id) from the sums the database keeps (``RoundScoreSums``, exact integers: 10,000 rows for
    70,000 reviews), only for applications still submitted and not screened out. Read through the call's
    applications (index ``call_id, status, screening``), so that its cost is bounded by the call's size."""

    sums = RoundScoreSums
    return (sa.select(sums.application_id, sums.n_reviews, sums.sum_tenths, sums.min_tenths, sums.max_tenths,
                      sums.sum_squares, Application.org_id)
            .join(Application, Application.id == sums.application_id)
            # a withdrawn application, or one that failed eligibility screening, leaves the results
            .where(sums.round_id == round_.id, Application.call_id == round_.call_id,
                   Application.status == AppStatus.SUBMITTED, Application.screening != Screening.FAILED))


def round_orgs_query(round_id):
    """(id, 统一社会信用代码, legal representative, contact person) of the organizations of the applications with
    sums in the round: once per organization, for the conflict check."""

    in_round = (sa.select(Application.org_id).join(RoundScoreSums, RoundScoreSums.application_id == Application.id)
                .where(RoundScoreSums.round_id == round_id))
    return (sa.select(Organization.id, Organization.uscc, Organization.legal_rep, Organization.contact_name)
            .where(Organization.id.in_(in_round)))


def round_experts_query(round_id):
    """(profile id, user id, name) of every expert with an active assignment in the round (an index lookup per
    expert of the pool, not a pass over the round's assignments)."""

    assigned = sa.exists().where(Assignment.expert_id == ExpertProfile.user_id, Assignment.round_id == round_id,
                                 Assignment.active.is_(True))
    return (sa.select(ExpertProfile.id, ExpertProfile.user_id, User.name).join(User, User.id == ExpertProfile.user_id)
            .where(assigned))


def round_results(round_):
    """Every application's results in ``round_``: ``{application_id: RoundStats}``, ordered best first.

    Counts the submitted reviews of active assignments only (drafts and removed experts never count), and
    of those only the ones whose expert has no conflict of interest with the application now (a conflict
    found after the review was submitted: see ``round_figures``). The order is by round score
    (``RoundStats.score``: trimmed mean or mean, per the round), highest first, ties by lower application
    id; so ``list(results)[:n]`` is "the top N" and ``[a for a, r in results.items() if r.score >= x]`` is
    "scoring at least X". Applications with no counted review are absent. A fixed few queries on the
    session's connection, no ORM objects (``round_figures``); the rest is integer arithmetic in Python
    (10,000 applications × 7 reviews: see bench/review_results.py).
    """
    return round_figures(round_)[0]


def absent_from_defence(round_):
    """Ids of the applications recorded as 缺席 in a defence round (答辩/路演): they are not scored in it and the
    results show them as 答辩缺席 (review/defence/operations.py; issue 14). Empty for other rounds."""
    if round_.kind != RoundKind.DEFENCE:
        return set()
    return set(db.session.scalars(sa.select(DefenceSlot.application_id).where(
        DefenceSlot.round_id == round_.id, DefenceSlot.attendance == Attendance.ABSENT)))


def round_figures(round_, today=None):
    """``(results, conflicted)``: ``round_results(round_)``, and the submitted reviews it leaves out because
    their expert has a conflict of interest (回避) with the application, found after the review was
    submitted — an officer set one, the expert declared one or added an affiliation. ``conflicted`` is
    ``{(application id, expert user id): [ConflictReason, ...]}``, by the rule the draw uses
    (``experts.conflicts.conflict_reasons``, here in bulk). While the conflict stands the review is kept
    but does not count; withdrawn, it counts again; replaced, it never counts (inactive assignment).

    The database keeps each application's sums (``RoundScoreSums``, ``round_sums_query``: exact integers);
    the conflict check runs between the round's experts and those applications (``conflicts_between``), and
    only the applications it finds conflicted pairs for are read review by review and summed again without
    the conflicted reviews. Queries: the sums, the experts, their organizations, their conflicts and
    affiliations, and (only when a pair is conflicted) those applications' reviews."""

    if round_.kind == RoundKind.VOTE:
        return vote_results(round_), {}
    sums = fetch_rows(round_sums_query(round_))
    absent = absent_from_defence(round_)
    if absent:  # a no-show is not scored, whatever was entered for it
        sums = [row for row in sums if row[0] not in absent]
    if not sums:
        return {}, {}
    experts = [ExpertRow(*row) for row in fetch_rows(round_experts_query(round_.id))]
    orgs = fetch_rows(round_orgs_query(round_.id)) if experts else []
    pairs = conflicts_between(experts, ((row[0], row[6]) for row in sums), orgs, today)
    conflicted = {}
    if pairs:
        apps = sorted(pairs)
        rows = {}
        for start in range(0, len(apps), 5000):  # bounded IN lists
            for app_id, tenths, expert_id, _ in db.session.execute(submitted_totals_query(round_.id).where(
                    Assignment.application_id.in_(apps[start:start + 5000]))):
                rows.setdefault(app_id, []).append((tenths, expert_id))
        conflicted = {(app_id, expert_id): pairs[app_id][expert_id] for app_id, reviews in rows.items()
                      for _, expert_id in reviews if expert_id in pairs[app_id]}
        redo = {app_id: [t for t, expert_id in rows[app_id] if (app_id, expert_id) not in conflicted]
                for app_id, _ in conflicted}
        sums = [row for row in sums if row[0] not in redo]
        sums += [(app_id, len(xs), sum(xs), min(xs), max(xs), sum(x * x for x in xs)) for app_id, xs in redo.items()
                 if xs]
    return compute_round_sums(round_, sums), conflicted


def _app_id(stats_):
    return stats_.application_id


def _exact_score(stats_):
    return stats_.exact_score


def compute_round_sums(round_, sums):
    """``sums``: rows (application_id, n, Σ tenths, min, max, Σ tenths², …) as ``round_sums_query`` gives.
    Returns ``{application_id: RoundStats}`` ordered by round score (highest first), then application id
    (lowest first)."""
    trim_from = max(round_.trim_min_scores or 0, 3) if uses_trimmed(round_, 10**9) else None
    if trim_from is None:
        results = [stats_sums(row[0], row[1], row[2], row[3], row[4], row[5], False) for row in sums]
    else:
        results = [stats_sums(row[0], row[1], row[2], row[3], row[4], row[5], row[1] >= trim_from) for row in sums]
    # by id, then (stable) by score, highest first: the order of the key (-score, id), without 10,000 tuples
    results.sort(key=_app_id)
    results.sort(key=_exact_score, reverse=True)
    return {r.application_id: r for r in results}


@dataclass
class ConflictedReview:
    """A submitted review left out of the results because of a conflict found afterwards (for officers)."""

    assignment: object  # Assignment, with its expert, application and review loaded
    reasons: list  # [ConflictReason, ...]

    MESSAGE = "该评分提交后发现回避情形，已不计入汇总"

    @property
    def why(self):
        return "；".join(f"{r.reason}（{r.source.label}，{r.set_by}）" for r in self.reasons)


def conflicted_reviews(round_, conflicted):
    """``conflicted`` from ``round_figures`` as ``[ConflictedReview, ...]`` by application and expert: one query
    (none when there is nothing to show)."""


    if not conflicted:
        return []
    app_ids = sorted({app_id for app_id, _ in conflicted})
    out = []
    for start in range(0, len(app_ids), 5000):  # bounded IN lists
        rows = db.session.scalars(
            sa.select(Assignment).where(Assignment.round_id == round_.id, Assignment.active.is_(True),
                                        Assignment.application_id.in_(app_ids[start:start + 5000]))
            .options(joinedload(Assignment.expert), joinedload(Assignment.application),
                     joinedload(Assignment.review))).unique().all()
        out.extend(ConflictedReview(a, conflicted[(a.application_id, a.expert_id)]) for a in rows
                   if (a.application_id, a.expert_id) in conflicted)
    out.sort(key=lambda c: (c.assignment.application.number or "", c.assignment.application_id,
                            c.assignment.expert_id))
    return out


def fetch_rows(statement):
    """Run a Core select on the session's connection (same transaction) and return the driver's plain
    tuples: SQLAlchemy's Row objects cost more than the query for 70,000 small rows. Only for columns
    that need no type processing (integers, strings)."""
    conn = db.session.connection()
    compiled = statement.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


# --- the call: final score and ranking ----------------------------------------------------------

def bonuses(application):
    """Bonus points (tier, matched funds …) added to the final score; none yet (the next issue plugs
    them in). ``application`` is an ``AppRow`` (id, org_id, level) in ``call_ranking``."""
    return ZERO


@dataclass(slots=True)
class Ranked:
    application_id: int
    level: object
    submitted_at: datetime | None  # in call_ranking: loaded only where needed for the tie-break
    round_scores: dict  # round id -> RoundStats
    bonus: Decimal
    final: Decimal
    first_round_score: Decimal | None
    exact_final: Decimal = field(repr=False, default=ZERO)
    rank: int = 0
    tier: int = 0  # the call's tier tie-break key (calls.tier_rules.tie_key): lower ranks first


def scored_rounds(call):
    """The rounds that count towards the call's final score, in order (acceptance reviews do not)."""

    return [r for r in sorted(call.review_rounds, key=lambda r: (r.position, r.id)) if r.kind != RoundKind.ACCEPTANCE]


def first_round(rounds):
    """The round of ``TIE_BREAK``'s 第一轮（初评）: the first expert round (a public vote held before it is not)."""
    return next((r for r in rounds if r.kind != RoundKind.VOTE), rounds[0])


def final_score(round_stats, rounds, bonus=ZERO):
    """Σ round score × weight% (exact) + bonus, for the rounds in which the application has results."""
    total = ZERO
    for r in rounds:
        s = round_stats.get(r.id)
        if s is not None:
            total += s.exact_score * Decimal(r.weight_percent) / HUNDRED
    return total + bonus


def sort_key(item):
    """The ranking order: final score desc, the call's tier tie-break (if it uses one), first-round score
    desc (none last), submitted_at asc (none last), application id asc. See TIE_BREAK for the words."""
    first = item.first_round_score
    return (-item.exact_final, item.tier, first is None, -(first or ZERO), item.submitted_at is None,
            item.submitted_at or datetime.min, item.application_id)


def _exact_final(item):
    return item.exact_final


def _same_final(items):
    """The runs of ``items`` (sorted by final score) that share a final score: [(start, end), ...]."""
    runs, start, n = [], 0, len(items)
    while start < n:
        value, end = items[start].exact_final, start + 1
        while end < n and items[end].exact_final == value:
            end += 1
        if end - start > 1:
            runs.append((start, end))
        start = end
    return runs


def rank(items):
    """Sort ``Ranked`` items by ``sort_key`` and number them 1, 2, 3 … (deterministic, no shared ranks).

    Sorted by the final score alone first, and only the runs of equal final scores by the whole key: the same
    order as sorting by ``sort_key`` (its first part is the final score), without building and comparing
    10,000 seven-part keys when scores rarely tie."""
    items = sorted(items, key=_exact_final, reverse=True)
    for start, end in _same_final(items):
        items[start:end] = sorted(items[start:end], key=sort_key)
    for i, item in enumerate(items, 1):
        item.rank = i
    return items


class AppRow(NamedTuple):
    """What ranking needs of an application (also what ``bonuses`` receives)."""

    id: int
    org_id: int
    level: object


def _tie_key(item):
    first = item.first_round_score
    return item.tier, first is None, -(first or ZERO)


def _tie_times(by_level):
    """Load submitted_at only for the items whose final and first-round scores (and tier) tie with another's
    in their level: the only ones the third tie-break can concern (usually few, so 10,000 timestamps are not
    read and parsed). Sorts each level's list by final score (highest first), and each run of equal final
    scores by tier and first-round score, on the way."""

    tied = []
    for items in by_level.values():
        items.sort(key=_exact_final, reverse=True)
        for start, end in _same_final(items):
            run = items[start:end] = sorted(items[start:end], key=_tie_key)
            last = None
            for a, b in zip(run, run[1:]):
                if a.tier == b.tier and a.first_round_score == b.first_round_score:
                    if a is not last:
                        tied.append(a)
                    tied.append(b)
                    last = b
    ids = sorted(i.application_id for i in tied)
    times = {}
    for start in range(0, len(ids), 5000):  # bounded IN lists
        times.update(db.session.execute(sa.select(Application.id, Application.submitted_at)
                                        .where(Application.id.in_(literal_ids(ids[start:start + 5000])))).all())
    for i in tied:
        i.submitted_at = times.get(i.application_id)


def call_ranking(call, bonus_of=bonuses, tier_of=None, apps=None):
    """The ranking of a call: ``({level: [Ranked, ...]}, rounds)``, each list ranked (``rank``).

    ``bonus_of(row)`` gives an application's bonus points and ``tier_of(row)`` its tier tie-break key
    (``row`` is an ``AppRow``); awards.proposals.ranking passes the call's rules, and ``apps``
    (``{id: AppRow}`` of the call's submitted applications) when it has read them already. The queries of
    ``round_results`` per round, one for the call's applications (id, organization, level) unless given and,
    only if final and first-round scores tie, one for those applications' submission times."""

    rounds = scored_rounds(call)
    per_round = [(r.id, Decimal(r.weight_percent) / HUNDRED, round_results(r)) for r in rounds]
    app_ids = set().union(*(set(res) for _, _, res in per_round)) if per_round else set()
    if not app_ids:
        return {}, rounds
    if apps is None:
        levels = {lv.value: lv for lv in Level}
        apps = {row[0]: AppRow(row[0], row[1], levels.get(row[2], row[2])) for row in fetch_rows(
            sa.select(Application.id, Application.org_id, Application.level).where(Application.call_id == call.id))}
    info = apps
    first_id = first_round(rounds).id
    by_level = {}
    for app_id in app_ids:
        stats_by_round, exact = {}, ZERO
        for rid, weight, res in per_round:
            st_ = res.get(app_id)
            if st_ is not None:
                stats_by_round[rid] = st_
                exact += st_.exact_score * weight
        row = info.get(app_id)
        bonus = bonus_of(row) if row is not None else ZERO
        exact += bonus
        first_stats = stats_by_round.get(first_id)
        level = row.level if row else None
        item = Ranked(app_id, level, None, stats_by_round, q2(bonus), q2(exact),
                      first_stats.exact_score if first_stats else None, exact, 0,
                      tier_of(row) if tier_of is not None and row is not None else 0)
        items = by_level.get(level)
        if items is None:
            by_level[level] = [item]
        else:
            items.append(item)
    _tie_times(by_level)
    return {level: rank(items) for level, items in by_level.items()}, rounds


# --- what the applicant sees after publication --------------------------------------------------

CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n):
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (for 专家一、专家二 …; up to 99)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def expert_label(i):
    """The public label of the ``i``-th expert of a list (from 0): 专家A … 专家Z, 专家AA … 专家AZ, 专家BA …,
    专家ZZ, 专家AAA … (letters counted like spreadsheet columns, so any pool size has labels)."""
    letters = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        letters = LETTERS[rest] + letters
    return "专家" + letters


def anonymous_order(review_ids, secret):
    """The review ids in a stable order that reveals neither who wrote them nor in which order: sorted by
    a keyed hash (HMAC-SHA256 with the site's secret key) of the review id."""

    key = secret.encode() if isinstance(secret, str) else secret
    return sorted(review_ids, key=lambda rid: hmac.new(key, f"review:{rid}".encode(), hashlib.sha256).digest())


@dataclass
class ApplicantRoundResult:
    round_name: str
    published_at: datetime
    score: Decimal
    comments: list  # [(label, text)], e.g. ("专家一", "…")


def applicant_results(application):
    """For the applicant: per round whose results are published, the aggregated round score and the
    experts' overall comments, anonymised (专家一、专家二 … in ``anonymous_order``). Never an individual
    score, never who scored. Empty before publication. A review whose expert has a conflict of interest
    with the application (found after it was submitted) is left out of both, as in ``round_results``."""


    rounds = db.session.scalars(
        sa.select(ReviewRound).where(ReviewRound.call_id == application.call_id,
                                     ReviewRound.results_published_at.is_not(None))
        .order_by(ReviewRound.position, ReviewRound.id)).all()
    out = []
    for r in rounds:
        rows = db.session.execute(
            sa.select(Review.id, Review.total, Review.comment, Assignment.expert_id)
            .join(Assignment, Assignment.id == Review.assignment_id)
            .where(Assignment.round_id == r.id, Assignment.application_id == application.id,
                   Assignment.active.is_(True), Review.status == ReviewStatus.SUBMITTED,
                   Review.total.is_not(None))).all()
        # a review whose expert turned out to be conflicted counts neither in the score nor in the comments
        conflicted = conflicts_for_pairs((application.id, application.org_id, row.expert_id) for row in rows)
        rows = [row for row in rows if (application.id, row.expert_id) not in conflicted]
        if not rows:
            continue
        totals = [row.total for row in rows]
        s = stats(application.id, totals, uses_trimmed(r, len(totals)))
        text = {row.id: (row.comment or "").strip() for row in rows}
        order = anonymous_order([rid for rid in text if text[rid]], current_app.config["SECRET_KEY"])
        comments = [(f"专家{chinese_number(i)}", text[rid]) for i, rid in enumerate(order, 1)]
        out.append(ApplicantRoundResult(r.name, r.results_published_at, s.score, comments))
    return out
