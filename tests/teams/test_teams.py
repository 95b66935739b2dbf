"""Grassroots teams (草根志愿团队, teams/): a team registers with its 备案编号 and names a supporting organization,
which confirms it (挂靠确认); the team's leader fills an application that the supporting organization confirms
(确认申报) before it counts as submitted; the supporting organization is the applicant of record and the
contracting party. Refused: a team without a confirmed supporting organization, a call that does not admit teams,
a request above the call's team cap. One world per module (per test worker), restored before each test."""
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from grantportal.applications.models import Application, AppStatus
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.notices import Notice
from grantportal.funding.models import ContractStatus
from grantportal.orgs.models import OrgStatus
from grantportal.teams.models import SupportStatus, Team
from tests import factories as f
from tests.applications.helpers import SIGNED, attach, eligible_org, form
from tests.documents.conftest import poppler
from tests.permissions.test_matrix import sign_in
from tests.permissions.world import built_once, restore_world

LEADER_PHONE = "13912345678"


def _team(leader, org, status=SupportStatus.CONFIRMED, **kw):
    values = dict(name="悦来社区长者关爱队", filing_number="石岐社备〔2025〕017号", district="石岐街道",
                  leader_name="林小红", leader_phone="13800138000")
    values.update(kw)
    team = Team(leader_user_id=leader.id, supporting_org_id=org.id, support_status=status, **values)
    db.session.add(team)
    db.session.commit()
    return team


def build_world():
    w = SimpleNamespace()
    w.officer = f.UserFactory(officer=True)
    w.org = eligible_org(name="中山市悦来社会工作服务中心")
    w.org_member = f.member_of(w.org)
    w.other_org = eligible_org(name="中山市东区青年志愿者协会")
    w.other_member = f.member_of(w.other_org)
    w.pending_org = f.OrganizationFactory(status=OrgStatus.PENDING)
    w.call = f.CallFactory(teams_allowed=True, team_cap=Decimal("60000.00"))
    w.closed_to_teams = f.CallFactory()  # teams_allowed defaults to off
    w.newcomer = f.UserFactory(username="newcomer")  # an organization account with no organization yet
    w.leader = f.UserFactory(username="leader")
    w.team = _team(w.leader, w.org, filing_number="石岐社备〔2025〕001号", name="悦来长者关爱队")
    w.waiting_leader = f.UserFactory(username="waiting_leader")
    w.waiting = _team(w.waiting_leader, w.org, SupportStatus.PENDING, filing_number="石岐社备〔2025〕002号",
                      name="悦来亲子读书会")
    return w


@pytest.fixture(scope="module")
def world_snapshot(database, tmp_path_factory):
    return built_once(database, tmp_path_factory, build_world)


@pytest.fixture
def w(app, world_snapshot):
    return restore_world(world_snapshot)


def as_user(client, user):
    client.delete_cookie("gp_session")
    sign_in(client, user)
    return client


def page(resp):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", resp.get_data(as_text=True)))


def field_error(resp, name):
    html = resp.get_data(as_text=True)
    block = re.search(rf'<div class="field [^"]*has-error">\s*<label for="{name}".*?</div>', html, re.S)
    return " ".join(re.findall(r'<p class="error" role="alert">([^<]*)</p>', block.group(0))) if block else ""


def notices_of(user):
    return [n.title for n in db.session.scalars(sa.select(Notice).where(Notice.user_id == user.id)
                                                .order_by(Notice.id))]


def audit(action):
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def applications():
    return db.session.scalars(sa.select(Application).order_by(Application.id)).all()


def registration(org, **more):
    return {"name": "岐江河畔环保志愿队", "filing_number": "石岐社备〔2026〕031号", "district": "石岐街道",
            "leader_name": "黄晓明", "leader_phone": LEADER_PHONE, "supporting_uscc": org.uscc, **more}


# --- the whole way: register → 挂靠确认 → apply within the cap → 确认申报 → submitted ---------------------------

