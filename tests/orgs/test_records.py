import json
from datetime import date

import pytest

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.orgs import operations as ops
from grantportal.orgs.models import AnnualInspection, InspectionResult, Sanction
from tests.factories import AnnualInspectionFactory, OrganizationFactory, SanctionFactory, UserFactory, member_of


def test_officer_records_an_inspection_once_per_year(client, auth):
    org = OrganizationFactory()
    AnnualInspectionFactory(org=org, year=2024)
    auth.login(UserFactory(officer=True))
    resp = client.post(f"/manage/orgs/{org.id}/inspections/new", data={"year": "2024", "result": "basic"})
    assert resp.status_code == 200 and "2024年度的年检结论已录入" in resp.get_data(as_text=True)
    assert client.post(f"/manage/orgs/{org.id}/inspections/new",
                       data={"year": "2025", "result": "basic"}).status_code == 302
    results = db.session.scalars(db.select(AnnualInspection.result).where(AnnualInspection.org_id == org.id)
                                 .order_by(AnnualInspection.year)).all()
    assert results == [InspectionResult.QUALIFIED, InspectionResult.BASIC]


def test_inspection_year_must_be_a_year(client, auth):
    org = OrganizationFactory()
    auth.login(UserFactory(officer=True))
    body = client.post(f"/manage/orgs/{org.id}/inspections/new",
                       data={"year": "去年", "result": "qualified"}).get_data(as_text=True)
    assert "请填写四位数字年份" in body


def test_the_database_refuses_a_second_inspection_for_a_year():
    org = OrganizationFactory()
    AnnualInspectionFactory(org=org, year=2023)
    with pytest.raises(ops.DuplicateInspection):
        ops.add_inspection(org, 2023, InspectionResult.FAILED, None, None)
    assert db.session.scalar(db.select(db.func.count(AnnualInspection.id))) == 1  # session still usable
    db.session.rollback()


def test_officer_adds_and_lifts_a_sanction_with_audit(client, auth):
    org = OrganizationFactory()
    auth.login(UserFactory(officer=True))
    resp = client.post(f"/manage/orgs/{org.id}/sanctions/new", data={
        "kind": "serious", "decided_on": "2025-08-01", "reason": "中民罚〔2025〕3号"})
    assert resp.status_code == 302
    sanction = db.session.scalar(db.select(Sanction).where(Sanction.org_id == org.id))
    early = client.post(f"/manage/sanctions/{sanction.id}/lift", data={"lifted_on": "2025-07-01"})
    assert early.status_code == 200 and "不能早于决定日期" in early.get_data(as_text=True)
    assert client.post(f"/manage/sanctions/{sanction.id}/lift", data={"lifted_on": "2026-02-01"}).status_code == 302
    assert db.session.get(Sanction, sanction.id).lifted_on == date(2026, 2, 1)
    assert client.get(f"/manage/sanctions/{sanction.id}/lift").status_code == 409
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "org.sanction_lift"))
    assert json.loads(entry.before) == {"lifted_on": None}
    assert json.loads(entry.after) == {"lifted_on": "2026-02-01"}


def test_members_see_their_sanctions_read_only(client, auth):
    owner = member_of()
    SanctionFactory(org=owner.org)
    auth.login(owner)
    body = client.get("/org/").get_data(as_text=True)
    assert "活动异常名录" in body and "/lift" not in body


def test_a_verified_organization_without_last_years_inspection_is_told_whom_to_ask(client, auth):
    from grantportal.core.timeutil import local_today

    org = OrganizationFactory(registration_authority="中山市民政局")
    auth.login(member_of(org))
    page = client.get("/org/").get_data(as_text=True)
    year = local_today().year - 1
    assert f"平台尚无{year}年度年检结果" in page and "请联系登记管理机关（中山市民政局）或本平台项目官员补录" in page
    AnnualInspectionFactory(org=org, year=year)
    assert "平台尚无" not in client.get("/org/").get_data(as_text=True)
