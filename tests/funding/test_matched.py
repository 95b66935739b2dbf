"""Matched funds and donations (配套资金 / 社会捐助): rules, sums and the leverage ratio on known numbers."""
from datetime import timedelta
from decimal import Decimal

import pytest

from grantportal.core.db import db
from grantportal.funding.matched.operations import save_matched_fund
from grantportal.funding.matched.queries import (
    call_summary_rows,
    call_summary_totals,
    fund_sums,
    leverage_ratio,
    project_leverage,
    public_name,
    ratio_text,
)
from grantportal.funding.models import ContractStatus, FundSourceKind
from grantportal.funding.operations import FundingRefused
from tests import factories as f
from tests.funding.conftest import FUTURE, TODAY, active_contract


def fund(kind="enterprise", name="中山某科技有限公司", pledged="0", received="0", **kw):
    data = {"source_kind": FundSourceKind(kind), "source_name": name, "name_public": False,
            "pledged": Decimal(pledged), "received": Decimal(received), "pledged_on": TODAY - timedelta(days=10),
            "received_on": TODAY if Decimal(received) else None, "note": ""}
    data.update(kw)
    return data


def add(award, user, data, **kw):
    record = save_matched_fund(award, user, data, **kw)
    db.session.commit()
    return record


@pytest.fixture
def awards():
    """5万 with 4万 自筹 and 6万 without."""
    return f.final_awards()[1]


@pytest.mark.parametrize("seed, social, own, ratio, text", [
    ("50000", "30000", "40000", Decimal("1.40"), "1:1.4"),
    ("50000", "0", "0", Decimal("0.00"), "1:0"),
    ("30000", "10000", "0", Decimal("0.33"), "1:0.33"),
    ("30000", "20000", "0", Decimal("0.67"), "1:0.67"),  # half-up
    ("50000", "50000", "50000", Decimal("2.00"), "1:2"),
    ("0", "10000", "0", None, "不适用"),
])
def test_leverage_ratio_is_leveraged_money_over_seed_money(seed, social, own, ratio, text):
    assert leverage_ratio(Decimal(seed), Decimal(social), Decimal(own)) == ratio
    assert ratio_text(leverage_ratio(Decimal(seed), Decimal(social), Decimal(own))) == text


def test_project_sums_count_pledged_and_received_and_only_received_leverages(awards):
    award = awards[0]
    member = f.member_of(award.application.org)
    add(award, member, fund(pledged="20000", received="20000"))
    add(award, member, fund("individual", "张三", pledged="10000", received="5000"))
    add(award, member, fund("anonymous", "", pledged="0", received="5000"))
    assert fund_sums(award) == (Decimal("30000.00"), Decimal("30000.00"))
    lev = project_leverage(award)
    assert (lev.seed, lev.social, lev.own) == (Decimal("50000.00"), Decimal("30000.00"), Decimal("40000.00"))
    assert lev.words == "政府资助 5万元，撬动社会资金 3万元、机构自筹 4万元，杠杆率 1:1.4"


def test_call_leverage_is_a_ratio_of_sums(awards, ):
    officer = f.UserFactory(officer=True)
    add(awards[0], officer, fund(pledged="30000", received="30000"), as_officer=True)
    add(awards[1], officer, fund(pledged="10000", received="6000"), as_officer=True)
    call = awards[0].proposal.call
    totals = call_summary_totals(call)
    assert (totals.seed, totals.pledged, totals.social, totals.own) == (
        Decimal("110000.00"), Decimal("40000.00"), Decimal("36000.00"), Decimal("40000.00"))
    assert totals.leverage.ratio == Decimal("0.69")  # (36000 + 40000) / 110000
    rows = {r.award.id: r for r in call_summary_rows(call, 0, 100)}
    assert rows[awards[0].id].leverage.ratio_text == "1:1.4"
    assert rows[awards[1].id].leverage.ratio_text == "1:0.1"


def test_received_may_exceed_pledged(awards):
    record = add(awards[0], f.member_of(awards[0].application.org), fund(pledged="1000", received="3000"))
    assert (record.pledged, record.received) == (Decimal("1000.00"), Decimal("3000.00"))


def test_anonymous_donations_keep_no_name_and_individuals_are_public_only_with_consent(awards):
    member = f.member_of(awards[0].application.org)
    anonymous = add(awards[0], member, fund("anonymous", "某热心人", received="100", name_public=True))
    assert (anonymous.source_name, anonymous.name_public, public_name(anonymous)) == ("", False, "匿名")
    private = add(awards[0], member, fund("individual", "李四", received="100"))
    assert public_name(private) == "个人捐赠者"
    consenting = add(awards[0], member, fund("individual", "王五", received="100", name_public=True))
    assert public_name(consenting) == "王五"
    company = add(awards[0], member, fund(received="100"))
    assert company.name_public and public_name(company) == "中山某科技有限公司"


@pytest.mark.parametrize("data, field", [
    (fund(name=" "), "source_name"),
    (fund(pledged="-1"), "pledged"),
    (fund(received="-1", pledged="10"), "received"),
    (fund(), "pledged"),  # both zero
    (fund(received="10", received_on=None), "received_on"),
    (fund(received="10", received_on=FUTURE), "received_on"),
    (fund(received="10", pledged_on=TODAY, received_on=TODAY - timedelta(days=1)), "received_on"),
])
def test_bad_matched_funds_are_refused(awards, data, field):
    with pytest.raises(FundingRefused) as e:
        save_matched_fund(awards[0], f.member_of(awards[0].application.org), data)
    assert e.value.field == field


def test_members_cannot_change_matched_funds_after_closure_but_officers_can(awards):
    officer = f.UserFactory(officer=True)
    active_contract(awards[0], officer, status=ContractStatus.CLOSED)
    with pytest.raises(FundingRefused) as e:
        save_matched_fund(awards[0], f.member_of(awards[0].application.org), fund(received="10"))
    assert e.value.status == 409
    db.session.rollback()
    add(awards[0], officer, fund(received="10"), as_officer=True)


def test_an_update_changes_the_record_and_is_audited(awards):
    from grantportal.core.audit import AuditEntry

    member = f.member_of(awards[0].application.org)
    record = add(awards[0], member, fund(pledged="1000"))
    add(awards[0], member, fund(pledged="1000", received="800"), fund=record)
    assert fund_sums(awards[0]) == (Decimal("1000.00"), Decimal("800.00"))
    actions = list(db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.object_type == "matched_fund")
                                      .order_by(AuditEntry.id)))
    assert actions == ["matched_fund.add", "matched_fund.update"]
