"""Public statistics (统计, DESIGN.md §5 "Statistics", §7 "Scale"): the funded projects summed by year, by service
field (the application's category), by district (the application's 服务镇街, core/districts.py), by tier (the
grade in force at award) and by call.

A funded project is an award whose call's results are final (已确定) and which is finally selected (入选), in a
call that is public. Per group:

    projects  = how many funded projects
    awarded   = Σ award amount (资助金额)
    paid      = Σ payments − Σ recoveries (净拨付: recovered money does not count as paid)
    people    = Σ application.target_count (计划服务人数, as the organizations declared it; empty counts 0)
    leverage  = (Σ received matched funds + Σ the organizations' own contribution) ÷ awarded — the same ratio
                of sums as a call's funding summary (``funding.matched.queries.leverage_ratio``)

By funding source (按资金来源): each project's award and net payment are split across its call's funding sources
by the one rule of ``calls.sources`` (pro rata to the sources' amounts, rounded down to the 分, the remainder on
the largest source), so the sources' amounts add up to the totals exactly; projects of calls that record no
sources count under 未登记资金来源. A project funded from several sources counts once under each, and the
source table shows money only (people served and leverage belong to projects, not to sources).

The figures are computed in one pass over the funded projects (one query, read in batches, summed here) and
kept as a ``StatisticsSnapshot`` row that every app process reads: a request never sums the funded projects
(100,000 at national scale). When the newest snapshot is older than ``STATISTICS_CACHE_SECONDS`` (default
300), the request that notices it is answered from it and starts a new computation in the background (one
per process at a time; synchronously when ``JOBS_SYNC``); ``flask statistics refresh`` computes one from
cron. Only the very first request, before any snapshot exists, waits for the computation. The page says
when its figures were computed."""
import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from grantportal.applications.models import Application
from grantportal.awards.models import Award, FinalStatus, Proposal, ProposalStatus
from grantportal.calls.models import Call, CallStatus, FundingSourceKind, call_title
from grantportal.calls.sources import by_kind, shares_of, split
from grantportal.core.db import db, utcnow
from grantportal.disclosure.statistics.models import StatisticsSnapshot
from grantportal.funding.matched.queries import leverage_ratio, ratio_text
from grantportal.funding.models import Contract, MatchedFund, Payment, Recovery

log = logging.getLogger("grantportal.statistics")
ZERO = Decimal("0.00")
NO_CATEGORY = "未填写服务领域"
NO_DISTRICT = "未填写镇街"
NO_GRADE = "未评级"
NO_SOURCE = "未登记资金来源"
SOURCE_ORDER = {k.value: i for i, k in enumerate(FundingSourceKind)}


@dataclass(frozen=True)
class Row:
    key: object
    label: str
    projects: int
    awarded: Decimal
    paid: Decimal  # net of recoveries
    people: int
    social: Decimal  # matched funds received
    own: Decimal  # the organizations' own contribution

    @property
    def leverage(self):
        return leverage_ratio(self.awarded, self.social, self.own)

    @property
    def leverage_text(self):
        return ratio_text(self.leverage)


@dataclass(frozen=True)
class Table:
    name: str  # the URL key: year, field, district, tier, call
    title: str  # 按年度 …
    heading: str  # the first column's heading
    rows: list
    money_only: bool = False  # projects, awarded and paid only (the source table): the other columns are empty


@dataclass(frozen=True)
class Figures:
    computed_at: object  # an aware UTC datetime
    total: Row
    tables: list

    def table(self, name):
        return next((t for t in self.tables if t.name == name), None)


def _funded():
    """One row per funded project with its money, as a subquery."""
    paid = (sa.select(Payment.contract_id, sa.func.sum(Payment.amount).label("total"))
            .group_by(Payment.contract_id).subquery())
    recovered = (sa.select(Recovery.contract_id, sa.func.sum(Recovery.amount).label("total"))
                 .group_by(Recovery.contract_id).subquery())
    funds = (sa.select(MatchedFund.award_id, sa.func.sum(MatchedFund.received).label("received"))
             .group_by(MatchedFund.award_id).subquery())
    return (sa.select(
        Call.id.label("call_id"), Call.year.label("year"), Call.name.label("call_name"),
        Call.edition.label("call_edition"), Application.category.label("category"),
        Application.district.label("district"), Award.grade.label("grade"),
        sa.func.coalesce(Award.amount, 0).label("awarded"),
        (sa.func.coalesce(paid.c.total, 0) - sa.func.coalesce(recovered.c.total, 0)).label("paid"),
        sa.func.coalesce(Application.target_count, 0).label("people"),
        sa.func.coalesce(funds.c.received, 0).label("social"),
        sa.func.coalesce(Application.matched_amount, 0).label("own"))
        .select_from(Award)
        .join(Proposal, Proposal.id == Award.proposal_id)
        .join(Call, Call.id == Proposal.call_id)
        .join(Application, Application.id == Award.application_id)
        .outerjoin(Contract, Contract.award_id == Award.id)
        .outerjoin(paid, paid.c.contract_id == Contract.id)
        .outerjoin(recovered, recovered.c.contract_id == Contract.id)
        .outerjoin(funds, funds.c.award_id == Award.id)
        .where(Proposal.status == ProposalStatus.FINAL, Award.final_status == FinalStatus.SELECTED,
               Call.status != CallStatus.DRAFT)
        .subquery())


