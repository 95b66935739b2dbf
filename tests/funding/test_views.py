"""The money pages: the officer's payments page, the organization's read-only view, matched funds, the
call's summary and its funding settings."""
from decimal import ROUND_DOWN, Decimal

import pytest

from grantportal.calls.models import Call, FundingSource, FundingSourceKind
from grantportal.core.db import db
from grantportal.funding.models import MatchedFund, Payment, Recovery
from grantportal.funding.queries import totals
from tests import factories as f
from tests.funding.conftest import TODAY, active_contract, evaluate

DAY = TODAY.isoformat()  # as typed in a date field


def text(resp):
    return resp.get_data(as_text=True)


def test_officer_pays_the_first_tranche_from_the_payments_page(client, auth, contract, officer):
    auth.login(officer)
    url = f"/manage/contracts/{contract.id}/payments"
    page = text(client.get(url))
    assert "合同签订后" in page and "可拨付" in page and "未到拨付条件" in page
    resp = client.post(url, data={"tranche": str(contract.tranches[0].id), "paid_on": DAY, "amount": "25000",
                                  "voucher_number": "FK-2026-001"})
    assert resp.status_code == 303
    assert totals(contract).paid == Decimal("25000.00")
    page = text(client.get(url))
    assert "已拨付" in page and "FK-2026-001" in page


def test_a_refused_payment_shows_why_next_to_the_field_and_keeps_what_was_typed(client, auth, contract, officer):
    auth.login(officer)
    url = f"/manage/contracts/{contract.id}/payments"
    resp = client.post(url, data={"tranche": str(contract.tranches[1].id), "paid_on": DAY, "amount": "15000",
                                  "voucher_number": "FK-77"})
    assert resp.status_code == 409
    assert "中期评估尚未合格，第2期不能拨付。" in text(resp) and 'value="FK-77"' in text(resp)
    resp = client.post(url, data={"tranche": str(contract.tranches[0].id), "paid_on": DAY, "amount": "30000",
                                  "voucher_number": "FK-78"})
    assert resp.status_code == 409 and "超过第1期未拨付金额" in text(resp)
    resp = client.post(url, data={"tranche": str(contract.tranches[0].id), "paid_on": "2026/13/01",
                                  "amount": "５万", "voucher_number": ""})
    assert resp.status_code == 400
    body = text(resp)
    assert "请按“年-月-日”填写日期" in body and "请填写凭证号。" in body and "半角数字" in body
    assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 0


def test_officer_records_a_recovery_and_it_shows_on_the_timeline(client, auth, contract, officer):
    auth.login(officer)
    client.post(f"/manage/contracts/{contract.id}/payments", data={
        "tranche": str(contract.tranches[0].id), "paid_on": DAY, "amount": "25000", "voucher_number": "FK-1"})
    resp = client.post(f"/manage/contracts/{contract.id}/recoveries", data={
        "recovered_on": DAY, "amount": "30000", "voucher_number": "SH-1", "reason": "违约"})
    assert resp.status_code == 409 and "追回金额不能超过" in text(resp)
    resp = client.post(f"/manage/contracts/{contract.id}/recoveries", data={
        "recovered_on": DAY, "amount": "5000", "voucher_number": "SH-1", "reason": "部分服务未按合同开展"})
    assert resp.status_code == 303
    assert db.session.scalar(db.select(db.func.count()).select_from(Recovery)) == 1
    page = text(client.get(f"/manage/contracts/{contract.id}/payments"))
    assert "追回资金" in page and "部分服务未按合同开展" in page


def test_the_organization_sees_its_own_contracts_money_read_only(client, auth, contract, officer):
    evaluate(contract, officer, "midterm", "fail")
    member = f.member_of(contract.award.application.org)
    auth.login(member)
    resp = client.get(f"/contracts/{contract.id}/funding")
    assert resp.status_code == 200
    assert "暂停拨付" in text(resp) and "<form" not in text(resp).split("</header>")[-1]
    assert client.get(f"/manage/contracts/{contract.id}/payments").status_code == 403
    auth.logout()
    auth.login(f.member_of(f.OrganizationFactory()))
    assert client.get(f"/contracts/{contract.id}/funding").status_code == 403