def test_a_team_applies_through_its_supporting_organization_end_to_end(client, w, tmp_path):
    # the leader registers the team and names its supporting organization
    resp = as_user(client, w.newcomer).post("/teams/register", data=registration(w.org))
    assert resp.status_code == 302
    team = db.session.scalar(sa.select(Team).where(Team.leader_user_id == w.newcomer.id))
    assert team.support_status == SupportStatus.PENDING and team.supporting_org_id == w.org.id
    assert "草根团队申请挂靠" in notices_of(w.org_member)
    [entry] = audit("team.register")
    assert LEADER_PHONE not in entry.after and "139****5678" in entry.after  # personal data masked in the log

    # the supporting organization sees the request and confirms it
    listing = as_user(client, w.org_member).get("/orgs/teams")
    assert "岐江河畔环保志愿队" in page(listing)
    assert client.post(f"/teams/{team.id}/confirm").status_code == 302
    db.session.expire_all()
    assert db.session.get(Team, team.id).support_status == SupportStatus.CONFIRMED
    assert "支持机构已确认挂靠" in notices_of(w.newcomer)
    [entry] = audit("team.confirm")
    assert '"confirmed"' in entry.after and '"pending"' in entry.before

    # the leader fills the application: the supporting organization is the applicant of record
    as_user(client, w.newcomer)
    assert client.get(f"/calls/{w.call.id}/apply").status_code == 200
    resp = client.post(f"/calls/{w.call.id}/apply", data=form(title="清河社区治理计划"))
    assert resp.status_code == 302
    [app] = applications()
    assert app.org_id == w.org.id and app.team_id == team.id and app.requested_amount == Decimal("50000.00")
    attach(app)

    # the leader cannot submit it: it goes to the supporting organization for 确认申报
    assert client.post(f"/applications/{app.id}/submit", data={"version": str(app.version), **SIGNED}) \
        .status_code == 403
    resp = client.post(f"/applications/{app.id}/forward", data={"version": str(app.version)})
    assert resp.status_code == 302
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert app.status == AppStatus.SUPPORT_PENDING and app.number is None
    assert "草根团队申报待确认" in notices_of(w.org_member)
    assert audit("application.forward")
    assert "待支持机构确认" in page(client.get(f"/applications/{app.id}"))
    # not yet sent to the bureau: the officer's list leaves it out (like a draft) unless asked for by its status
    as_user(client, w.officer)
    listing = f"/manage/calls/{w.call.id}/applications"
    assert "清河社区治理计划" not in page(client.get(listing))
    assert "清河社区治理计划" in page(client.get(listing + "?status=support_pending"))

    # the supporting organization confirms it, signing the 诚信承诺书: now it is submitted, numbered
    as_user(client, w.org_member)
    detail = page(client.get(f"/applications/{app.id}"))
    assert "支持机构确认申报" in detail and "项目执行团队" in detail and "岐江河畔环保志愿队" in detail
    resp = client.post(f"/applications/{app.id}/submit", data={"version": str(app.version), **SIGNED})
    assert resp.status_code == 302
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert app.status == AppStatus.SUBMITTED and app.number and app.pledge_signer == SIGNED["pledge_signer"]
    assert app.org_id == w.org.id
    assert "支持机构已确认申报" in notices_of(w.newcomer)
    assert "申报已受理" in notices_of(w.org_member)
    assert "清河社区治理计划" in page(as_user(client, w.officer).get(listing))

    # the 申报回执 names the supporting organization as 申报单位 and the team as 项目执行团队
    pdf = client.get(f"/applications/{app.id}/receipt.pdf").get_data()
    receipt = "".join(poppler("pdftotext", pdf, tmp_path).split())
    assert f"申报单位{w.org.name}" in receipt
    assert "项目执行团队岐江河畔环保志愿队（备案编号石岐社备〔2026〕031号）" in receipt


