"""Terminating a contract closes its open 整改 (reason 合同终止): funding announces the termination, monitoring
closes the case in the same transaction — on the timeline, the case and public pages, audited, the organization
told; the tranches stay stopped; a report afterwards is refused."""
from datetime import date

import pytest
import sqlalchemy as sa

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.funding.contracts.operations import terminate_contract
from grantportal.funding.models import ContractStatus, TrancheStatus
from grantportal.funding.payments.tranches import TERMINATED
from grantportal.monitoring import rectification as rect
from grantportal.monitoring.rectification_models import CaseStatus
from grantportal.monitoring.timeline import project_timeline
from grantportal.monitoring.workflow import MonitoringRefused
from tests.monitoring.test_rectification import _file, _notices, _open, _verify

REASON = "机构严重违约，经研究决定终止合同"


def _terminate(project):
    terminate_contract(project.contract, project.officer, REASON)
    db.session.commit()


@pytest.mark.parametrize("reported", [False, True], ids=["open", "reported"])
def test_termination_closes_the_open_case_with_the_reason(project, reported):
    case = _open(project)
    if reported:
        _file(project, case)  # a report waiting for verification: closed unverified
    _terminate(project)
    db.session.refresh(case)
    assert case.status == CaseStatus.CLOSED and case.closed_reason == "合同终止"
    assert case.closed_at is not None and case.closed_by_id == project.officer.id
    assert case.closed_label == "已关闭（合同终止）"
    assert rect.open_cases(project.contract) == []
    # the tranches stay stopped: by the termination, no longer by the 整改
    assert project.contract.status == ContractStatus.TERMINATED
    assert {t.status for t in project.contract.tranches} == {TrancheStatus.BLOCKED}
    assert {t.blocked_reason for t in project.contract.tranches} == {TERMINATED}
    assert _notices(project.member, "整改随合同终止关闭")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "rectification.end")).one()
    assert entry.after and "closed" in str(entry.after)


def test_the_timeline_shows_the_closure(project):
    case = _open(project)
    _terminate(project)
    titles = [e.title for e in project_timeline(project.contract, date(2026, 12, 7)) if e.link_case_id == case.id]
    assert titles == ["责令整改", "整改关闭：合同终止"]


def test_a_report_after_the_termination_is_refused(project):
    case = _open(project)
    _terminate(project)
    with pytest.raises(MonitoringRefused, match="该整改已因合同终止关闭"):
        rect.file_report(case, project.member, "已补齐3月份探访记录。", utcnow())
    db.session.rollback()


def test_a_closed_case_stays_as_it_was(project):
    case = _open(project)
    _file(project, case)
    _verify(project, case)
    _terminate(project)
    db.session.refresh(case)
    assert case.closed_reason is None and case.closed_label == "已完成整改"
    assert not _notices(project.member, "整改随合同终止关闭")


def test_pages_say_the_case_closed_on_termination(project, client, auth):
    case = _open(project)
    _terminate(project)
    public = client.get(f"/projects/{project.contract.id}").get_data(as_text=True)
    assert "已关闭（合同终止）" in public and "整改中" not in public
    auth.login(project.member)
    page = client.get(f"/rectifications/{case.id}").get_data(as_text=True)
    assert "该整改已因合同终止关闭" in page and "已关闭（合同终止）" in page
