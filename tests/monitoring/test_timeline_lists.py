"""Each side's project timeline, the officer's monitoring list and the organization's project list."""
from datetime import UTC, date, datetime

import pytest

from grantportal.core.db import db
from grantportal.funding.models import Payment, Recovery
from grantportal.monitoring import operations as ops
from grantportal.monitoring import views
from grantportal.monitoring.models import EvaluationGrade, EvaluationStage, ReportKind
from grantportal.monitoring.timeline import project_timeline
from tests.monitoring.conftest import active_contract, filled, report_of


def _at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def today(monkeypatch):
    """The pages' clock: 2026-05-01 10:00 Beijing."""
    monkeypatch.setattr(views, "utcnow", lambda: _at(2026, 5, 1, 2, 0))
    return date(2026, 5, 1)


def _story(project):
    """Award confirmed, paid, a recovery, final report submitted and accepted, accepted (验收), closed."""
    project.award.proposal.confirmed_at = _at(2025, 12, 20, 2, 0)
    final = report_of(project, ReportKind.FINAL)
    ops.save_report(final, project.member, filled(final), _at(2027, 1, 10, 1, 0), submit=True)
    ops.accept_report(final, project.officer, _at(2027, 1, 12, 8, 0))
    ops.record_evaluation(project.contract, project.officer, EvaluationStage.ACCEPTANCE, EvaluationGrade.GOOD,
                          None, "验收合格。", _at(2027, 1, 20, 3, 0))
    first = project.contract.tranches[0]
    db.session.add(Payment(contract_id=project.contract.id, tranche=first, paid_on=date(2026, 1, 5),
                           amount=first.amount, voucher_number="PZ-001", recorded_by_id=project.officer.id))
    db.session.add(Recovery(contract_id=project.contract.id, recovered_on=date(2026, 11, 2), amount=100,
                            voucher_number="ZH-001", reason="超范围列支的餐费。", recorded_by_id=project.officer.id))
    project.contract.closed_at = _at(2027, 2, 1, 2, 0)
    db.session.commit()


def test_the_timeline_is_one_ordered_list_from_award_to_closure(scheduled):
    _story(scheduled)
    events = project_timeline(scheduled.contract, date(2026, 5, 1))
    assert [e.title for e in events] == [
        "最终结果确定，项目入选", "合同确认生效，项目开始履行", "拨付第1期资金", "进度报告应提交", "中期报告应提交",
        "进度报告应提交", "追回资金", "结项报告已提交", "结项报告审核通过", "结项验收：良好", "结项报告应提交",
        "项目结项"]
    assert [e.overdue_days for e in events if e.kind == "report_due"] == [16, 0, 0, 0]
    assert [e.upcoming for e in events if e.kind == "report_due"] == [False, True, True, False]
    assert "¥25,000.00" in events[2].detail and "PZ-001" in events[2].detail
    assert "超范围列支的餐费" in events[6].detail


def test_both_sides_see_the_timeline_in_beijing_time_with_overdue_flags(client, auth, scheduled, today):
    _story(scheduled)
    for user in (scheduled.member, scheduled.officer):
        auth.login(user)
        body = client.get(f"/projects/{scheduled.contract.id}/timeline").get_data(as_text=True)
        assert "2025年12月30日 10:00" in body  # confirmed at 02:00 UTC
        assert "已逾期16天" in body
        assert "项目结项" in body
        auth.logout()


def test_the_officer_list_shows_overdue_counts_and_filters(client, auth, project, today):
    other = active_contract(project.other_award, project.officer, starts_on=date(2026, 4, 1))
    for contract in (project.contract, other):
        ops.schedule_reports(contract, project.officer)
    db.session.commit()
    auth.login(project.officer)
    body = client.get("/manage/monitoring").get_data(as_text=True)
    assert project.award.application.title in body and project.other_award.application.title in body
    assert "1份逾期" in body and "2026年7月15日" in body  # other: next due 2026-07-15
    body = client.get("/manage/monitoring?overdue=1").get_data(as_text=True)
    assert project.award.application.title in body
    assert project.other_award.application.title not in body


def test_the_organization_lists_only_its_own_projects(client, auth, project, today):
    active_contract(project.other_award, project.officer)
    auth.login(project.member)
    body = client.get("/my/projects").get_data(as_text=True)
    assert project.award.application.title in body
    assert project.other_award.application.title not in body
