"""Every kind of waiting work for the officer's 待办 home (also used by the browser test)."""
from datetime import timedelta
from decimal import Decimal

import pytest

from grantportal.applications.models import AppStatus, Screening
from grantportal.awards.models import Objection
from grantportal.core.db import db, utcnow
from grantportal.monitoring.models import Report, ReportKind, ReportStatus
from grantportal.pledges.models import DonorKind, Pledge, PledgeStatus
from grantportal.review.models import RoundStatus
from grantportal.supervision.models import SupervisionReport, SupervisionStatus
from tests import factories as f
from tests.funding.conftest import TODAY, active_contract
from tests.votes.conftest import make_vote


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
    voted = f.CallFactory(created_by=officer, name="社区微创投")
    f.close_applications(voted)
    for _ in range(2):
        f.screened_application(voted)
    vote, _ = make_vote(voted, officer, name="网络投票")  # its window then closed: the tally waits to be published
    vote.opens_at, vote.closes_at = utcnow() - timedelta(days=3), utcnow() - timedelta(hours=1)
    funded, awards = f.final_awards()
    db.session.add(Objection(award_id=awards[1].id, filed_by_id=f.UserFactory().id, real_name="王某某",
                             contact="13800001234", reason="申报材料与实际不符。"))
    contract = active_contract(awards[0], officer)  # the signing tranche is payable
    reports = sorted(contract_reports(contract), key=lambda r: r.due_on)
    reports[0].due_on = TODAY - timedelta(days=3)  # overdue (待提交)
    reports[1].status, reports[1].submitted_at = ReportStatus.SUBMITTED, utcnow()  # waiting for review
    db.session.add(Report(contract_id=contract.id, kind=ReportKind.PROGRESS, period_start=TODAY, period_end=TODAY,
                          due_on=TODAY - timedelta(days=1), status=ReportStatus.ACCEPTED))  # done: not counted
    citizen = f.CitizenFactory().user
    db.session.add_all([  # 随手拍: one waits to be assigned; one is being checked (not counted)
        SupervisionReport(contract_id=contract.id, filed_by_id=citizen.id, text="现场只有两名工作人员，与报告不符。"),
        SupervisionReport(contract_id=contract.id, filed_by_id=citizen.id, text="服务点周末没有开放，请核实。",
                          status=SupervisionStatus.ASSIGNED, assigned_to_id=officer.id, assigned_at=utcnow())])
    pledge = dict(contract_id=contract.id, pledged_by_id=citizen.id, amount=Decimal("1000"),
                  donor_kind=DonorKind.INDIVIDUAL, public_name="陈先生")
    db.session.add_all([  # 公众认捐: one confirmed received, waiting for the officer; one not yet received
        Pledge(**pledge, status=PledgeStatus.RECEIVED, received_on=TODAY, received_amount=Decimal("1000")),
        Pledge(**pledge)])
    db.session.commit()
    return dict(call=call, funded=funded, late=late, contract=contract, report=reports[1], vote=vote)


def contract_reports(contract):
    reports = [Report(contract_id=contract.id, kind=ReportKind.PROGRESS, period_start=TODAY, period_end=TODAY,
                      due_on=TODAY + timedelta(days=30 * i)) for i in (1, 2)]
    db.session.add_all(reports)
    db.session.flush()
    return reports
