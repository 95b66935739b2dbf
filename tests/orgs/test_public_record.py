"""An organization's public record (承接能力信息): its projects with amounts awarded and paid and evaluation
grades (asked of monitoring in one query), and the sanctions the credit rules make public, for as long as
they do — nothing personal."""
from datetime import timedelta
from decimal import Decimal

from grantportal.core.db import db
from grantportal.funding.models import ContractStatus
from grantportal.funding.payments.operations import record_payment, record_recovery
from grantportal.orgs.models import SanctionKind
from tests import factories as f
from tests.funding.conftest import TODAY, active_contract, evaluate
from tests.render import queries_while_rendering


def page(client, org):
    resp = client.get(f"/orgs/{org.id}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_the_record_lists_the_projects_undertaken_with_money_and_grades(client, app):
    call, (signed, waiting) = f.final_awards()
    officer = call.created_by
    contract = active_contract(signed, officer)
    active_contract(waiting, officer, status=ContractStatus.ISSUED)
    record_payment(contract, contract.tranches[0], officer, TODAY - timedelta(days=5), Decimal("25000"), "FK-1")
    db.session.commit()
    record_recovery(contract, officer, TODAY, Decimal("3000"), "SH-1", "超范围列支")
    evaluate(contract, officer, "midterm", "good")

    with queries_while_rendering(app) as seen:
        body = page(client, signed.application.org)  # not signed in
    assert seen == []
    assert f'<a href="/projects/{contract.id}">{signed.application.title}</a>' in body
    assert f'<a href="/calls/{call.id}/results">{call.title}</a>' in body
    assert "¥50,000.00" in body and "¥22,000.00" in body  # awarded; paid net of the recovery
    assert "中期评估：良好" in body and "履行中" in body
    assert "承接项目1个" in body

    body = page(client, waiting.application.org)
    assert waiting.application.title in body and "签约中" in body
    projects = body[body.index('id="projects"'):body.index('id="credit"')]
    assert 'href="/projects/' not in projects  # no public project page before the contract is in force


def test_an_organization_without_projects_says_so(client):
    assert "暂无在本平台承接的项目" in page(client, f.OrganizationFactory())


def test_sanctions_are_public_for_as_long_as_the_credit_rules_say(client):
    org = f.OrganizationFactory()
    years = lambda n: TODAY - timedelta(days=365 * n + 2)  # noqa: E731
    f.SanctionFactory(org=org, kind=SanctionKind.PENALTY, decided_on=years(1),
                      reason="违规开展评比达标活动，经办人电话13812345678")
    f.SanctionFactory(org=org, kind=SanctionKind.PENALTY, decided_on=years(4), reason="四年前的行政处罚")
    f.SanctionFactory(org=org, kind=SanctionKind.ABNORMAL, decided_on=years(3), lifted_on=years(2),
                      reason="已移出满一年的异常名录")
    f.SanctionFactory(org=org, kind=SanctionKind.SERIOUS, decided_on=years(3), lifted_on=years(1),
                      reason="移出未满两年的失信名单")
    f.SanctionFactory(org=org, kind=SanctionKind.ABNORMAL, decided_on=years(1), reason="仍在异常名录中")
    db.session.commit()
    body = page(client, org)
    assert "信用信息公示" in body
    assert "违规开展评比达标活动" in body and "138****5678" in body and "13812345678" not in body
    assert "移出未满两年的失信名单" in body and "仍在异常名录中" in body
    assert "四年前的行政处罚" not in body and "已移出满一年的异常名录" not in body


def test_a_clean_record_says_there_is_nothing_to_publish(client):
    assert "公示期内无行政处罚，未列入活动异常名录或严重违法失信名单" in page(client, f.OrganizationFactory())
