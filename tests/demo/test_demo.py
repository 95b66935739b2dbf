"""The demo data (`flask demo load`): loads on an empty database and leaves the 第九届 with final results, its
notices issued, its projects in force and two reserves promoted (待确认, 待签署), and the 第八届 a year earlier with
its projects closed; every document follows from the one before within the time it gave; pages the demo logins
can open."""
import re
from datetime import date

import sqlalchemy as sa

from grantportal.accounts.models import User
from grantportal.awards.models import Award, FinalStatus, Proposal, ProposalStatus, ResultsRevision, RevisionKind
from grantportal.calls.models import Call
from grantportal.core.db import db
from grantportal.core.jobs_models import Job, JobStatus
from grantportal.core.storage import get_storage
from grantportal.core.timeutil import local_today, to_local
from grantportal.demo.data import DEMO_LOGINS, MIN_ORGS, load
from grantportal.documents.models import DocumentKind, DocumentStatus, IssuedDocument
from grantportal.funding.models import Contract, ContractStatus, MatchedFund, TrancheStatus
from grantportal.inspection.models import InspectionVisit, WorkStatus
from grantportal.monitoring.models import EvaluationStage, Report, ReportKind, ReportStatus
from grantportal.monitoring.operations import evaluations_of
from grantportal.monitoring.rectification_models import CaseStatus, RectificationCase
from grantportal.opendata import queries
from grantportal.orgs.models import OrgMember
from grantportal.review.models import DefenceDraw, DefenceSlot, ReviewRound, RoundKind

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
    assert {a.final_status for a in awards} >= {FinalStatus.SELECTED, FinalStatus.NOT_SELECTED}
    # two selected projects never signed; each level's reserve was promoted (递补), dated on the results page
    promotions = db.session.scalars(sa.select(ResultsRevision).where(
        ResultsRevision.proposal_id == proposal.id, ResultsRevision.kind == RevisionKind.PROMOTED)).all()
    assert len(promotions) == 2 and all("合同签订前终止" in r.summary and "递补入选" in r.summary for r in promotions)

    contracts = {}
    for contract in db.session.scalars(sa.select(Contract).order_by(Contract.id)):
        contracts.setdefault(contract.status, []).append(contract)
    assert sorted(contracts, key=list(ContractStatus).index) == [
        ContractStatus.ISSUED, ContractStatus.SIGNED, ContractStatus.ACTIVE, ContractStatus.CLOSED,
        ContractStatus.TERMINATED]
    assert {c.award.proposal.call.code for c in contracts[ContractStatus.CLOSED]} == {"BA087"}  # the 第八届
    assert {c.award.proposal.call.code for s in (ContractStatus.ISSUED, ContractStatus.SIGNED,
                                                 ContractStatus.ACTIVE, ContractStatus.TERMINATED)
            for c in contracts[s]} == {"BA097"}
    home = db.session.scalar(sa.select(OrgMember).join(User).where(User.username == "org")).org
    (active,) = [c for c in contracts[ContractStatus.ACTIVE] if c.award.application.org_id == home.id]
    closed = contracts[ContractStatus.CLOSED][0]
    # an open 整改 on the demo organization's project: the tranches not yet paid are paused
    assert [t.status for t in sorted(active.tranches, key=lambda t: t.position)] == [
        TrancheStatus.PAID, TrancheStatus.BLOCKED, TrancheStatus.BLOCKED]
    (case,) = db.session.scalars(sa.select(RectificationCase)).all()
    assert case.contract_id == active.id and case.status == CaseStatus.OPEN
    assert "整改期间暂停拨付" in active.paused_reason
    first = db.session.scalar(sa.select(Report).where(Report.contract_id == active.id).order_by(Report.due_on).limit(1))
    assert first.kind == ReportKind.PROGRESS and first.status == ReportStatus.SUBMITTED
    assert db.session.scalar(sa.select(MatchedFund).where(MatchedFund.award_id == active.award_id)).received > 0
    assert contracts[ContractStatus.SIGNED][0].signed_file is not None
    # the other projects in force had their first tranche paid
    assert all(sorted(c.tranches, key=lambda t: t.position)[0].status == TrancheStatus.PAID
               for c in contracts[ContractStatus.ACTIVE])
    for closed_one in contracts[ContractStatus.CLOSED]:
        assert all(t.status == TrancheStatus.PAID for t in closed_one.tranches)
        assert {e.stage for e in evaluations_of(closed_one) if e.grade.passed} == {EvaluationStage.MIDTERM,
                                                                               EvaluationStage.ACCEPTANCE}
        assert {r.status for r in db.session.scalars(sa.select(Report).where(
            Report.contract_id == closed_one.id))} == {ReportStatus.ACCEPTED}

    docs = db.session.scalars(sa.select(IssuedDocument)).all()
    notices = [d for d in docs if d.kind in (DocumentKind.SELECTION_NOTICE, DocumentKind.REJECTION_NOTICE)]
    # a notice for each award of both editions and a new 入选通知书 for each promoted reserve; every contract; the
    # 整改通知书
    every_award = db.session.scalar(sa.select(sa.func.count()).select_from(Award).join(Proposal).join(Call).where(
        Call.code.in_(["BA097", "BA087"])))
    every_contract = sum(len(c) for c in contracts.values())
    assert len(notices) == every_award + 2 and len(docs) == len(notices) + every_contract + 1
    for doc in docs:
        assert doc.status == DocumentStatus.ISSUED, (doc.number, doc.error)
        assert get_storage().read(doc.file.storage_key).startswith(b"%PDF")
    assert set(db.session.scalars(sa.select(Job.status))) == {JobStatus.DONE}
    # what /verify says of the two that never signed: their 入选通知书 and unsigned contract no longer in force
    for contract in contracts[ContractStatus.TERMINATED]:
        ended = [d for d in docs if d.award_id == contract.award_id]
        assert ended and all(d.state_label in ("已失效", "已终止") and d.end_reason for d in ended), contract.id
    assert active.document.state_label == "现行有效"

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

    # the third party: appointed to the 第九届, one confirmed 实地检查 of the organization's project in progress
    visit = db.session.scalar(sa.select(InspectionVisit))
    assert visit.contract_id == active.id and visit.status == WorkStatus.CONFIRMED
    auth.logout()
    _login(auth, "inspector")
    mine = client.get("/third-party/projects").get_data(as_text=True)
    assert active.award.application.title in mine and f'projects/{active.id}"' in mine
    assert f'projects/{closed.id}"' not in mine  # appointed to the 第九届 only
    assert client.get(f"/third-party/visits/{visit.id}").status_code == 200


