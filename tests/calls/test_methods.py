"""Purchase methods (issue 14, DESIGN.md §4 "Purchase of services"): each method's rules as data, the
single-source justification (required, published, and holding the contract back for 5 working days), and the
competitive methods' minimum of valid responses before results."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grantportal.applications.models import AppStatus, Screening
from grantportal.awards.proposals import operations as award_ops
from grantportal.awards.proposals.queries import proposal_of
from grantportal.awards.proposals.workflow import PROPOSAL, AwardRefused
from grantportal.calls.methods import RULES, contract_problem, justification_ends_at
from grantportal.calls.models import Call, CallKind, PurchaseMethod
from grantportal.core.db import db, utcnow
from grantportal.funding.contracts.operations import prepare_contract
from grantportal.funding.models import Contract
from grantportal.funding.operations import FundingRefused
from tests import factories as f
from tests.calls.formdata import call_form

M = PurchaseMethod
REASON = "该服务须由承担本市社区矫正心理辅导试点的唯一机构延续提供，以保证服务对象的连续性。"


def only_call():
    return db.session.scalars(sa.select(Call)).one()


# --- the rules as data --------------------------------------------------------------------------------

@pytest.mark.parametrize("method", [M.OPEN_TENDER, M.INVITED_TENDER, M.NEGOTIATION, M.CONSULTATION, M.QUOTATION])
def test_competitive_methods_need_three_valid_responses(method):
    rule = RULES[method]
    assert (rule.min_responses, rule.justification_required, rule.publication_days) == (3, False, 0)


def test_single_source_needs_a_justification_published_five_working_days():
    rule = RULES[M.SINGLE_SOURCE]
    assert (rule.min_responses, rule.justification_required, rule.publication_days) == (0, True, 5)


def test_venture_calls_follow_none_of_the_procurement_rules():
    rule = RULES[M.VENTURE]
    assert (rule.min_responses, rule.justification_required, rule.publication_days) == (0, False, 0)


def test_every_method_has_its_rule():
    assert set(RULES) == set(PurchaseMethod)


def test_a_call_without_a_chosen_method_takes_its_kinds_default():
    assert f.CallFactory(kind=CallKind.VENTURE).purchase_method == M.VENTURE
    assert f.CallFactory(kind=CallKind.PURCHASE).purchase_method == M.OPEN_TENDER


# --- the call form ------------------------------------------------------------------------------------

def test_single_source_without_justification_is_refused_and_nothing_saved(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(kind="purchase", purchase_method="single_source"))
    assert resp.status_code == 200
    assert "采用单一来源方式须说明理由" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 0


def test_single_source_with_justification_is_saved_and_published_on_the_call_page(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(kind="purchase", purchase_method="single_source",
                                                           single_source_reason=REASON))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    call = only_call()
    assert (call.purchase_method, call.single_source_reason) == (M.SINGLE_SOURCE, REASON)
    html = client.get(f"/calls/{call.id}").get_data(as_text=True)  # the draft's preview, as the public will see it
    assert "单一来源理由" in html and REASON in html


def test_a_purchase_cannot_take_the_grant_route_nor_a_venture_call_a_procurement_method(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(kind="purchase", purchase_method="venture"))
    assert resp.status_code == 200 and "政府购买服务须选择政府采购方式" in resp.get_data(as_text=True)
    resp = client.post("/manage/calls/new", data=call_form(kind="venture", purchase_method="negotiation"))
    assert resp.status_code == 200 and "公益创投征集的采购方式应为“公益创投”" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 0


def test_the_method_defaults_to_the_kind_when_not_chosen(client, signed_in_officer):
    assert client.post("/manage/calls/new", data=call_form(kind="purchase")).status_code == 302
    assert only_call().purchase_method == M.OPEN_TENDER


def test_a_justification_is_dropped_when_the_method_is_not_single_source(client, signed_in_officer):
    client.post("/manage/calls/new", data=call_form(kind="purchase", purchase_method="consultation",
                                                    single_source_reason=REASON))
    assert only_call().single_source_reason is None


# --- competitive methods: the minimum of valid responses ------------------------------------------------

def _apps(n):
    return [dict(total=90 - i, requested="50000") for i in range(n)]


def test_results_are_refused_with_fewer_valid_responses_than_the_method_needs():
    call, _apps_made = f.ranked_call(_apps(2), kind=CallKind.PURCHASE, purchase_method=M.CONSULTATION)
    with pytest.raises(AwardRefused) as e:
        award_ops.generate(call, call.created_by, utcnow())
    assert "竞争性磋商" in e.value.message and "不少于3家" in e.value.message and "只有2家" in e.value.message
    assert proposal_of(call) is None


def test_applications_that_failed_screening_are_not_valid_responses():
    call, made = f.ranked_call(_apps(3), kind=CallKind.PURCHASE, purchase_method=M.QUOTATION)
    f.ApplicationFactory(call=call, status=AppStatus.SUBMITTED, screening=Screening.FAILED)
    award_ops.generate(call, call.created_by, utcnow())  # three passed: enough
    assert proposal_of(call) is not None


def test_publishing_is_refused_when_valid_responses_fell_below_the_minimum():
    call, made = f.ranked_call(_apps(3), kind=CallKind.PURCHASE, purchase_method=M.OPEN_TENDER)
    award_ops.generate(call, call.created_by, utcnow())
    made[2].screening = Screening.FAILED  # a screening corrected after the proposal was generated
    db.session.flush()
    decision = PROPOSAL.check(call.created_by, proposal_of(call), "publish", utcnow())
    assert not decision
    assert "公开招标" in decision.reason and "目前只有2家" in decision.reason


def test_the_officers_call_page_shows_the_rule_and_the_count(client, signed_in_officer):
    call, _made = f.ranked_call(_apps(2), kind=CallKind.PURCHASE, purchase_method=M.NEGOTIATION,
                                created_by=signed_in_officer)
    html = client.get(f"/manage/calls/{call.id}/edit").get_data(as_text=True)
    assert "竞争性谈判：通过资格审查的有效申报（响应）不少于3家" in html
    assert "目前通过资格审查的有效申报：<strong>2</strong>家" in html


# --- single source: the justification's publication holds the contract back ----------------------------

def _single_source_award(published_days_ago):
    call, awards = f.final_awards(kind=CallKind.PURCHASE, purchase_method=M.SINGLE_SOURCE,
                                  single_source_reason=REASON)
    call.published_at = utcnow() - timedelta(days=published_days_ago)
    f.confirm_calendar_around(call.published_at)
    db.session.commit()
    return call, awards[0]


def test_no_contract_while_the_single_source_justification_is_published():
    call, award = _single_source_award(published_days_ago=0)
    with pytest.raises(FundingRefused) as e:
        prepare_contract(award, call.created_by, utcnow().date())
    assert "单一来源理由公示期（5个工作日）" in e.value.message and "公示期满后才能签订合同" in e.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contract)) == 0


def test_the_contract_may_be_prepared_once_the_publication_is_over():
    call, award = _single_source_award(published_days_ago=20)  # 20 days hold at least 5 working days
    assert justification_ends_at(call) < utcnow()
    assert contract_problem(call, utcnow()) is None
    assert prepare_contract(award, call.created_by, utcnow().date()).award_id == award.id


def test_the_officer_issuing_the_contract_sees_why_not(client, auth):
    call, award = _single_source_award(published_days_ago=0)
    auth.login(call.created_by)
    page = client.get(f"/manage/awards/{award.id}/contract").get_data(as_text=True)
    assert "单一来源理由公示期（5个工作日）" in page  # said before the officer tries
    resp = client.post(f"/manage/awards/{award.id}/contract", data={"starts_on": utcnow().date().isoformat(),
                                                                   "deliverables": "按合同提供服务。"})
    assert resp.status_code == 409
    assert "单一来源理由公示期" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contract)) == 0


def test_the_publication_period_counts_working_days():
    call = f.CallFactory(kind=CallKind.PURCHASE, purchase_method=M.SINGLE_SOURCE, single_source_reason=REASON)
    f.confirm_calendar_around(call.published_at)
    ends = justification_ends_at(call)
    # 5 working days after the day of publication end at 17:00 Beijing time: at least a week later
    assert ends - call.published_at >= timedelta(days=6)
    assert contract_problem(call, ends) is None
    assert contract_problem(call, ends - timedelta(minutes=1)) is not None