def test_member_adds_a_matched_fund_and_sees_the_leverage(client, auth, contract):
    award = contract.award
    auth.login(f.member_of(award.application.org))
    resp = client.post(f"/awards/{award.id}/matched-funds/new", data={
        "source_kind": "enterprise", "source_name": "中山某公司", "pledged": "30000", "received": "30000",
        "pledged_on": DAY, "received_on": DAY})
    assert resp.status_code == 303
    page = text(client.get(f"/awards/{award.id}/matched-funds"))
    assert "政府资助 5万元，撬动社会资金 3万元、机构自筹 4万元，杠杆率 1:1.4" in page
    resp = client.post(f"/awards/{award.id}/matched-funds/new", data={
        "source_kind": "individual", "source_name": "", "pledged": "100", "received": ""})
    assert resp.status_code == 400 and "请填写资金来源名称" in text(resp)
    assert db.session.scalar(db.select(db.func.count()).select_from(MatchedFund)) == 1


def test_call_funding_summary_lists_projects_with_totals(client, auth, contract, officer):
    auth.login(officer)
    call = contract.award.proposal.call
    page = text(client.get(f"/manage/calls/{call.id}/funding"))
    assert contract.award.application.title in page
    assert "入选项目</dt><dd>2个" in page
    assert "政府资助 11万元" in page


def test_call_funding_summary_breaks_each_project_down_by_funding_source(client, auth, contract, officer):
    """800,000 专项资金 and 300,000 福彩公益金: each project's award split 8:3, down to the 分, the remainder on the
    larger source (the rule of calls/sources.py, as in open data and statistics)."""
    call = contract.award.proposal.call
    call.funding_sources = [
        FundingSource(position=0, kind=FundingSourceKind.SPECIAL_FUND, amount=Decimal("800000.00")),
        FundingSource(position=1, kind=FundingSourceKind.LOTTERY, amount=Decimal("300000.00"))]
    db.session.commit()
    amount = contract.award.amount
    lottery = (amount * 3 / 11).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    auth.login(officer)
    page = text(client.get(f"/manage/calls/{call.id}/funding"))
    assert "专项资金 ¥800,000.00；福彩公益金 ¥300,000.00" in page
    assert f"专项资金 {amount - lottery:.2f}；福彩公益金 {lottery:.2f}" in page


# --- funding settings -------------------------------------------------------------------------------------

def settings_data(*rows, months="12", every="3"):
    data = {"contract_months": months, "report_every_months": every}
    for i, (percent, condition) in enumerate(rows, 1):
        data[f"percent_{i}"], data[f"condition_{i}"] = percent, condition
    return data


@pytest.fixture
def call():
    return f.CallFactory()


def test_settings_save_a_60_40_plan(client, auth, call, officer):
    auth.login(officer)
    resp = client.post(f"/manage/calls/{call.id}/funding-settings",
                       data=settings_data(("60", "signed"), ("40", "acceptance_passed"), months="24", every="6"))
    assert resp.status_code == 303
    call = db.session.get(Call, call.id)
    assert call.tranche_plan == [{"percent": "60", "condition": "signed"},
                                 {"percent": "40", "condition": "acceptance_passed"}]
    assert (call.contract_months, call.report_every_months) == (24, 6)
    assert "分2期拨付：合同签订后拨付60%；结项验收合格后拨付40%。" in text(
        client.get(f"/manage/calls/{call.id}/funding-settings"))


@pytest.mark.parametrize("rows, message", [
    ((("60", "signed"), ("30", "midterm_passed")), "各期比例之和须为100%（当前为90.00%）。"),
    ((("abc", "signed"), ("100", "midterm_passed")), "第1期的比例必须是数字。"),
    ((("50", "midterm_passed"), ("50", "signed")), "拨付条件须按签约、中期评估、结项验收的先后顺序排列。"),
])
def test_a_bad_plan_is_refused_with_a_message(client, auth, call, officer, rows, message):
    auth.login(officer)
    resp = client.post(f"/manage/calls/{call.id}/funding-settings", data=settings_data(*rows))
    assert resp.status_code == 400
    assert message in text(resp)
    assert db.session.get(Call, call.id).tranche_plan is None


def test_report_interval_cannot_exceed_the_contract(client, auth, call, officer):
    auth.login(officer)
    resp = client.post(f"/manage/calls/{call.id}/funding-settings",
                       data=settings_data(("100", "signed"), months="3", every="6"))
    assert resp.status_code == 400 and "进度报告周期不能长于合同期限。" in text(resp)


def test_settings_are_locked_once_a_contract_exists(client, auth, officer):
    call, awards = f.final_awards()
    active_contract(awards[0], officer)
    auth.login(officer)
    assert "已锁定" in text(client.get(f"/manage/calls/{call.id}/funding-settings"))
    resp = client.post(f"/manage/calls/{call.id}/funding-settings", data=settings_data(("100", "signed")))
    assert resp.status_code == 409 and "已锁定" in text(resp)
    assert db.session.get(Call, call.id).tranche_plan is None
