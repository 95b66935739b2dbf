import pytest
import sqlalchemy as sa

from grantportal.core.db import db
from grantportal.core.uscc import make_uscc
from grantportal.orgs import forms as org_forms
from grantportal.orgs import operations as ops
from grantportal.orgs.models import Organization, OrgKind, OrgMember, OrgStatus
from tests.factories import OrganizationFactory, UserFactory, member_of
from tests.orgs.conftest import CODE, certificate


def _org(code=CODE):
    return db.session.scalar(db.select(Organization).where(Organization.uscc == code))


def test_member_registers_an_organization_and_becomes_its_pending_owner(client, auth, registration):
    user = UserFactory()
    auth.login(user)
    resp = client.post("/org/register", data=registration())
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/org/")
    org = _org()
    assert org.status == OrgStatus.PENDING
    assert org.kind == OrgKind.SOCIAL_SERVICE
    assert org.service_field_list == ["养老服务", "青少年服务"]
    member = db.session.scalar(db.select(OrgMember).where(OrgMember.user_id == user.id))
    assert member.org_id == org.id and member.is_owner
    page = client.get("/org/").get_data(as_text=True)
    assert "待审核" in page and "社会服务机构" in page


@pytest.mark.parametrize("category,kind", [("1", OrgKind.SOCIAL_GROUP), ("2", OrgKind.SOCIAL_SERVICE),
                                           ("3", OrgKind.FOUNDATION), ("9", OrgKind.OTHER)])
def test_kind_comes_from_the_code_not_from_the_user(client, auth, registration, category, kind):
    auth.login(UserFactory())
    code = make_uscc(category, "442000", 4242)
    resp = client.post("/org/register", data=registration(uscc=code.lower(), kind="foundation"))
    assert resp.status_code == 302
    assert _org(code).kind == kind


def test_derived_category_is_shown_back_when_another_field_is_wrong(client, auth, registration):
    auth.login(UserFactory())
    body = client.post("/org/register", data=registration(name="")).get_data(as_text=True)
    assert "代码有效，机构类别：社会服务机构" in body
    assert "请填写机构名称。" in body


@pytest.mark.parametrize("code,message", [
    ("53100000500019795B", "校验位不正确"),
    ("5310000050001979", "应为18位"),
    ("53100000500019795I", "不允许的字符"),
    ("91350100M000100Y43", "不是民政部门登记的社会组织代码"),
])
def test_invalid_codes_are_refused_next_to_the_field_and_input_is_kept(client, auth, registration, code, message):
    auth.login(UserFactory())
    resp = client.post("/org/register", data=registration(uscc=code))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert message in body
    assert 'value="中山市石岐区阳光社会工作服务中心"' in body
    assert 'checked id="service_fields-0"' in body and 'checked id="service_fields-1"' not in body
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 0


def test_published_codes_are_accepted(client, auth, registration):
    auth.login(UserFactory())
    resp = client.post("/org/register", data=registration(uscc="53100000500019795A"))
    assert resp.status_code == 302
    assert _org("53100000500019795A").kind == OrgKind.FOUNDATION


def test_a_code_can_be_registered_only_once(client, auth, registration):
    OrganizationFactory(uscc=CODE)
    auth.login(UserFactory())
    resp = client.post("/org/register", data=registration())
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "该统一社会信用代码已登记" in body
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 1


def test_a_lost_race_on_the_unique_code_ends_in_the_same_message(client, auth, registration, monkeypatch):
    """The form's check passes (the other registration was not yet committed), the constraint catches it."""
    OrganizationFactory(uscc=CODE)
    monkeypatch.setattr(org_forms, "code_taken", lambda code, org=None: False)
    user = UserFactory()
    auth.login(user)
    resp = client.post("/org/register", data=registration())
    assert resp.status_code == 200
    assert "该统一社会信用代码已登记" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(OrgMember.id)).where(OrgMember.user_id == user.id)) == 0


def test_duplicate_code_in_operation_leaves_the_session_usable():
    OrganizationFactory(uscc=CODE)
    user = UserFactory()
    from werkzeug.datastructures import FileStorage

    upload = FileStorage(*certificate())
    data = {"uscc": CODE, "name": "重复机构", "registration_authority": "中山市民政局",
            "registered_on": OrganizationFactory.registered_on, "legal_rep": "王五", "contact_name": "赵六",
            "contact_phone": "13800138000", "address": "中山市石岐街道", "charter_scope": "社会服务",
            "service_fields": ["其他"]}
    with pytest.raises(ops.DuplicateCode):
        ops.register_org(data, "social_service", upload, user)
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 1  # the session still works
    db.session.rollback()


def test_certificate_whose_content_is_not_a_pdf_is_refused(client, auth, registration):
    auth.login(UserFactory())
    resp = client.post("/org/register", data=registration(certificate=certificate("证书.pdf", b"GIF89a not a pdf")))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "文件内容与扩展名 .pdf 不符" in body
    assert _org() is None


def test_certificate_of_another_type_is_refused(client, auth, registration):
    auth.login(UserFactory())
    body = client.post("/org/register", data=registration(certificate=certificate("证书.docx"))).get_data(as_text=True)
    assert "不支持该文件类型" in body


def test_certificate_is_required(client, auth, registration):
    auth.login(UserFactory())
    data = registration()
    del data["certificate"]
    assert "请上传登记证书扫描件" in client.post("/org/register", data=data).get_data(as_text=True)


def test_chinese_certificate_file_name_is_kept_and_served_back(client, auth, registration):
    user = UserFactory()
    auth.login(user)
    client.post("/org/register", data=registration(certificate=certificate("阳光中心登记证书.pdf")))
    org = _org()
    assert org.certificate.original_name == "阳光中心登记证书.pdf"
    resp = client.get(f"/org/{org.id}/certificate")
    assert resp.status_code == 200
    assert resp.data.startswith(b"%PDF-")
    assert "filename*=UTF-8''%E9%98%B3" in resp.headers["Content-Disposition"]
    assert resp.headers["Content-Disposition"].startswith("attachment;")


def test_service_fields_outside_the_list_are_refused(client, auth, registration):
    auth.login(UserFactory())
    body = client.post("/org/register", data=registration(service_fields=["炒股"])).get_data(as_text=True)
    assert "请从列表中选择" in body


def test_registration_date_must_be_a_real_date(client, auth, registration):
    auth.login(UserFactory())
    body = client.post("/org/register", data=registration(registered_on="2019-13-40")).get_data(as_text=True)
    assert "请按“年-月-日”填写日期" in body


def test_member_who_already_has_an_organization_is_sent_to_it(client, auth):
    auth.login(member_of())
    resp = client.get("/org/register")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/org/")


def test_member_without_organization_sees_an_empty_state_linking_to_registration(client, auth):
    auth.login(UserFactory())
    body = client.get("/org/").get_data(as_text=True)
    assert "尚未关联社会组织" in body and "/org/register" in body
