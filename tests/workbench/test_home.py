"""The officer's 待办 home: one count and one link per kind of waiting work, built from real situations;
officers land there after signing in, auditors read it, everyone else is refused; the empty state."""
from datetime import timedelta

import pytest

from grantportal.applications.models import AppStatus, Screening
from grantportal.awards.models import Objection
from grantportal.core.db import db, utcnow
from grantportal.funding.models import TrancheStatus
from grantportal.monitoring.models import Report, ReportKind, ReportStatus
from grantportal.review.models import RoundStatus
from tests import factories as f
from tests.funding.conftest import TODAY, active_contract


def _count(html, key):
    block = html.split(f'id="todo-{key}"')[1]
    return int(block.split('data-count="')[1].split('"')[0])


@pytest.fixture
def waiting(officer):
    """Every kind of waiting work, once or more, next to work that is already done."""
    f.OrganizationFactory(pending=True, name="待审核社工服务中心")
    f.OrganizationFactory(pending=True)
    f.OrganizationFactory()  # verified: nothing to do
    call = f.CallFactory(created_by=officer, name="博爱100公益创投")
    f.ApplicationFactory(call=call, status=AppStatus.SUBMITTED, submitted_at=utcnow())
    f.ApplicationFactory(call=call, status=AppStatus.SUBMITTED, submitted_at=utcnow())
    f.ApplicationFactory(call=call, status=AppStatus.SUBMITTED, screening=Screening.PASSED, submitted_at=utcnow())
    f.ApplicationFactory(call=call)  # a draft: not the officer's yet
    late = f.ReviewRoundFactory(call=call, name="初评", closes_at=utcnow() - timedelta(hours=2))
    f.ReviewRoundFactory(call=call, name="复评")  # open, deadline ahead
    f.ReviewRoundFactory(call=call, name="旧轮次", status=RoundStatus.CLOSED, closes_at=utcnow() - timedelta(days=9))
    funded, awards = f.final_awards()
    db.session.add(Objection(award_id=awards[1].id, filed_by_id=f.UserFactory().id, real_name="王某某",
                             contact="13800001234", reason="申报材料与实际不符。"))
    contract = active_contract(awards[0], officer)  # the signing tranche is payable
    reports = sorted(contract_reports(contract), key=lambda r: r.due_on)
    reports[0].due_on = TODAY - timedelta(days=3)  # overdue (待提交)
    reports[1].status, reports[1].submitted_at = ReportStatus.SUBMITTED, utcnow()  # waiting for review
    db.session.add(Report(contract_id=contract.id, kind=ReportKind.PROGRESS, period_start=TODAY, period_end=TODAY,
                          due_on=TODAY - timedelta(days=1), status=ReportStatus.ACCEPTED))  # done: not counted
    db.session.commit()
    return dict(call=call, funded=funded, late=late, contract=contract, report=reports[1])


def contract_reports(contract):
    reports = [Report(contract_id=contract.id, kind=ReportKind.PROGRESS, period_start=TODAY, period_end=TODAY,
                      due_on=TODAY + timedelta(days=30 * i)) for i in (1, 2)]
    db.session.add_all(reports)
    db.session.flush()
    return reports


def test_officer_lands_on_the_home_after_signing_in(client, auth, officer):
    resp = auth.login(officer)
    assert resp.headers["Location"].endswith("/manage/")


def test_each_waiting_item_is_counted_and_links_to_where_the_officer_acts(client, auth, officer, waiting):
    auth.login(officer)
    html = client.get("/manage/").get_data(as_text=True)
    assert _count(html, "orgs") == 2 and "/manage/orgs/?status=pending" in html
    call = waiting["call"]
    assert _count(html, "screening") == 2
    assert f"/manage/calls/{call.id}/applications?status=submitted&amp;screening=pending" in html
    assert _count(html, "rounds") == 1 and f"/manage/rounds/{waiting['late'].id}" in html
    assert "复评" not in html and "旧轮次" not in html
    assert _count(html, "objections") == 1 and f"/manage/calls/{waiting['funded'].id}/objections" in html
    assert _count(html, "tranches") == 1 and f"/manage/calls/{waiting['funded'].id}/funding" in html
    assert _count(html, "reports") == 1 and "/manage/reports/awaiting-review" in html
    assert _count(html, "overdue") == 1 and "/manage/monitoring?overdue=1" in html
    assert "暂无待办事项" not in html


def test_each_link_opens_a_page_for_the_officer(client, auth, officer, waiting):
    auth.login(officer)
    call, funded = waiting["call"], waiting["funded"]
    for url in ("/manage/orgs/?status=pending",
                f"/manage/calls/{call.id}/applications?status=submitted&screening=pending",
                f"/manage/rounds/{waiting['late'].id}", f"/manage/calls/{funded.id}/objections",
                f"/manage/calls/{funded.id}/funding", "/manage/monitoring?overdue=1"):
        assert client.get(url).status_code == 200, url
    page = client.get("/manage/reports/awaiting-review").get_data(as_text=True)
    assert f"/reports/{waiting['report'].id}" in page


def test_payable_count_follows_the_tranche_state(client, auth, officer, waiting):
    for t in waiting["contract"].tranches:
        t.status = TrancheStatus.PAID if t.status == TrancheStatus.PAYABLE else t.status
    db.session.commit()
    auth.login(officer)
    html = client.get("/manage/").get_data(as_text=True)
    assert 'id="todo-tranches"' not in html


def test_empty_state(client, auth, officer):
    auth.login(officer)
    html = client.get("/manage/").get_data(as_text=True)
    assert "暂无待办事项" in html and 'class="todo-list"' not in html


def test_auditor_reads_the_home_without_exports(client, auth, waiting):
    auth.login(f.UserFactory(auditor=True))
    html = client.get("/manage/").get_data(as_text=True)
    assert _count(html, "orgs") == 2 and "导出名单" not in html


def test_others_are_refused(client, auth):
    assert client.get("/manage/").status_code == 302
    auth.login(f.expert())
    assert client.get("/manage/").status_code == 403
