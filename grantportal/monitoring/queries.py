"""Reads of monitoring shared by pages of higher domains (the officer's 待办): reports waiting for review and
reports overdue. Both are counts over ``ix_report_status_due`` (status first), never a scan of every report."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from grantportal.awards.models import Award
from grantportal.core.db import db
from grantportal.funding.models import Contract, ContractStatus
from grantportal.monitoring.models import Report, ReportStatus
from grantportal.monitoring.schedule import local_date, overdue_clause


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
