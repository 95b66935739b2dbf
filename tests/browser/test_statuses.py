"""An organization on a 375 px phone sees one truthful status for each of its applications, from 草稿 through
公示, the contract and execution to 已结项, with what to do next. Screenshot: tests/screenshots/statuses-phone.png."""
import pytest

from grantportal.applications.models import AppStatus, Screening
from grantportal.core.db import db
from grantportal.funding.models import ContractStatus
from tests import factories as f
from tests.applications.helpers import eligible_org
from tests.browser.util import fits_phone, shot, sign_in
from tests.funding.conftest import active_contract

pytestmark = pytest.mark.browser


def test_an_organization_follows_each_application_through_the_lifecycle_on_a_phone(phone, officer):
    org = eligible_org(name="阳光社工服务中心")
    member = f.member_of(org)
    call = f.CallFactory()
    f.ApplicationFactory(call=call, org=org, title="社区儿童托管（草稿）")
    f.ApplicationFactory(call=call, org=org, title="助残就业（已提交）", status=AppStatus.SUBMITTED, number="S-1")
    f.ApplicationFactory(call=call, org=org, title="长者学堂（未通过）", status=AppStatus.SUBMITTED, number="S-2",
                         screening=Screening.FAILED)
    expected = {"社区儿童托管（草稿）": ("草稿", "继续填写并提交"), "助残就业（已提交）": ("已提交", "等待资格审查"),
                "长者学堂（未通过）": ("资格审查未通过", "查看审查意见")}
    for title, status, contract_status, step in (
            ("邻里互助（待签合同）", "合同待签", ContractStatus.ISSUED, "签字盖章后上传扫描件"),
            ("社区食堂（执行中）", "执行中", ContractStatus.ACTIVE, "按期提交项目报告"),
            ("家庭教育（已结项）", "已结项", ContractStatus.CLOSED, "无需操作")):
        _call, (award, _other) = f.final_awards()
        award.application.org_id, award.application.title = org.id, title
        active_contract(award, officer, status=contract_status)
        expected[title] = (status, step)
    db.session.commit()

    sign_in(phone, member.username)
    phone.goto("/applications/")
    for title, (status, step) in expected.items():
        row = phone.locator("tr", has_text=title)
        assert row.locator("td[data-label='状态']").inner_text().strip() == status, title
        assert step in row.locator("td[data-label='下一步']").inner_text(), title
    fits_phone(phone, 375)
    shot(phone, "statuses-phone")
    phone.click("text=邻里互助（待签合同）")
    phone.wait_for_load_state()
    assert phone.locator("main .badge").first.inner_text() == "合同待签"
    fits_phone(phone, 375)
