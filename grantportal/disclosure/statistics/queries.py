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

The figures come from one grouped query per table over a subquery of the funded projects (six queries in
all, none per row), and are cached per application for ``STATISTICS_CACHE_SECONDS`` (default 300): the
page is public and the data can be national-scale, so a burst of visitors costs one computation; the page
says when the figures were computed."""
import threading
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from grantportal.applications.models import Application
from grantportal.awards.models import Award, FinalStatus, Proposal, ProposalStatus
from grantportal.calls.models import Call, CallStatus
from grantportal.core.db import db, utcnow
from grantportal.funding.matched.queries import leverage_ratio, ratio_text
from grantportal.funding.models import Contract, MatchedFund, Payment, Recovery

ZERO = Decimal("0.00")
NO_CATEGORY = "未填写服务领域"
NO_DISTRICT = "未填写镇街"
NO_GRADE = "未评级"


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


def _sums(funded):
    return [sa.func.count().label("projects"), sa.func.sum(funded.c.awarded), sa.func.sum(funded.c.paid),
            sa.func.sum(funded.c.people), sa.func.sum(funded.c.social), sa.func.sum(funded.c.own)]


def _row(key, label, projects, awarded, paid, people, social, own):
    def money(v):
        return Decimal(v or 0).quantize(ZERO)
    return Row(key, label, int(projects or 0), money(awarded), money(paid), int(people or 0), money(social),
               money(own))


def _grouped(funded, *keys):
    return db.session.execute(sa.select(*keys, *_sums(funded)).group_by(*keys)).all()


def _call_title(name, edition):
    return f"{edition}{name}" if edition else name


def _grade_order(row):
    return (row.key is None, -int(row.key[0]) if row.key and row.key[0].isdigit() else 0, row.key or "")


def compute():
    """The figures now, uncached: six grouped queries."""
    funded = _funded()
    total = _row(None, "合计", *db.session.execute(sa.select(*_sums(funded))).one())
    years = sorted((_row(year, f"{year}年", *rest) for year, *rest in _grouped(funded, funded.c.year)),
                   key=lambda r: -r.key)
    fields = sorted((_row(cat or "", cat or NO_CATEGORY, *rest)
                     for cat, *rest in _grouped(funded, funded.c.category)),
                    key=lambda r: (-r.awarded, r.label))
    # by 服务镇街, largest amount first; projects from before the field existed last, as 未填写镇街
    districts = sorted((_row(district or "", district or NO_DISTRICT, *rest)
                        for district, *rest in _grouped(funded, funded.c.district)),
                       key=lambda r: (not r.key, -r.awarded, r.label))
    tiers = sorted((_row(grade or None, f"{grade}级" if grade else NO_GRADE, *rest)
                    for grade, *rest in _grouped(funded, funded.c.grade)), key=_grade_order)
    calls = sorted((_row(call_id, _call_title(name, edition), *rest) for call_id, year, name, edition, *rest
                    in _grouped(funded, funded.c.call_id, funded.c.year, funded.c.call_name, funded.c.call_edition)),
                   key=lambda r: (-r.awarded, r.key))
    return Figures(utcnow(), total, [
        Table("year", "按年度", "年度", years),
        Table("field", "按服务领域", "服务领域", fields),
        Table("district", "按镇街", "服务镇街", districts),
        Table("tier", "按机构等级（资助时）", "等级", tiers),
        Table("call", "按项目征集", "项目征集", calls),
    ])


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
    """The cached figures of this application, recomputed when older than ``STATISTICS_CACHE_SECONDS``."""
    return cached("figures", compute)


def clear_cache():
    current_app.extensions.get("statistics", {}).clear()
