"""项目执行公开: the public list of a call's selected projects and the page of each project in force — money paid
and leveraged, tranches, evaluations — with nothing personal (donors by consent only, masked free text)."""
from datetime import timedelta
from decimal import Decimal

from grantportal.calls.models import CallStatus
from grantportal.core.db import db
from grantportal.core.timeutil import format_date
from grantportal.funding.models import ContractStatus
from grantportal.funding.payments.operations import record_payment, record_recovery
from tests import factories as f
from tests.funding.conftest import TODAY, active_contract, evaluate
from tests.funding.test_matched import add, fund


def text(client, url, status=200):
    resp = client.get(url)
    assert resp.status_code == status
    return resp.get_data(as_text=True)


def test_a_project_in_force_shows_its_money_funds_and_evaluations_to_anyone(client, contract, officer):
    award = contract.award
    record_payment(contract, contract.tranches[0], officer, TODAY - timedelta(days=5), Decimal("25000"), "FK-8841")
    db.session.commit()
    record_recovery(contract, officer, TODAY, Decimal("3000"), "SH-1", "超范围列支，经办人电话13812345678")
    add(award, officer, fund("enterprise", "中山某科技有限公司", pledged="20000", received="8000"))
    add(award, officer, fund("individual", "张三丰", pledged="500", received="500"))
    add(award, officer, fund("individual", "李四光", pledged="300", received="300", name_public=True))
    add(award, officer, fund("anonymous", "", pledged="1000", received="1000"))
    evaluate(contract, officer, "midterm", "good")

    page = text(client, f"/projects/{contract.id}")  # not signed in
    assert award.application.title in page and award.application.org.name in page
    assert f"{format_date(contract.starts_on)}至{format_date(contract.ends_on)}" in page
    assert "¥25,000.00" in page and "¥3,000.00" in page and "¥22,000.00" in page  # paid, recovered, net
    assert "中期评估：<strong>良好</strong>" in page
    assert "中山某科技有限公司" in page and "李四光" in page and "匿名" in page
    assert "张三丰" not in page and "个人捐赠者" in page  # no consent, no name
    assert "13812345678" not in page and "138****5678" in page
    assert f"<dt>服务镇街</dt><dd>{award.application.district}</dd>" in page
    assert "FK-8841" not in page  # vouchers are the bureau's bookkeeping, not public


def test_a_project_from_before_the_district_field_says_not_given(client, contract):
    contract.award.application.district = None
    db.session.commit()
    assert "<dt>服务镇街</dt><dd>未填写</dd>" in text(client, f"/projects/{contract.id}")


def test_the_page_exists_only_once_the_contract_is_in_force(client, officer):
    _call, awards = f.final_awards()
    contract = active_contract(awards[0], officer, status=ContractStatus.ISSUED)
    text(client, f"/projects/{contract.id}", 404)
    text(client, "/projects/99999", 404)
    contract.status = ContractStatus.ACTIVE
    db.session.commit()
    text(client, f"/projects/{contract.id}")


def test_the_call_list_links_projects_in_force_and_sums_the_call(client, officer):
    call, (signed, waiting) = f.final_awards()
    contract = active_contract(signed, officer)
    active_contract(waiting, officer, status=ContractStatus.ISSUED)
    record_payment(contract, contract.tranches[0], officer, TODAY, Decimal("25000"), "FK-1")
    db.session.commit()
    page = text(client, f"/calls/{call.id}/projects")
    assert f'href="/projects/{contract.id}"' in page and "签约中" in page
    assert "入选项目</dt><dd>2个" in page and "¥110,000.00" in page  # 5万 + 6万
    assert signed.application.title in page and waiting.application.title in page
    assert "项目执行公开" in text(client, f"/calls/{call.id}/results")


def test_before_final_results_the_list_says_when_it_will_show(client):
    call, _apps = f.ranked_call([dict(total=90)])
    assert "评审结果确定后，将在本页公开" in text(client, f"/calls/{call.id}/projects")
    call.status = CallStatus.DRAFT
    db.session.commit()
    text(client, f"/calls/{call.id}/projects", 404)  # a draft call's existence is not public