def _money(v):
    return Decimal(v or 0).quantize(ZERO)


def _exact(v):
    """An amount as read (SQLite may hand back a float for an arithmetic result): as its decimal text."""
    return Decimal(str(v)) if v is not None else ZERO


def _row(key, label, sums):
    projects, awarded, paid, people, social, own = sums
    return Row(key, label, projects, _money(awarded), _money(paid), people, _money(social), _money(own))


def _grade_order(row):
    return (row.key is None, -int(row.key[0]) if row.key and row.key[0].isdigit() else 0, row.key or "")


def _add(groups, key, values):
    sums = groups.get(key)
    if sums is None:
        groups[key] = list(values)
    else:
        for i, v in enumerate(values):
            sums[i] += v


def compute(batch=5000):
    """The figures now: one query over the funded projects, read ``batch`` rows at a time and summed here
    into every table at once."""
    funded = _funded()
    total, years, fields, districts, tiers, calls, titles = [0, ZERO, ZERO, 0, ZERO, ZERO], {}, {}, {}, {}, {}, {}
    sources = {}
    # every final call's funding sources, read once before the pass (a few rows per call)
    shares = shares_of(db.session.scalars(sa.select(Proposal.call_id).where(Proposal.status == ProposalStatus.FINAL)))
    result = db.session.execute(sa.select(funded).execution_options(yield_per=batch))
    for r in result:
        values = (1, _exact(r.awarded), _exact(r.paid), int(r.people or 0), _exact(r.social), _exact(r.own))
        for i, v in enumerate(values):
            total[i] += v
        _add(years, r.year, values)
        _add(fields, r.category or "", values)
        _add(districts, r.district or "", values)
        _add(tiers, r.grade or None, values)
        _add(calls, r.call_id, values)
        titles.setdefault(r.call_id, call_title(r.call_edition, r.call_name))
        _add_sources(sources, shares.get(r.call_id, ()), values[1], values[2])
    return Figures(utcnow(), _row(None, "合计", total), [
        Table("year", "按年度", "年度",
              sorted((_row(y, f"{y}年", v) for y, v in years.items()), key=lambda r: -r.key)),
        Table("field", "按服务领域", "服务领域",
              sorted((_row(c, c or NO_CATEGORY, v) for c, v in fields.items()), key=lambda r: (-r.awarded, r.label))),
        # by 服务镇街, largest amount first; projects from before the field existed last, as 未填写镇街
        Table("district", "按镇街", "服务镇街",
              sorted((_row(d, d or NO_DISTRICT, v) for d, v in districts.items()),
                     key=lambda r: (not r.key, -r.awarded, r.label))),
        Table("tier", "按机构等级（资助时）", "等级",
              sorted((_row(g, f"{g}级" if g else NO_GRADE, v) for g, v in tiers.items()), key=_grade_order)),
        Table("call", "按项目征集", "项目征集",
              sorted((_row(c, titles[c], v) for c, v in calls.items()), key=lambda r: (-r.awarded, r.key))),
        Table("source", "按资金来源", "资金来源",
              sorted((_row(k, FundingSourceKind(k).label if k else NO_SOURCE, v) for k, v in sources.items()),
                     key=lambda r: SOURCE_ORDER.get(r.key, len(SOURCE_ORDER))), money_only=True),
    ])


def _add_sources(groups, shares, awarded, paid):
    """One project's award and net payment split by its call's ``shares`` (``calls.sources``) into ``groups``
    by kind of source (None: the call records no sources)."""
    if not shares:
        _add(groups, None, (1, awarded, paid, 0, ZERO, ZERO))
        return
    awarded_parts, paid_parts = by_kind(split(awarded, shares)), by_kind(split(paid, shares))
    for kind, part in awarded_parts.items():
        _add(groups, kind.value, (1, part, paid_parts.get(kind, ZERO), 0, ZERO, ZERO))


