"""Public pledges end to end (issue 13, DESIGN.md §4 Public participation: "Pledges from citizens and companies count
as matched funds only when received and verified"): a citizen pledges on a project's page for a company, shown
under a chosen name; the organization confirms receipt with evidence; the officer verifies; only then does the
amount received count — in the project's matched funds and leverage ratio, the call's funding summary and the
public statistics — and appear on the project's page. A returned, a merely confirmed and a withdrawn pledge count
nowhere and are never public. Every step is audited and each party told."""
from decimal import Decimal

import sqlalchemy as sa

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.disclosure.statistics.queries import compute
from grantportal.funding.matched.queries import call_summary_totals, project_leverage
from grantportal.funding.models import FundSourceKind, MatchedFund
from grantportal.pledges.models import DonorKind, PledgeStatus
from grantportal.pledges.queries import public_pledges
from tests.pledges.conftest import (
    COMPANY_USCC,
    as_user,
    confirm,
    notices_of,
    pledge,
    pledges,
    section,
    text_of,
)


def actions():
    return db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "pledge")
                              .order_by(AuditEntry.id)).all()


def social(award):
    return project_leverage(award).social


def test_a_pledge_counts_only_once_received_and_verified(client, world):
    w = world
    award = w.contract.award
    project = f"/projects/{w.contract.id}"
    before = project_leverage(award)
    stats_before = compute().total.social
    page = client.get(project).get_data(as_text=True)
    assert f'href="{project}/pledges/new"' in page and "暂无已核实到账的认捐" in page

    # the citizen pledges 3,000 for a company, to be shown as 岐江实业
    as_user(client, w.citizen)
    resp = pledge(client, w.contract, "3000", donor_kind="company", company_name="中山市岐江实业有限公司",
                  company_uscc=COMPANY_USCC.lower(), public_name="岐江实业")
    assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
    (item,) = pledges()
    assert resp.headers["Location"].endswith(f"/pledges/{item.id}")
    assert item.status == PledgeStatus.PLEDGED and item.amount == Decimal("3000.00")
    assert item.donor_kind == DonorKind.COMPANY and item.company_uscc == COMPANY_USCC  # normalised
    mine = client.get(f"/pledges/{item.id}").get_data(as_text=True)
    assert "已认捐，待机构确认到账" in mine and item.reference in mine
    assert notices_of(w.member)[-1].title == "收到新的公众认捐"
    assert social(award) == before.social and db.session.scalar(sa.select(sa.func.count(MatchedFund.id))) == 0

    # the organization sees it, without the pledger's account, and confirms 2,800 received with a bank slip
    as_user(client, w.member)
    listing = client.get("/my/pledges").get_data(as_text=True)
    assert item.reference in listing and "确认到账" in listing
    page = client.get(f"/my/pledges/{item.id}").get_data(as_text=True)
    assert "中山市岐江实业有限公司" in page and COMPANY_USCC in page
    assert w.citizen_phone not in page and w.citizen.name not in page
    resp = confirm(client, item, "2800", note="企业转账时扣除了手续费。")
    assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
    db.session.refresh(item)
    assert item.status == PledgeStatus.RECEIVED and item.received_amount == Decimal("2800.00")
    assert item.evidence_file.original_name == "银行回单.pdf"
    assert client.get(f"/pledges/{item.id}/evidence").status_code == 200
    assert notices_of(w.officer)[-1].title == "公众认捐到账待核实"
    assert notices_of(w.citizen)[-1].title == "承接机构已确认收到您的认捐"
    # confirmed but not verified: still counts nowhere and is not public
    assert social(award) == before.social
    client.delete_cookie("gp_session")
    assert "岐江实业" not in client.get(project).get_data(as_text=True)

    # the officer verifies: one matched fund of kind 公众认捐, 2,800 received
    as_user(client, w.officer)
    queue = client.get("/manage/pledges?status=received").get_data(as_text=True)
    assert "待核实（1）" in queue and item.reference in queue
    page = client.get(f"/manage/pledges/{item.id}").get_data(as_text=True)
    assert "银行回单.pdf" in page and "企业转账时扣除了手续费" in page and "公众账户 " + w.citizen.name in page
    resp = client.post(f"/manage/pledges/{item.id}/verify")
    assert resp.status_code == 303
    db.session.refresh(item)
    fund = item.matched_fund
    assert item.status == PledgeStatus.VERIFIED and fund.source_kind == FundSourceKind.PLEDGE
    assert (fund.source_name, fund.pledged, fund.received) == ("岐江实业", Decimal("3000.00"), Decimal("2800.00"))

    # counted: the project's leverage, the call's funding summary, the public statistics
    after = project_leverage(award)
    assert after.social == before.social + Decimal("2800.00") and after.own == before.own
    assert after.ratio > before.ratio
    assert call_summary_totals(w.call).social == before.social + Decimal("2800.00")
    assert compute().total.social == stats_before + Decimal("2800.00")

    # the public page lists it with the total; the leverage line counts it
    client.delete_cookie("gp_session")
    public = client.get(project).get_data(as_text=True)
    listed = text_of(section(public, "pledges"))
    assert "岐江实业" in listed and "¥2,800.00" in listed and "合计 ¥2,800.00" in listed
    assert after.words in public
    for private in ("中山市岐江实业有限公司", COMPANY_USCC, w.citizen_phone, w.citizen.name, "手续费"):
        assert private not in public
    latest = public_pledges(w.contract, limit=1)  # a page of one: the count and total are read, not the rows summed
    assert (latest.count, latest.total, latest.rows[0].name) == (1, Decimal("2800.00"), "岐江实业")

    # the pledger and the organization were told; 我的参与 shows it
    assert notices_of(w.citizen)[-1].title == "您的认捐已核实"
    assert notices_of(w.member)[-1].title == "公众认捐已核实"
    as_user(client, w.citizen)
    home = client.get("/citizen/").get_data(as_text=True)
    assert "已核实，到账¥2,800.00" in home and f"/pledges/{item.id}" in home
    assert actions() == ["pledge.make", "pledge.confirm_receipt", "pledge.verify"]
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.object_type == "matched_fund")) \
        == "matched_fund.add_pledge"

    # the matched-fund record is the pledge's: not edited through the matched-fund form
    as_user(client, w.member)
    assert client.get(f"/matched-funds/{fund.id}/edit").status_code == 409
    assert client.post(f"/matched-funds/{fund.id}/edit", data={"source_kind": "enterprise", "source_name": "改名",
                                                               "received": "1"}).status_code == 409
    assert "经核实的公众认捐，不可修改" in client.get(f"/awards/{award.id}/matched-funds").get_data(as_text=True)


