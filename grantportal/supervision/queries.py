"""Reads of 随手拍 supervision reports shared by its pages, the project's public page (disclosure) and 我的参与
(citizens asks through ``core.signals``; connected when the app is created: ``grantportal/app.py`` imports this
module). Every read loads what its page shows, so that templates never query."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload, selectinload

from grantportal.accounts.models import User
from grantportal.applications.models import Application
from grantportal.awards.models import Award
from grantportal.citizens.queries import Record
from grantportal.core import signals
from grantportal.core.db import built_once, db
from grantportal.core.masking import mask_text
from grantportal.core.paging import Pager
from grantportal.core.roles import Role
from grantportal.funding.models import Contract
from grantportal.supervision.models import Finding, SupervisionPhoto, SupervisionReport, SupervisionStatus

PUBLIC_LATEST = 20  # answered reports shown on a project's public page, newest first


def _project():
    return joinedload(SupervisionReport.contract).joinedload(Contract.award).joinedload(Award.application) \
        .joinedload(Application.org)


def count_awaiting_assignment():
    """随手拍 reports nobody has taken yet (the officer's 待办; ``ix_supervision_report_status_filed``)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionReport)
                             .where(SupervisionReport.status == SupervisionStatus.PENDING))


def report_for_page(report_id):
    """The report with its project (award, application, organization), photos, assignee and reporter loaded; or
    None. Read fresh, so that a page rendered after a refusal's rollback does not query."""
    return db.session.scalar(
        sa.select(SupervisionReport).where(SupervisionReport.id == report_id)
        .options(_project(),
                 selectinload(SupervisionReport.photos).joinedload(SupervisionPhoto.file),
                 joinedload(SupervisionReport.assigned_to), joinedload(SupervisionReport.filed_by))
        .execution_options(populate_existing=True))


def queue_page(status, page, per_page):
    """The officers' queue: how many reports are in each status, and the page of ``status`` (None: all), newest
    first (``ix_supervision_report_status_filed``)."""
    counts = dict(db.session.execute(sa.select(SupervisionReport.status, sa.func.count())
                                     .group_by(SupervisionReport.status)).all())
    total = counts.get(status, 0) if status is not None else sum(counts.values())
    pager = Pager(total, page, per_page)
    query = (sa.select(SupervisionReport).options(_project(), joinedload(SupervisionReport.assigned_to))
             .order_by(SupervisionReport.filed_at.desc(), SupervisionReport.id.desc())
             .offset(pager.start).limit(per_page))
    if status is not None:
        query = query.where(SupervisionReport.status == status)
    pager.items = db.session.scalars(query).all()
    return counts, pager


def own_page(user_id, page, per_page):
    """A citizen's own reports, newest first."""
    where = SupervisionReport.filed_by_id == user_id
    total = db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionReport).where(where))
    pager = Pager(total, page, per_page)
    pager.items = db.session.scalars(
        sa.select(SupervisionReport).where(where).options(_project())
        .order_by(SupervisionReport.filed_at.desc(), SupervisionReport.id.desc())
        .offset(pager.start).limit(per_page)).all()
    return pager


def org_page(org_id, page, per_page):
    """The reports an organization was asked to answer, the unanswered first, then newest asked first."""
    where = (SupervisionReport.org_asked_at.is_not(None), Application.org_id == org_id)
    joined = (sa.select(SupervisionReport).join(Contract, Contract.id == SupervisionReport.contract_id)
              .join(Award, Award.id == Contract.award_id).join(Application, Application.id == Award.application_id)
              .where(*where))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(joined.subquery()))
    pager = Pager(total, page, per_page)
    pager.items = db.session.scalars(
        joined.options(_project())
        .order_by(SupervisionReport.org_answered_at.is_not(None), SupervisionReport.org_asked_at.desc(),
                  SupervisionReport.id.desc())
        .offset(pager.start).limit(per_page)).all()
    return pager


def active_officers():
    """The officers a report may be assigned to, by name."""
    return db.session.scalars(sa.select(User).where(User.role == Role.OFFICER, User.is_active.is_(True))
                              .order_by(User.name, User.id)).all()


@dataclass(frozen=True)
class PublicFinding:
    """What the public sees of an answered report: when it was received and answered, the finding and the
    officer's summary with personal numbers masked. Nothing about the reporter."""

    filed_on: datetime
    concluded_at: datetime
    finding: Finding
    summary: str


def public_findings(contract, limit=PUBLIC_LATEST):
    """The project's answered reports for its public page, newest answer first (at most ``limit``), and how
    many there are in all (``ix_supervision_report_contract_status``)."""
    params = {"contract_id": contract.id, "limit": limit}
    rows = db.session.execute(_latest_findings(), params).all()
    total = len(rows) if len(rows) < limit else db.session.scalar(_findings_count(), params)
    return [PublicFinding(r.filed_at, r.concluded_at, r.finding, mask_text(r.public_summary)) for r in rows], total


def _answered():
    return (SupervisionReport.contract_id == sa.bindparam("contract_id"),
            SupervisionReport.status == SupervisionStatus.ANSWERED)


@built_once
def _latest_findings():
    return (sa.select(SupervisionReport.filed_at, SupervisionReport.concluded_at, SupervisionReport.finding,
                      SupervisionReport.public_summary).where(*_answered())
            .order_by(SupervisionReport.concluded_at.desc(), SupervisionReport.id.desc())
            .limit(sa.bindparam("limit")))


@built_once
def _findings_count():
    return sa.select(sa.func.count()).select_from(SupervisionReport).where(*_answered())


def status_words(report):
    """The report's status as its reporter reads it."""
    if report.status == SupervisionStatus.ANSWERED:
        return f"已答复：{report.finding.label}"
    if report.status == SupervisionStatus.ASSIGNED:
        return "核查中"
    if report.status == SupervisionStatus.CLOSED:
        return f"已关闭（{report.close_kind.label}）"
    return "已提交，待受理"


@signals.participant_supervision_reports.connect
def reports_of(sender):
    """A citizen's latest reports for 我的参与 (``sender``: user id, how many), and how many in all."""
    user_id, limit = sender
    pager = own_page(user_id, 1, limit)
    return [Record(r.contract.award.application.title, r.filed_at, status_words(r),
                   url_for("supervision.detail", report_id=r.id)) for r in pager.items], pager.total
