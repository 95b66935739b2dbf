"""The 整改 loop: a case opens with its 整改通知书 and pauses the unpaid tranches; the organization files its
整改报告 with evidence; the officer verifies it (整改完成 releases the tranches, 继续整改 sets a new deadline);
an overdue case is marked once and the officer told; everything on the timeline and, in summary, in public."""
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from grantportal.core.db import db, utcnow
from grantportal.core.notices import Notice
from grantportal.documents.models import DocumentKind
from grantportal.funding.models import TrancheStatus
from grantportal.funding.operations import FundingRefused
from grantportal.funding.payments.operations import record_payment
from grantportal.funding.payments.tranches import tranche_states
from grantportal.monitoring import rectification as rect
from grantportal.monitoring.closure import closure_problem
from grantportal.monitoring.rectification_models import CaseStatus, Verdict
from grantportal.monitoring.timeline import project_timeline
from grantportal.monitoring.workflow import MonitoringRefused
from grantportal.schedule import BY_NAME, run_task
from tests.monitoring.conftest import pay_all, png_bytes
from tests.permissions.world import TINY_PDF

FINDINGS = "服务台账不完整，缺少3月份探访记录\n志愿者培训未按计划开展"
PAID_ON = date(2026, 2, 1)


def _notices(user, title):
    return db.session.scalars(sa.select(Notice).where(Notice.user_id == user.id, Notice.title == title)).all()


def _open(project, deadline=None):
    case = rect.open_case(project.contract, project.officer, FINDINGS, deadline, utcnow())
    db.session.commit()
    return case


def _evidence(name="整改照片.png", data=None):
    data = png_bytes() if data is None else data
    return rect.Evidence(FileStorage(io.BytesIO(data), filename=name), name.rsplit(".", 1)[-1])


def _file(project, case, body="已补齐3月份探访记录并完成志愿者培训。", evidence=()):
    report = rect.file_report(case, project.member, body, utcnow(), evidence)
    db.session.commit()
    return report


def _verify(project, case, verdict=Verdict.DONE, note="", new_deadline=None):
    rect.verify(case, project.officer, verdict, utcnow(), note, new_deadline)
    db.session.commit()
    return case


def _pay(project, position=1, voucher="FK-001"):
    tranche = next(t for t in project.contract.tranches if t.position == position)
    payment = record_payment(project.contract, tranche, project.officer, PAID_ON, tranche.amount, voucher)
    db.session.commit()
    return payment


def test_opening_a_case_issues_the_notice_and_pauses_every_unpaid_tranche(project):
    case = _open(project)
    assert case.status == CaseStatus.OPEN and case.finding_lines == FINDINGS.splitlines()
    assert case.document.kind == DocumentKind.RECTIFICATION_NOTICE
    assert case.document.body["deadline"] and "探访记录" in case.document.body["reason"]
    states = tranche_states(project.contract)
    assert {s.status for s in states} == {TrancheStatus.BLOCKED}
    assert all("整改" in s.blocked_reason and "探访" not in s.blocked_reason for s in states)  # no findings
    with pytest.raises(FundingRefused, match="第1期暂停拨付：项目整改期间暂停拨付"):
        _pay(project)
    assert _notices(project.member, "整改通知")


def test_the_default_deadline_is_the_calls_working_days_at_five_in_the_afternoon(project):
    project.call.rectification_days = 3
    db.session.commit()
    friday = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # Friday 10:00 Beijing
    assert rect.default_deadline(project.call, friday) == datetime(2026, 12, 9, 9, 0, tzinfo=UTC)  # Wed 17:00


def test_a_second_case_waits_for_the_first_and_a_past_deadline_is_refused(project):
    with pytest.raises(MonitoringRefused, match="整改期限须晚于现在"):
        rect.open_case(project.contract, project.officer, FINDINGS, utcnow() - timedelta(hours=1), utcnow())
    db.session.rollback()
    _open(project)
    with pytest.raises(MonitoringRefused, match="已有未完成的整改"):
        rect.open_case(project.contract, project.officer, "另一项问题需要整改", None, utcnow())


def test_closing_the_case_releases_the_tranches_and_payment_goes_through(project):
    case = _open(project)
    report = _file(project, case, evidence=[_evidence(), _evidence("整改说明.pdf", TINY_PDF)])
    assert case.status == CaseStatus.REPORTED and len(report.evidence) == 2
    assert _notices(project.officer, "整改报告待核查")
    with pytest.raises(FundingRefused, match="暂停拨付"):  # still paused while it is checked
        _pay(project)
    db.session.rollback()
    _verify(project, case)
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert project.contract.paused_reason is None
    assert tranche_states(project.contract)[0].status == TrancheStatus.PAYABLE
    assert _pay(project).amount > Decimal("0")
    assert _notices(project.member, "整改已完成")


