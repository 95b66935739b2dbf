"""What every write of implementation monitoring shares: the refusal, the report's workflow as data and the
project's lock and notices.

A report's status changes only through ``REPORT`` (its steps as data, ``core.workflow``):

    待提交 --保存--> 草稿
    待提交 / 草稿 / 退回修改 --提交--> 已提交 --审核通过--> 已审核
                                       已提交 --退回--> 退回修改
    待提交 / 草稿 / 退回修改 --免除（结项时仍欠交）--> 免于提交

While a report may still be submitted (待提交, 草稿, 退回修改) its organization may also edit it; editing a
草稿 or 退回修改 report keeps its status.
"""
import sqlalchemy as sa

from grantportal.core.db import built_once, db, lock_row
from grantportal.core.errors import Refused, stale_message
from grantportal.core.notices import notify
from grantportal.core.permissions import has_role, is_officer
from grantportal.core.roles import Role
from grantportal.core.timeutil import format_date
from grantportal.core.wording import quoted
from grantportal.core.workflow import StateMachine, Transition
from grantportal.funding.models import Contract
from grantportal.monitoring.models import Report, ReportStatus
from grantportal.monitoring.schedule import OPEN


class MonitoringRefused(Refused):
    """A monitoring operation refused (``core.errors.Refused``: message, field, status)."""


class StaleReport(MonitoringRefused):
    """The report changed since the page was opened (its version): nothing was saved."""

    def __init__(self):
        super().__init__(stale_message("该报告"))


def _is_org_member(user):
    """Which organization's member is the permission's question (``can_file_report``)."""
    return has_role(user, Role.ORG_MEMBER)


def _not_editable(report):
    return f"该报告{report.status.label}，不能再修改。"


def _not_reviewable(report):
    return f"该报告当前为{quoted(report.status.label)}，只有已提交的报告才能审核。"


R = ReportStatus
REPORT = StateMachine(
    "report", "status", ReportStatus, final=frozenset({R.ACCEPTED, R.WAIVED}), refusal=MonitoringRefused,
    noun="报告",
    transitions=(
        Transition("save", frozenset({R.DUE}), R.DRAFT, "保存", "承接机构", _is_org_member),
        Transition("submit", frozenset(OPEN), R.SUBMITTED, "提交", "承接机构", _is_org_member),
        Transition("accept", frozenset({R.SUBMITTED}), R.ACCEPTED, "审核通过", "项目官员", is_officer),
        Transition("return", frozenset({R.SUBMITTED}), R.RETURNED, "退回", "项目官员", is_officer),
        # still owed when the project closes: no longer required (taken inside 结项, logged under its name)
        Transition("waive", frozenset(OPEN), R.WAIVED, "免除", "项目官员", is_officer, audit="contract.close"),
    ),
    not_allowed={R.SUBMITTED: _not_editable, R.ACCEPTED: _not_reviewable, R.RETURNED: _not_reviewable},
)


def org_of(contract):
    return contract.award.application.org


def period_text(report):
    return f"{format_date(report.period_start)}至{format_date(report.period_end)}"


def notify_org(contract, title, body, link=None):
    """A notice to every member of the project's organization (sent after the commit, ``core.notices``)."""
    for member in org_of(contract).members:
        notify(member.user, title, body, link)


def lock_project(contract):
    """Writers on one project take turns (``core.db.lock_row``), so state checks hold until commit."""
    lock_row(Contract, contract.id)


def reports_of(contract):
    return db.session.scalars(_reports_of(), {"contract_id": contract.id}).all()


@built_once
def _reports_of():
    return (sa.select(Report).where(Report.contract_id == sa.bindparam("contract_id"))
            .order_by(Report.due_on, Report.period_end, Report.id))


def check_version(report, expected):
    """The report is still the version the page showed (``expected``, None: not checked), else ``StaleReport``."""
    if expected is not None and expected != report.version:
        raise StaleReport()