def test_the_supporting_organization_returns_a_team_application_with_a_reason(client, w):
    app = f.ApplicationFactory(call=w.call, org=w.org, created_by=w.leader, team_id=w.team.id,
                               status=AppStatus.SUPPORT_PENDING)
    as_user(client, w.org_member)
    resp = client.post(f"/applications/{app.id}/return-to-team", data={"version": str(app.version), "reason": ""})
    assert resp.status_code == 400 and "请填写退回原因" in field_error(resp, "reason")
    db.session.expire_all()
    assert db.session.get(Application, app.id).status == AppStatus.SUPPORT_PENDING
    resp = client.post(f"/applications/{app.id}/return-to-team",
                       data={"version": str(app.version), "reason": "预算中志愿者补贴偏高，请调整。"})
    assert resp.status_code == 302
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert app.status == AppStatus.DRAFT and app.support_return_reason == "预算中志愿者补贴偏高，请调整。"
    assert "支持机构退回申报" in notices_of(w.leader)
    assert audit("application.support_return")
    assert "预算中志愿者补贴偏高" in page(as_user(client, w.leader).get(f"/applications/{app.id}"))


def test_another_organization_may_not_confirm_a_team_or_its_application(client, w):
    app = f.ApplicationFactory(call=w.call, org=w.org, created_by=w.leader, team_id=w.team.id,
                               status=AppStatus.SUPPORT_PENDING)
    as_user(client, w.other_member)
    assert client.post(f"/teams/{w.waiting.id}/confirm").status_code == 403
    assert client.post(f"/applications/{app.id}/submit", data={"version": str(app.version), **SIGNED}) \
        .status_code == 403
    assert client.get(f"/applications/{app.id}").status_code == 403
    assert client.post("/teams/999999/confirm").status_code == 404
    db.session.expire_all()
    assert db.session.get(Team, w.waiting.id).support_status == SupportStatus.PENDING


# --- refused: nothing saved, a Chinese message next to the field ---------------------------------------------

def test_a_team_without_a_supporting_organization_is_not_registered(client, w):
    as_user(client, w.newcomer)
    resp = client.post("/teams/register", data=registration(w.org, supporting_uscc=""))
    assert resp.status_code == 400 and "请填写支持机构" in field_error(resp, "supporting_uscc")
    resp = client.post("/teams/register", data=registration(w.pending_org))
    assert resp.status_code == 400 and "尚未通过平台认证" in field_error(resp, "supporting_uscc")
    resp = client.post("/teams/register", data=registration(w.org, filing_number=""))
    assert resp.status_code == 400 and "请填写备案编号" in field_error(resp, "filing_number")
    resp = client.post("/teams/register", data=registration(w.org, filing_number=w.team.filing_number))
    assert resp.status_code == 400 and "该备案编号已有团队登记" in field_error(resp, "filing_number")
    assert db.session.scalar(sa.select(sa.func.count(Team.id))) == 2
    assert not audit("team.register")


def test_a_team_without_a_confirmed_supporting_organization_cannot_apply(client, w):
    as_user(client, w.waiting_leader)
    resp = client.get(f"/calls/{w.call.id}/apply")
    assert resp.status_code == 302
    resp = client.post(f"/calls/{w.call.id}/apply", data=form())
    assert resp.status_code == 400 and "须经已认证的支持机构（挂靠单位）确认挂靠" in page(resp)
    assert applications() == []


def test_a_call_that_does_not_admit_teams_refuses_a_team(client, w):
    as_user(client, w.leader)
    resp = client.post(f"/calls/{w.closed_to_teams.id}/apply", data=form())
    assert resp.status_code == 400 and "本次征集不接受草根团队申报" in page(resp)
    assert applications() == []


def test_a_request_above_the_team_cap_is_refused_next_to_the_budget(client, w):
    as_user(client, w.leader)
    lines = [("人员经费", "社工补贴", "40000", "grant"), ("活动经费", "物资", "30000", "grant"),
             ("活动经费", "自筹", "60000", "matched")]
    resp = client.post(f"/calls/{w.call.id}/apply", data=form(lines=lines))
    assert resp.status_code == 400
    budget = resp.get_data(as_text=True).split('id="budget"', 1)[1].split("</fieldset>", 1)[0]
    assert "超过本次征集对草根团队的申请上限" in budget
    assert applications() == []