def test_the_demo_tells_a_consistent_story_and_has_a_defence_day(app, client, auth):
    """Each project's 入选通知书 is dated (printed and recorded) before its contract, and the contract is issued
    and signed within the deadline the notice gave (or that deadline is still ahead); the 6-month contracts'
    projects promise nothing "一年内"; the 第十一届 has a 现场答辩 with its running order drawn and every entrant in
    its own slot, none overlapping; the demo organization can open its 整改."""
    app.config["JOBS_SYNC"] = True
    load(org_count=MIN_ORGS)
    db.session.commit()
    contracts = db.session.scalars(sa.select(Contract)).all()
    for contract in contracts:
        notice = db.session.scalar(sa.select(IssuedDocument).where(
            IssuedDocument.award_id == contract.award_id, IssuedDocument.kind == DocumentKind.SELECTION_NOTICE))
        assert notice.issued_at < contract.document.issued_at, contract.id
        assert _cn_day(notice.body["issued_on"]) < _cn_day(contract.document.body["issued_on"])
        assert _cn_day(notice.body["issued_on"]) == to_local(notice.issued_at).date()
        # the contract comes within the time the notice gave, and is signed within it (or that time is not over)
        deadline = _cn_day(notice.body["signing"]["deadline"])
        assert _cn_day(contract.document.body["issued_on"]) <= deadline, contract.id
        if contract.signed_uploaded_at is not None:
            assert to_local(contract.signed_uploaded_at).date() <= deadline, contract.id
        elif contract.status == ContractStatus.ISSUED:
            assert deadline >= local_today(), contract.id
        else:  # never signed: recorded as 合同签订前终止 once the time was over
            assert contract.status == ContractStatus.TERMINATED and deadline < local_today(), contract.id
        months = contract.award.proposal.call.contract_months
        assert months == 6
        text = " ".join([contract.deliverables or "", *contract.document.body["project"]["objectives"]])
        assert "一年" not in text and "第四季度" not in contract.award.application.activity_plan
        assert "六个月" in text
    for doc in db.session.scalars(sa.select(IssuedDocument)):
        assert "一年内" not in str(doc.body), doc.number

    # the 第九届's money by source: each funded project split 2:1 between 专项资金 and 福彩公益金, to the 分
    rows = [r for r in queries.award_rows() if r.call_title.startswith("第九届")]
    assert rows and all(sum(p.amount for p in r.sources) == r.amount for r in rows)
    assert all([p.title for p in r.sources] == ["专项资金", "福彩公益金"] for r in rows)

    rnd = db.session.scalar(sa.select(ReviewRound).where(ReviewRound.kind == RoundKind.DEFENCE))
    assert rnd.call.edition == "第十一届"
    (draw,) = db.session.scalars(sa.select(DefenceDraw).where(DefenceDraw.round_id == rnd.id)).all()
    assert draw.seed and sorted(draw.order) == sorted(draw.entrants) and len(draw.order) >= 2
    slots = sorted(db.session.scalars(sa.select(DefenceSlot).where(DefenceSlot.round_id == rnd.id)),
                   key=lambda s: s.starts_at)
    assert [s.application_id for s in slots] == draw.order  # in the drawn order
    assert all(a.ends_at <= b.starts_at for a, b in zip(slots, slots[1:], strict=False))
    assert len({to_local(s.starts_at).date() for s in slots}) == 2

    _login(auth, "officer")
    assert client.get(f"/manage/rounds/{rnd.id}/defence").status_code == 200
    auth.logout()
    _login(auth, "org")
    case = db.session.scalars(sa.select(RectificationCase)).one()
    page = client.get(f"/rectifications/{case.id}")
    assert page.status_code == 200 and "探访记录" in page.get_data(as_text=True)


def _cn_day(text):
    """2026年7月1日 → a date."""
    year, rest = text.split("年")
    month, day = rest.rstrip("日").split("月")
    return date(int(year), int(month), int(day))


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
