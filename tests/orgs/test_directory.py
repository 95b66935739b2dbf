from datetime import date

from grantportal.orgs.models import OrgStatus
from tests.factories import AnnualInspectionFactory, OrganizationFactory, RatingRecordFactory, member_of

PRIVATE = dict(legal_rep="欧阳建国", contact_name="司马丽华", contact_phone="13912345678",
               address="广东省中山市石岐街道民权路18号三楼302室")


def test_public_page_masks_personal_data_on_the_server(client):
    org = OrganizationFactory(**PRIVATE)
    RatingRecordFactory(org=org)
    AnnualInspectionFactory(org=org, year=2025)
    resp = client.get(f"/orgs/{org.id}")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    for raw in PRIVATE.values():
        assert raw not in body
    assert "民权路" not in body and "13912345678" not in body
    assert "广东省中山市石岐街道****" in body and "欧**" in body
    # the contact person and phone serve the bureau: not on the public record, not even masked
    assert "139****5678" not in body and "司**" not in body and "<dt>联系电话</dt>" not in body
    assert org.uscc in body and "2025年度" in body and "合格" in body


def test_directory_lists_only_verified_organizations(client):
    OrganizationFactory(name="已认证的机构甲")
    OrganizationFactory(name="待审核的机构乙", pending=True)
    OrganizationFactory(name="已退回的机构丙", status=OrgStatus.RETURNED)
    body = client.get("/orgs/").get_data(as_text=True)
    assert "已认证的机构甲" in body and "机构乙" not in body and "机构丙" not in body


def test_unverified_organizations_have_no_public_page(client):
    for status in (OrgStatus.PENDING, OrgStatus.RETURNED):
        org = OrganizationFactory(status=status)
        assert client.get(f"/orgs/{org.id}").status_code == 404
    assert client.get("/orgs/999999").status_code == 404


def test_directory_search_and_tier_filter(client):
    RatingRecordFactory(org=OrganizationFactory(name="中山市博爱社工服务中心"), valid_from=date(2000, 1, 1),
                        valid_until=date(2099, 12, 31))
    OrganizationFactory(name="中山市阳光义工协会")
    body = client.get("/orgs/?q=博爱").get_data(as_text=True)
    assert "博爱社工" in body and "阳光义工" not in body
    body = client.get("/orgs/?tier=4A").get_data(as_text=True)
    assert "博爱社工" in body and "阳光义工" not in body
    body = client.get("/orgs/?tier=none").get_data(as_text=True)
    assert "阳光义工" in body and "博爱社工" not in body


def test_directory_has_no_personal_data(client):
    OrganizationFactory(**PRIVATE)
    body = client.get("/orgs/").get_data(as_text=True)
    for raw in PRIVATE.values():
        assert raw not in body


def test_idor_member_cannot_open_another_organizations_certificate(client, auth):
    from tests.permissions.world import stored_pdf

    mine = member_of(OrganizationFactory(certificate=stored_pdf()))
    theirs = OrganizationFactory(certificate=stored_pdf("对方证书.pdf"))
    auth.login(mine)
    assert client.get(f"/org/{mine.org.id}/certificate").status_code == 200
    assert client.get(f"/org/{theirs.id}/certificate").status_code == 403
    assert client.get(f"/manage/orgs/{theirs.id}").status_code == 403
    assert client.get("/org/999999/certificate").status_code == 404
    # the member's own page never shows another organization
    assert theirs.name not in client.get("/org/").get_data(as_text=True)