def test_a_report_after_closure_is_refused_in_chinese(project):
    case = _open(project)
    _file(project, case)
    _verify(project, case)
    with pytest.raises(MonitoringRefused, match="该整改已完成并关闭，不再接受整改报告"):
        rect.file_report(case, project.member, "再补充一份材料说明。", utcnow())


def test_a_second_report_waits_for_the_verdict(project):
    case = _open(project)
    _file(project, case)
    with pytest.raises(MonitoringRefused, match="正在核查"):
        rect.file_report(case, project.member, "再补充一份材料说明。", utcnow())


def test_continue_rectification_needs_a_reason_and_a_new_deadline_and_keeps_the_pause(project):
    case = _open(project)
    _file(project, case)
    later = utcnow() + timedelta(days=10)
    with pytest.raises(MonitoringRefused, match="继续整改的理由"):
        rect.verify(case, project.officer, Verdict.CONTINUE, utcnow(), "", later)
    db.session.rollback()
    with pytest.raises(MonitoringRefused, match="请填写整改期限"):
        rect.verify(case, project.officer, Verdict.CONTINUE, utcnow(), "培训记录缺少签到表。", None)
    db.session.rollback()
    _verify(project, case, Verdict.CONTINUE, "培训记录缺少签到表。", later)
    assert case.status == CaseStatus.OPEN and case.rounds == 2 and case.deadline == later
    assert case.reports[0].verdict == Verdict.CONTINUE and case.reports[0].new_deadline == later
    assert {s.status for s in tranche_states(project.contract)} == {TrancheStatus.BLOCKED}
    notice = _notices(project.member, "须继续整改")[0]
    assert "培训记录缺少签到表" in notice.body
    _file(project, case, "已补齐培训签到表。")  # the next report is accepted
    _verify(project, case)
    assert case.status == CaseStatus.CLOSED


def test_only_the_verifier_may_verify_and_only_the_organization_may_report(project):
    case = _open(project)
    with pytest.raises(MonitoringRefused, match="只有承接机构可以提交整改报告"):
        rect.file_report(case, project.officer, "官员代为填写的报告。", utcnow())
    db.session.rollback()
    _file(project, case)
    with pytest.raises(MonitoringRefused, match="只有项目官员或第三方机构可以确认整改完成"):
        rect.verify(case, project.member, Verdict.DONE, utcnow())


def test_overdue_cases_are_marked_once_and_the_officer_told(project, app):
    case = _open(project, deadline=utcnow() + timedelta(hours=2))
    later = utcnow() + timedelta(hours=3)
    assert rect.mark_overdue(later) == 1
    db.session.commit()
    assert rect.mark_overdue(later + timedelta(hours=1)) == 0  # run again: nothing new
    db.session.commit()
    assert case.overdue_at == later
    assert len(_notices(project.officer, "整改逾期")) == 1
    # a new deadline after 继续整改 can be missed again: marked again once
    _file(project, case)
    assert rect.mark_overdue(later + timedelta(hours=2)) == 0  # reported: not overdue
    _verify(project, case, Verdict.CONTINUE, "签到表仍不完整。", later + timedelta(hours=4))
    assert case.overdue_at is None
    assert rect.mark_overdue(later + timedelta(hours=5)) == 1


@pytest.mark.parametrize("terminates", [False, True], ids=["notify", "terminate"])
def test_an_overdue_case_says_what_the_calls_rule_wants(project, client, auth, terminates):
    """The call's rule (整改逾期的，终止合同并追回已拨付资金): the officer's notice and the case page say so, with the
    way to the contract page's 终止合同; without it they ask the officer to follow the case up."""
    project.call.rectification_overdue_terminates = terminates
    case = _open(project, deadline=utcnow() + timedelta(hours=2))
    rect.mark_overdue(utcnow() + timedelta(hours=3))
    db.session.commit()
    body = _notices(project.officer, "整改逾期")[0].body
    assert ("应终止合同并追回已拨付资金" in body) == terminates and ("请督促或依约处理" in body) != terminates
    auth.login(project.officer)
    page = client.get(f"/rectifications/{case.id}").get_data(as_text=True)
    assert "整改已逾期" in page
    assert (f"/manage/awards/{project.award.id}/contract#terminate" in page) is True
    assert ("应终止合同并追回已拨付资金" in page) == terminates


