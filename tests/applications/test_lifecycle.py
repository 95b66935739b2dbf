"""One truthful status per application through the whole lifecycle (applications.lifecycle): derived from
the data on every page, and the same on the applicant's list, its detail page and the officer's list."""
import re
from datetime import timedelta

import sqlalchemy as sa

from grantportal.applications.lifecycle import progress, progress_of
from grantportal.applications.models import AppStatus, Screening
from grantportal.awards.models import Award
from grantportal.awards.proposals import publicity
from grantportal.awards.proposals.operations import generate
from grantportal.awards.proposals.queries import proposal_of
from grantportal.core.db import db, utcnow
from grantportal.funding.models import ContractStatus
from tests import factories as f
from tests.applications.helpers import text
from tests.funding.conftest import active_contract


def label(app):
    return progress(app, utcnow()).label


def test_before_the_results_the_status_follows_submission_screening_and_review():
    call = f.CallFactory()
    assert label(f.ApplicationFactory(call=call)) == "草稿"
    assert label(f.ApplicationFactory(call=call, status=AppStatus.WITHDRAWN)) == "已撤回"
    assert label(f.ApplicationFactory(call=call, status=AppStatus.SUBMITTED)) == "已提交"
    assert label(f.ApplicationFactory(call=call, status=AppStatus.SUBMITTED, screening=Screening.FAILED)) \
        == "资格审查未通过"
    passed = f.screened_application(call)
    assert label(passed) == "资格审查通过"
    passed.review_started_at = utcnow()
    assert label(passed) == "评审中"
    returned = f.ApplicationFactory(call=call, status=AppStatus.RETURNED, revise_until=utcnow() + timedelta(days=3))
    assert progress(returned, utcnow()).next_step == "按退回意见修改后重新提交"
    returned.revise_until = utcnow() - timedelta(minutes=1)
    assert label(returned) == "退回修改（已逾期）"
    late = f.close_applications(f.CallFactory())
    assert label(f.ApplicationFactory(call=late)) == "草稿（已截止）"


def test_during_publicity_each_application_shows_its_place_in_the_proposal():
    call, (first, second, third) = f.ranked_call([dict(total=90, requested="50000"), dict(total=85, requested="60000"),
                                                  dict(total=60, requested="300000")])
    officer = call.created_by
    now = utcnow()
    generate(call, officer, now)
    db.session.commit()
    assert label(first) == "评审中", "a draft proposal is not shown to anyone outside the office"
    f.confirm_calendar_around(now)
    publicity.publish(proposal_of(call), officer, now, 5)
    db.session.commit()
    shown = progress_of([first, second, third], now)
    assert shown[first.id].label == "公示中（拟入选）"
    awards = db.session.scalars(sa.select(Award).where(Award.application_id.in_(shown))).all()
    assert len(awards) == 3
    for award in awards:  # each as the proposal placed it
        assert shown[award.application_id].label == f"公示中（{award.status.label}）"


def test_after_the_final_result_the_contract_decides_the_status(officer):
    _call, (award, other) = f.final_awards()
    app = award.application
    assert label(app) == "入选" and progress(app, utcnow()).next_step == "等待项目官员出具合同"
    contract = active_contract(award, officer, status=ContractStatus.ISSUED)
    assert label(app) == "合同待签"
    for status, shown in ((ContractStatus.SIGNED, "合同待确认"), (ContractStatus.ACTIVE, "执行中"),
                          (ContractStatus.CLOSED, "已结项"), (ContractStatus.TERMINATED, "合同已终止")):
        contract.status = status
        db.session.commit()
        assert label(app) == shown
    assert label(other.application) in {"入选", "候补", "未入选"}


def _statements(app, url, client):
    seen = []

    def count(*args):
        seen.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_organizations_list_shows_the_contract_status_without_one_query_per_row(app, client, auth, officer):
    _call, (award, _other) = f.final_awards()
    org = award.application.org
    member = f.member_of(org)
    active_contract(award, officer, status=ContractStatus.ISSUED)
    auth.login(member)
    page = text(client.get("/applications/"))
    assert "合同待签" in page and "签字盖章后上传扫描件" in page and "资格审查通过" not in page
    assert "合同待签" in text(client.get(f"/applications/{award.application_id}"))

    one = _statements(app, "/applications/", client)
    for _ in range(4):  # more applications of the organization, each in published results
        _c, (more, _o) = f.final_awards()
        more.application.org_id = org.id
    db.session.commit()
    assert "入选" in text(client.get("/applications/"))
    assert _statements(app, "/applications/", client) == one


def test_the_officers_list_shows_the_same_status(client, signed_in_officer):
    call, (award, _other) = f.final_awards()
    page = text(client.get(f"/manage/calls/{call.id}/applications"))
    cells = re.findall(r'<td data-label="状态"><span class="badge[^"]*">([^<]+)</span>', page)
    assert len(cells) == 2 and cells.count("入选") >= 1 and "资格审查通过" not in cells