def test_a_declined_team_names_another_supporting_organization(client, w):
    as_user(client, w.org_member)
    resp = client.post(f"/teams/{w.waiting.id}/decline", data={"reason": ""})
    assert resp.status_code == 400 and "请填写拒绝理由" in field_error(resp, "reason")
    resp = client.post(f"/teams/{w.waiting.id}/decline", data={"reason": "服务领域与本机构章程不符。"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Team, w.waiting.id).support_status == SupportStatus.DECLINED
    assert "支持机构拒绝挂靠" in notices_of(w.waiting_leader)
    assert audit("team.decline")
    as_user(client, w.waiting_leader)
    assert "服务领域与本机构章程不符" in page(client.get("/teams/mine"))
    resp = client.post("/teams/mine", data={"supporting_uscc": w.other_org.uscc})
    assert resp.status_code == 302
    db.session.expire_all()
    team = db.session.get(Team, w.waiting.id)
    assert team.support_status == SupportStatus.PENDING and team.supporting_org_id == w.other_org.id
    assert "草根团队申请挂靠" in notices_of(w.other_member)
    assert audit("team.rename")


def test_a_member_of_an_organization_cannot_register_a_team(client, w):
    assert as_user(client, w.org_member).get("/teams/register").status_code == 403


# --- public pages: the team by name and 备案编号, never its leader ----------------------------------------------

def test_the_organization_public_record_lists_the_teams_it_supports_without_personal_data(client, w):
    resp = client.get(f"/orgs/{w.org.id}")
    text = page(resp)
    assert "支持的草根团队" in text and "悦来长者关爱队" in text and "石岐社备〔2025〕001号" in text
    assert "悦来亲子读书会" not in text  # not confirmed
    assert "林小红" not in text and "13800138000" not in text


def test_the_call_describes_who_may_apply_for_teams(client, w):
    text = page(client.get(f"/calls/{w.call.id}"))
    assert "草根志愿团队" in text and "60,000.00" in text


# --- the contract: the supporting organization is the party, the team is named as 项目执行团队 --------------------

BUREAU = dict(BUREAU_NAME="中山市民政局", BUREAU_USCC="11442000007252497B", BUREAU_LEGAL_REP="陈志明",
              BUREAU_ADDRESS="广东省中山市东区松苑路1号", BUREAU_CONTACT_NAME="李科长",
              BUREAU_CONTACT_PHONE="0760-88312345", JOBS_SYNC=True, PUBLIC_BASE_URL="https://gp.example.cn")


def test_the_contract_names_the_supporting_organization_as_party_and_the_team_as_executing_team(app, client):
    from tests.documents.conftest import issued_contract

    app.config.update(BUREAU)
    call, awards = f.final_awards()
    application = awards[0].application
    leader = f.UserFactory()
    team = _team(leader, application.org, filing_number="石岐社备〔2024〕088号", name="悦来长者关爱队")
    application.team_id = team.id
    db.session.commit()
    contract, doc = issued_contract(awards[0], call.created_by)
    assert doc.body["org"]["name"] == application.org.name and doc.body["org"]["uscc"] == application.org.uscc
    assert doc.body["project"]["team"] == {"name": "悦来长者关爱队", "filing_number": "石岐社备〔2024〕088号"}
    contract.status = ContractStatus.ACTIVE  # in force: its project page is public
    db.session.commit()
    text = page(client.get(f"/projects/{contract.id}"))
    assert "项目执行团队 悦来长者关爱队" in text and "石岐社备〔2024〕088号" in text
    assert "林小红" not in text and "13800138000" not in text


def test_the_leader_finds_the_team_in_the_menu_and_the_organization_its_requests(client, w):
    nav = as_user(client, w.leader).get("/teams/mine").get_data(as_text=True)
    assert 'href="/teams/mine"' in nav and 'href="/orgs/teams"' not in nav
    assert "悦来长者关爱队" in page(client.get("/teams/mine"))
    nav = as_user(client, w.org_member).get("/orgs/teams").get_data(as_text=True)
    assert 'href="/orgs/teams"' in nav and 'href="/teams/mine"' not in nav
    assert "悦来亲子读书会" in page(client.get("/orgs/teams"))


def test_a_waiting_team_cannot_switch_supporter_before_the_answer(client, w):
    resp = as_user(client, w.waiting_leader).post("/teams/mine", data={"supporting_uscc": w.other_org.uscc})
    assert resp.status_code == 409 and "不能重新选择支持机构" in page(resp)
    db.session.expire_all()
    assert db.session.get(Team, w.waiting.id).supporting_org_id == w.org.id
