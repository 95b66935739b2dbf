"""Reads of monitoring shared by several pages: a report with what its page shows, and for pages of higher
domains (the officer's 待办) reports waiting for review and reports overdue. The counts run over
``ix_report_status_due`` (status first), never a scan of every report."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from grantportal.applications.models import Application
from grantportal.awards.models import Award
from grantportal.core.db import db
from grantportal.funding.models import Contract, ContractStatus
from grantportal.monitoring.models import Report, ReportPhoto, ReportStatus
from grantportal.monitoring.schedule import local_date, overdue_clause


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
