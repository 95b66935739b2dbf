"""The demo data (`flask demo load`): loads on an empty database and leaves the 第九届 with final results,
its notices issued and its projects at every step of the contract, pages the demo logins can open."""
import re

import sqlalchemy as sa

from grantportal.accounts.models import User
from grantportal.awards.models import Award, FinalStatus, Proposal, ProposalStatus
from grantportal.calls.models import Call
from grantportal.core.db import db
from grantportal.core.jobs_models import Job, JobStatus
from grantportal.core.storage import get_storage
from grantportal.demo.data import DEMO_LOGINS, MIN_ORGS, load
from grantportal.documents.models import DocumentKind, DocumentStatus, IssuedDocument
from grantportal.funding.models import Contract, ContractStatus, MatchedFund, TrancheStatus
from grantportal.monitoring.models import EvaluationStage, Report, ReportKind, ReportStatus
from grantportal.monitoring.operations import evaluations_of
from grantportal.orgs.models import OrgMember

PASSWORDS = {username: password for username, _name, _role, password in DEMO_LOGINS}


def _user(username):
    return db.session.scalar(sa.select(User).where(User.username == username))


def _login(auth, username):
    auth.login(_user(username), PASSWORDS[username])


def test_the_demo_shows_final_results_with_projects_at_every_step(app, client, auth):
    app.config["JOBS_SYNC"] = True  # the contracts' render jobs finish at the commit, as in the CLI
    load(org_count=MIN_ORGS)
    db.session.commit()

    call = db.session.scalar(sa.select(Call).where(Call.code == "BA097"))
    assert call is not None and call.edition == "第九届"
    proposal = db.session.scalar(sa.select(Proposal).where(Proposal.call_id == call.id))
    assert proposal.status == ProposalStatus.FINAL
    awards = db.session.scalars(sa.select(Award).where(Award.proposal_id == proposal.id)).all()
    assert 8 <= len(awards) <= 12
    assert {a.final_status for a in awards} >= {FinalStatus.SELECTED, FinalStatus.RESERVE}

    contracts = {c.status: c for c in db.session.scalars(sa.select(Contract))}
    assert sorted(contracts, key=list(ContractStatus).index) == [
        ContractStatus.ISSUED, ContractStatus.SIGNED, ContractStatus.ACTIVE, ContractStatus.CLOSED]
    home = db.session.scalar(sa.select(OrgMember).join(User).where(User.username == "org")).org
    active, closed = contracts[ContractStatus.ACTIVE], contracts[ContractStatus.CLOSED]
    assert active.award.application.org_id == home.id
    assert [t.status for t in sorted(active.tranches, key=lambda t: t.position)] == [
        TrancheStatus.PAID, TrancheStatus.WAITING, TrancheStatus.WAITING]
    first = db.session.scalar(sa.select(Report).where(Report.contract_id == active.id).order_by(Report.due_on).limit(1))
    assert first.kind == ReportKind.PROGRESS and first.status == ReportStatus.SUBMITTED
    assert db.session.scalar(sa.select(MatchedFund).where(MatchedFund.award_id == active.award_id)).received > 0
    assert contracts[ContractStatus.SIGNED].signed_file is not None
    assert all(t.status == TrancheStatus.PAID for t in closed.tranches)
    assert {e.stage for e in evaluations_of(closed) if e.grade.passed} == {EvaluationStage.MIDTERM,
                                                                       EvaluationStage.ACCEPTANCE}
    assert {r.status for r in db.session.scalars(sa.select(Report).where(Report.contract_id == closed.id))} == {
        ReportStatus.ACCEPTED}

    docs = db.session.scalars(sa.select(IssuedDocument)).all()
    notices = [d for d in docs if d.kind in (DocumentKind.SELECTION_NOTICE, DocumentKind.REJECTION_NOTICE)]
    assert len(notices) == len(awards) and len(docs) == len(awards) + 4  # a notice each, four contracts
    for doc in docs:
        assert doc.status == DocumentStatus.ISSUED, (doc.number, doc.error)
        assert get_storage().read(doc.file.storage_key).startswith(b"%PDF")
    assert set(db.session.scalars(sa.select(Job.status))) == {JobStatus.DONE}

    _login(auth, "officer")
    for url in ("/manage/monitoring", f"/manage/calls/{call.id}/funding", f"/manage/calls/{call.id}/documents"):
        assert client.get(url).status_code == 200, url
    auth.logout()
    _login(auth, "org")
    page = client.get("/my/projects")
    assert page.status_code == 200 and active.award.application.title in page.get_data(as_text=True)
    public = client.get(f"/projects/{closed.id}")  # the public follows the closed project
    assert public.status_code == 200 and "已结项" in public.get_data(as_text=True)
    votes = client.get("/votes/").get_data(as_text=True)  # the 第十一届's public vote is open
    assert "第十一届“博爱100”公益创投活动 · 公众投票" in votes and "投票中" in votes
    # a grassroots team supported by the home organization: one team confirmed, its application to be confirmed
    teams = client.get("/orgs/teams").get_data(as_text=True)
    assert "悦来社区长者关爱志愿队" in teams and "确认挂靠" in teams  # and a second team waiting
    auth.logout()
    _login(auth, "team")
    mine = client.get("/applications/").get_data(as_text=True)
    assert "悦来社区独居长者“敲门行动”" in mine and "待支持机构确认" in mine


def test_a_demo_loaded_late_in_december_can_publish_a_publicity_running_into_next_year(app):
    from datetime import UTC, date, datetime

    from grantportal.calendar.queries import confirmed_publicity_end
    from grantportal.demo.data import _confirm_calendar
    from tests.factories import UserFactory

    officer = UserFactory(officer=True)
    _confirm_calendar(date(2026, 12, 28), officer)
    ends = confirmed_publicity_end(datetime(2026, 12, 27, 2, tzinfo=UTC), 5)
    assert ends.year == 2027  # counted on the estimate the demo confirmed, not refused


def test_the_demo_prints_how_to_sign_in_as_a_citizen(app):
    from tests.factories import UserFactory

    UserFactory()  # data already there: the command loads nothing and prints the logins
    app.config["SMS_SHOW_CODE"] = True
    out = app.test_cli_runner().invoke(args=["demo", "load"]).output
    assert "数据库中已有数据" in out and "登录名 officer" in out
    assert re.search(r"草根团队负责人 +登录名 team +密码 Demo-team-2026", out)
    assert "公众" in out and "手机号 13800138000" in out and "验证码显示在页面上（演示环境）" in out