def test_returned_confirmed_and_withdrawn_pledges_count_nowhere_and_stay_private(client, world):
    w = world
    award = w.contract.award
    before = social(award)
    as_user(client, w.citizen)
    assert pledge(client, w.contract, "500", display="anonymous", public_name="").status_code == 303
    assert pledge(client, w.contract, "800", public_name="王女士").status_code == 303
    returned, withdrawn = pledges()
    assert returned.anonymous and returned.shown_name == "爱心人士"

    # the citizen withdraws the second before paying; the organization is told
    resp = client.post(f"/pledges/{withdrawn.id}/withdraw")
    assert resp.status_code == 303
    db.session.refresh(withdrawn)
    assert withdrawn.status == PledgeStatus.WITHDRAWN
    assert notices_of(w.member)[-1].title == "公众认捐已撤回"
    assert client.post(f"/pledges/{withdrawn.id}/withdraw").status_code == 409  # once

    # the organization confirms the first; the officer returns it with a reason
    as_user(client, w.member)
    assert confirm(client, returned, "500").status_code == 303
    assert confirm(client, withdrawn, "800").status_code == 409  # a withdrawn pledge is not confirmed
    as_user(client, w.officer)
    resp = client.post(f"/manage/pledges/{returned.id}/return", data={"reason": "回单上的金额与认捐编号不符。"})
    assert resp.status_code == 303
    db.session.refresh(returned)
    assert returned.status == PledgeStatus.RETURNED and returned.return_reason == "回单上的金额与认捐编号不符。"
    assert notices_of(w.member)[-1].title == "公众认捐到账确认被退回"
    assert "回单上的金额与认捐编号不符" in notices_of(w.member)[-1].body
    assert client.post(f"/manage/pledges/{returned.id}/verify").status_code == 409  # nothing to verify now
    as_user(client, w.citizen)  # the organization said the money arrived: no longer the pledger's to withdraw
    resp = client.post(f"/pledges/{returned.id}/withdraw")
    assert resp.status_code == 409 and "承接机构已确认收到该认捐的款项，认捐不能再撤回" in resp.get_data(as_text=True)
    assert social(award) == before and db.session.scalar(sa.select(sa.func.count(MatchedFund.id))) == 0

    # the organization sees the reason and confirms again; until verified it still counts nowhere
    as_user(client, w.member)
    page = client.get(f"/my/pledges/{returned.id}").get_data(as_text=True)
    assert "回单上的金额与认捐编号不符" in page and "请按退回理由核对后重新确认到账" in page
    assert confirm(client, returned, "500").status_code == 303
    db.session.refresh(returned)
    assert returned.status == PledgeStatus.RECEIVED
    assert social(award) == before

    client.delete_cookie("gp_session")
    public = text_of(section(client.get(f"/projects/{w.contract.id}").get_data(as_text=True), "pledges"))
    assert "暂无已核实到账的认捐" in public and "爱心人士" not in public and "王女士" not in public
    assert actions() == ["pledge.make", "pledge.make", "pledge.withdraw", "pledge.confirm_receipt", "pledge.return",
                         "pledge.confirm_receipt"]

    # verified at last, it is listed as 爱心人士
    as_user(client, w.officer)
    assert client.post(f"/manage/pledges/{returned.id}/verify").status_code == 303
    client.delete_cookie("gp_session")
    public = text_of(section(client.get(f"/projects/{w.contract.id}").get_data(as_text=True), "pledges"))
    assert "爱心人士 ¥500.00" in public and "王女士" not in public
    assert social(award) == before + Decimal("500.00")


def test_a_double_submitted_pledge_is_one_pledge(client, world):
    as_user(client, world.citizen)
    assert pledge(client, world.contract, "1000").status_code == 303
    resp = pledge(client, world.contract, "1000")
    assert resp.status_code == 303
    assert len(pledges()) == 1
    assert "无需重复提交" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_a_project_not_in_execution_takes_no_pledge(client, world):
    as_user(client, world.citizen)
    page = client.get(f"/projects/{world.closed.id}/pledges/new")
    assert page.status_code == 409 and "不在执行期内，不接受认捐" in page.get_data(as_text=True)
    assert pledge(client, world.closed, "1000").status_code == 409
    assert pledges() == []
    public = client.get(f"/projects/{world.closed.id}").get_data(as_text=True)
    assert "不再接受认捐" in public and "/pledges/new" not in public