# --- the snapshot every process reads ----------------------------------------------------------------------

_FIELDS = ("projects", "awarded", "paid", "people", "social", "own")


def _dump_row(row):
    return [row.key, row.label, *[str(getattr(row, f)) if isinstance(getattr(row, f), Decimal) else getattr(row, f)
                                  for f in _FIELDS]]


def _load_row(data):
    key, label, projects, awarded, paid, people, social, own = data
    return Row(key, label, projects, Decimal(awarded), Decimal(paid), people, Decimal(social), Decimal(own))


def dump(figures):
    return {"total": _dump_row(figures.total),
            "tables": [{"name": t.name, "title": t.title, "heading": t.heading, "rows": [_dump_row(r) for r in t.rows],
                        "money_only": t.money_only} for t in figures.tables]}


def load(snapshot):
    data = snapshot.figures
    return Figures(snapshot.computed_at, _load_row(data["total"]),
                   [Table(t["name"], t["title"], t["heading"], [_load_row(r) for r in t["rows"]],
                          t.get("money_only", False)) for t in data["tables"]])


def refresh(keep=10):
    """Compute the figures and keep them as the newest snapshot (older ones beyond ``keep`` are dropped);
    commits. Returns the snapshot."""
    started = time.perf_counter()
    figures = compute()
    snapshot = StatisticsSnapshot(computed_at=figures.computed_at, seconds=time.perf_counter() - started,
                                  figures=dump(figures))
    db.session.add(snapshot)
    db.session.flush()
    db.session.execute(sa.delete(StatisticsSnapshot).where(StatisticsSnapshot.id <= snapshot.id - keep))
    db.session.commit()
    return snapshot


_lock = threading.Lock()


def cache_seconds():
    return current_app.config["STATISTICS_CACHE_SECONDS"]


def cached(key, compute_now):
    """``compute_now()``'s value, kept for this application for ``STATISTICS_CACHE_SECONDS``: public figures
    that would otherwise read every row on each request (a count of a million organizations)."""
    seconds = cache_seconds()
    store = current_app.extensions.setdefault("statistics", {})
    kept = store.get(key)
    if kept is None or utcnow() - kept[0] >= timedelta(seconds=seconds):
        with _lock:  # one computation per burst of visitors in this process
            kept = store.get(key)
            if kept is None or utcnow() - kept[0] >= timedelta(seconds=seconds):
                kept = store[key] = (utcnow(), compute_now())
    return kept[1]


def current_figures():
    """The newest snapshot's figures (parsed once per snapshot in each process). With none yet, computed
    now; older than ``STATISTICS_CACHE_SECONDS``, still shown while a new one is computed."""
    newest = db.session.execute(sa.select(StatisticsSnapshot.id, StatisticsSnapshot.computed_at)
                                .order_by(StatisticsSnapshot.id.desc()).limit(1)).first()
    if newest is None:
        with _lock:  # one computation per burst of first visitors in this process
            return load(refresh())
    store = current_app.extensions.setdefault("statistics", {})
    kept = store.get("snapshot")
    if kept is None or kept[0] != newest.id:
        kept = store["snapshot"] = (newest.id, load(db.session.get(StatisticsSnapshot, newest.id)))
    if utcnow() - newest.computed_at >= timedelta(seconds=cache_seconds()):
        _refresh_later(current_app._get_current_object())
    return kept[1]


_refreshing = set()


def _refresh_later(app):
    """A new snapshot, computed in a background thread of this process (at most one at a time), or at once
    when ``JOBS_SYNC``."""
    if app.config.get("JOBS_SYNC"):
        refresh()
        return
    with _lock:
        if id(app) in _refreshing:
            return
        _refreshing.add(id(app))

    def run():
        try:
            with app.app_context():
                refresh()
        except Exception:  # the page keeps showing the previous figures; the next visit tries again
            log.exception("statistics refresh failed")
        finally:
            with _lock:
                _refreshing.discard(id(app))

    threading.Thread(target=run, name="statistics-refresh", daemon=True).start()


def clear_cache():
    """Forget every snapshot: the next request computes the figures again (tests, and after a restore)."""
    db.session.execute(sa.delete(StatisticsSnapshot))
    db.session.commit()
    current_app.extensions.get("statistics", {}).clear()