def test_the_scheduled_task_runs_once_per_hour(project, app):
    _open(project, deadline=utcnow() + timedelta(minutes=30))
    now = utcnow() + timedelta(hours=2)
    task = BY_NAME["rectification_overdue"]
    first = run_task(app, task, now)
    assert first.ok and first.outcome.startswith("1 个整改逾期")
    assert run_task(app, task, now) is None  # the same period: not run again
    again = run_task(app, task, now + timedelta(hours=1))
    assert again.ok and again.outcome == "没有新逾期的整改。"
    assert len(_notices(project.officer, "整改逾期")) == 1


def test_the_timeline_shows_every_step(project):
    case = _open(project)
    _file(project, case)
    _verify(project, case, Verdict.CONTINUE, "签到表仍不完整。", utcnow() + timedelta(days=5))
    _file(project, case, "已补齐签到表。")
    _verify(project, case)
    titles = [e.title for e in project_timeline(project.contract, date(2026, 12, 7)) if e.link_case_id == case.id]
    assert titles == ["责令整改", "提交整改报告", "继续整改", "提交整改报告", "整改完成，恢复拨付"]


def test_pages_show_the_pause_and_the_public_page_only_a_summary(project, client, auth):
    case = _open(project)
    auth.login(project.officer)
    payments = client.get(f"/manage/contracts/{project.contract.id}/payments").get_data(as_text=True)
    assert "项目整改期间暂停拨付" in payments
    officer_page = client.get(f"/rectifications/{case.id}").get_data(as_text=True)
    assert "探访记录" in officer_page
    auth.logout()
    auth.login(project.member)
    for path in (f"/contracts/{project.contract.id}/funding", f"/projects/{project.contract.id}/timeline"):
        page = client.get(path).get_data(as_text=True)
        assert "项目整改期间暂停拨付" in page, path
    auth.logout()
    public = client.get(f"/projects/{project.contract.id}").get_data(as_text=True)
    assert "整改中" in public and "探访记录" not in public
    _file(project, case)
    _verify(project, case)
    public = client.get(f"/projects/{project.contract.id}").get_data(as_text=True)
    assert "已完成整改" in public and "项目整改期间暂停拨付" not in public


def test_the_organization_files_its_report_from_the_page(project, client, auth):
    case = _open(project)
    auth.login(project.member)
    empty = client.post(f"/rectifications/{case.id}/report", data={"body": ""})
    assert empty.status_code == 400 and "请填写整改情况" in empty.get_data(as_text=True)
    bad = client.post(f"/rectifications/{case.id}/report", data={
        "body": "已补齐记录。", "evidence": (io.BytesIO(b"not a pdf"), "说明.pdf")}, content_type="multipart/form-data")
    assert bad.status_code == 400 and "不符" in bad.get_data(as_text=True)
    assert db.session.get(type(case), case.id).status == CaseStatus.OPEN
    ok = client.post(f"/rectifications/{case.id}/report", data={
        "body": "已补齐3月份探访记录。", "evidence": (io.BytesIO(png_bytes()), "现场照片.png")},
        content_type="multipart/form-data")
    assert ok.status_code == 303
    db.session.expire_all()
    case = db.session.get(type(case), case.id)
    assert case.status == CaseStatus.REPORTED
    evidence = case.reports[0].evidence[0]
    download = client.get(f"/rectifications/{case.id}/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data.startswith(b"\x89PNG")
    auth.logout()
    _verify(project, case)
    auth.login(project.member)
    late = client.post(f"/rectifications/{case.id}/report", data={"body": "再补充一份材料说明。"})
    assert late.status_code == 409 and "该整改已完成并关闭，不再接受整改报告" in late.get_data(as_text=True)


def test_the_officer_verifies_from_the_page(project, client, auth):
    case = _open(project)
    _file(project, case)
    auth.login(project.officer)
    missing = client.post(f"/rectifications/{case.id}/verify", data={"verdict": "continue", "note": ""})
    assert missing.status_code == 400
    text = missing.get_data(as_text=True)
    assert "请写明理由" in text and "请填写新的整改期限" in text
    done = client.post(f"/rectifications/{case.id}/verify", data={"verdict": "done"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(case), case.id).status == CaseStatus.CLOSED


def test_a_project_with_an_open_case_cannot_be_closed(project):
    pay_all(project.contract, project.officer)
    case = _open(project)
    assert closure_problem(project.contract) == "整改尚未完成，整改完成后才能结项。"
    _file(project, case)
    _verify(project, case)
    assert "整改" not in (closure_problem(project.contract) or "")
