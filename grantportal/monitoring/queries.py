"""Reads of monitoring shared by several pages: a report with what its page shows, and for pages of higher
domains (the officer's 待办) reports waiting for review and reports overdue. The counts run over
``ix_report_status_due`` (status first), never a scan of every report. Also the answer to a lower domain's
question (``core.signals``): the projects an organization undertook, for its public record."""
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from grantportal.applications.models import Application
from grantportal.awards.models import Award, FinalStatus, Proposal, ProposalStatus
from grantportal.calls.models import Call, CallStatus, call_title
from grantportal.core import signals
from grantportal.core.db import db
from grantportal.funding.models import IN_FORCE, Contract, ContractStatus, Payment, Recovery
from grantportal.monitoring.models import Evaluation, Report, ReportPhoto, ReportStatus
from grantportal.monitoring.schedule import local_date, overdue_clause
from grantportal.orgs.record import ProjectLine

MAX_PUBLIC_PROJECTS = 200  # an organization's record lists its latest projects, at most this many


def report_with_project(report_id):
    """The report with what its page shows loaded (its project: contract, award, application with its
    organization and budget lines; its spending and photos with their files); or None. Read fresh from the
    database (``populate_existing``), so a page rendered after a refusal's rollback does not query."""
    application = joinedload(Report.contract).joinedload(Contract.award).joinedload(Award.application)
    return db.session.scalar(
        sa.select(Report).where(Report.id == report_id)
        .options(application.joinedload(Application.org), application.selectinload(Application.budget_lines),
                 selectinload(Report.spending), selectinload(Report.photos).joinedload(ReportPhoto.file))
        .execution_options(populate_existing=True))


def count_reports_awaiting_review():
    """Reports an organization has submitted (已提交) and an officer has not yet accepted or returned."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Report)
                             .where(Report.status == ReportStatus.SUBMITTED))


def reports_awaiting_review(limit=100):
    """The oldest submitted reports first, with their project, for the officer's list."""
    return db.session.scalars(
        sa.select(Report).where(Report.status == ReportStatus.SUBMITTED)
        .options(joinedload(Report.contract).joinedload(Contract.award).joinedload(Award.application))
        .order_by(Report.submitted_at, Report.id).limit(limit)).all()


def count_overdue_reports(now):
    """Reports of projects in progress (履行中) past their due date and not delivered (schedule.py's rule)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Report).join(Contract, Contract.id == Report.contract_id)
        .where(overdue_clause(local_date(now)), Contract.status == ContractStatus.ACTIVE))


@signals.org_public_projects.connect
def org_public_projects(org):
    """The organization's projects selected in final results of public calls, newest first: one query for
    the projects (with what was paid) and, when any contract is in force, one for their evaluations —
    two plain queries rather than one joining both, whose planning alone took longer than either."""
    # per contract, by its index: a GROUP BY over every payment of the platform on each request would grow
    # with the whole country's payments
    paid = (sa.select(sa.func.sum(Payment.amount)).where(Payment.contract_id == Contract.id)
            .correlate(Contract).scalar_subquery())
    recovered = (sa.select(sa.func.sum(Recovery.amount)).where(Recovery.contract_id == Contract.id)
                 .correlate(Contract).scalar_subquery())
    rows = db.session.execute(
        sa.select(Call.id, Call.name, Call.edition, Application.title, Proposal.confirmed_at, Award.level,
                  Award.amount, Contract.id, Contract.status, sa.func.coalesce(paid, 0),
                  sa.func.coalesce(recovered, 0))
        .select_from(Award).join(Application, Application.id == Award.application_id)
        .join(Proposal, Proposal.id == Award.proposal_id).join(Call, Call.id == Proposal.call_id)
        .outerjoin(Contract, Contract.award_id == Award.id)
        .where(Application.org_id == org.id, Proposal.status == ProposalStatus.FINAL,
               Award.final_status == FinalStatus.SELECTED, Call.status != CallStatus.DRAFT)
        .order_by(Proposal.confirmed_at.desc(), Award.id.desc()).limit(MAX_PUBLIC_PROJECTS)).all()
    public = [row[7] for row in rows if row[8] in IN_FORCE]
    grades = {}
    if public:
        for contract_id, stage, grade in db.session.execute(
                sa.select(Evaluation.contract_id, Evaluation.stage, Evaluation.grade)
                .where(Evaluation.contract_id.in_(public)).order_by(Evaluation.evaluated_at, Evaluation.id)):
            grades.setdefault(contract_id, []).append(f"{stage.label}：{grade.label}")
    lines = []
    for (call_id, call_name, edition, title, confirmed_at, level, amount, contract_id, status, paid_sum,
         recovered_sum) in rows:
        in_force = status in IN_FORCE
        lines.append(ProjectLine(
            call_id=call_id, call_title=call_title(edition, call_name), title=title,
            decided_at=confirmed_at, level=level.label, amount=amount,
            paid=(Decimal(paid_sum) - Decimal(recovered_sum)).quantize(Decimal("0.01")),
            contract_id=contract_id if in_force else None, contract_status=status.label if in_force else None,
            grades=tuple(grades.get(contract_id, ())) if in_force else ()))
    return lines
