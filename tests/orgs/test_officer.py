import json

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.orgs.models import Organization, OrgStatus
from tests.factories import OrganizationFactory, UserFactory, member_of


def _entries(action):
    return db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_officer_verifies_a_pending_organization_and_the_audit_log_has_before_and_after(client, auth):
    org = OrganizationFactory(pending=True)
    officer = UserFactory(officer=True)
    auth.login(officer)
    assert client.post(f"/manage/orgs/{org.id}/verify").status_code == 302
    org = db.session.get(Organization, org.id)
    assert org.status == OrgStatus.VERIFIED and org.reviewed_by_id == officer.id
    (entry,) = _entries("org.verify")
    assert entry.actor_id == officer.id and entry.object_id == str(org.id)
    assert json.loads(entry.before)["status"] == "pending"
    assert json.loads(entry.after)["status"] == "verified"


def test_verifying_twice_is_a_conflict(client, auth):
    org = OrganizationFactory()
    auth.login(UserFactory(officer=True))
    resp = client.post(f"/manage/orgs/{org.id}/verify")
    assert resp.status_code == 409
    assert "只有待审核的机构可以认证" in resp.get_data(as_text=True)


def test_return_needs_a_reason_which_the_owner_then_sees(client, auth):
    owner = member_of(OrganizationFactory(pending=True))
    org_id = owner.org.id
    auth.login(UserFactory(officer=True))
    resp = client.post(f"/manage/orgs/{org_id}/return", data={"reason": ""})
    assert resp.status_code == 200 and "请填写退回原因" in resp.get_data(as_text=True)
    assert db.session.get(Organization, org_id).status == OrgStatus.PENDING
    reason = "登记证书扫描件不清晰，请重新上传。"
    assert client.post(f"/manage/orgs/{org_id}/return", data={"reason": reason}).status_code == 302
    org = db.session.get(Organization, org_id)
    assert org.status == OrgStatus.RETURNED
    (entry,) = _entries("org.return")
    assert json.loads(entry.after)["review_note"] == "登记证书扫描件不清晰，请重新上传。"
    auth.logout()
    auth.login(owner)
    page = client.get("/org/").get_data(as_text=True)
    assert "已退回" in page and "登记证书扫描件不清晰" in page


def test_returned_owner_resubmits_and_goes_back_to_pending(client, auth, registration):
    owner = member_of(OrganizationFactory(status=OrgStatus.RETURNED, review_note="地址不完整"))
    auth.login(owner)
    data = registration(uscc=owner.org.uscc, address="广东省中山市东区街道兴中道8号")
    del data["certificate"]  # keep the certificate already on file
    resp = client.post("/org/edit", data=data)
    assert resp.status_code == 302
    org = db.session.get(Organization, owner.org.id)
    assert org.status == OrgStatus.PENDING and org.address.endswith("兴中道8号")
    assert _entries("org.resubmit")


def test_verified_profile_locks_registration_facts_but_allows_contact_changes(client, auth):
    owner = member_of()
    org = owner.org
    name, code, legal_rep = org.name, org.uscc, org.legal_rep
    auth.login(owner)
    page = client.get("/org/edit").get_data(as_text=True)
    assert "已锁定" in page and 'name="uscc"' not in page
    resp = client.post("/org/edit", data={
        "name": "改名后的机构", "uscc": "53100000500019795A", "legal_rep": "冒名者",
        "contact_name": "新联系人", "contact_phone": "0760-88886666", "address": "广东省中山市南区街道城南路1号",
        "district": "南区街道", "charter_scope": "新的业务范围", "service_fields": ["社区治理"]})
    assert resp.status_code == 302
    org = db.session.get(Organization, org.id)
    assert (org.name, org.uscc, org.legal_rep) == (name, code, legal_rep)
    assert org.contact_name == "新联系人" and org.service_field_list == ["社区治理"]
    assert org.district == "南区街道"
    assert org.status == OrgStatus.VERIFIED


def test_bad_contact_edit_keeps_what_was_typed_and_saves_nothing(client, auth):
    owner = member_of()
    phone = owner.org.contact_phone
    auth.login(owner)
    resp = client.post("/org/edit", data={"contact_name": "新联系人", "contact_phone": "12345",
                                          "address": "x", "charter_scope": "y", "service_fields": ["其他"]})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "请填写正确的手机号" in body and 'value="新联系人"' in body
    assert db.session.get(Organization, owner.org.id).contact_phone == phone


def test_auditor_sees_the_officer_pages_read_only(client, auth):
    org = OrganizationFactory(pending=True)
    auth.login(UserFactory(auditor=True))
    body = client.get(f"/manage/orgs/{org.id}").get_data(as_text=True)
    assert org.name in body and "只读" in body
    assert "<form" not in body.split("<main", 1)[1] and "审核通过" not in body and "录入评估等级" not in body
    assert client.post(f"/manage/orgs/{org.id}/verify").status_code == 403
    assert db.session.get(Organization, org.id).status == OrgStatus.PENDING


def test_officer_list_searches_and_filters(client, auth):
    OrganizationFactory(name="中山市博爱助残服务中心")
    pending = OrganizationFactory(name="中山市阳光长者服务社", pending=True)
    auth.login(UserFactory(officer=True))
    body = client.get("/manage/orgs/?q=博爱").get_data(as_text=True)
    assert "博爱助残" in body and "阳光长者" not in body
    body = client.get("/manage/orgs/?status=pending").get_data(as_text=True)
    assert "阳光长者" in body and "博爱助残" not in body
    body = client.get(f"/manage/orgs/?q={pending.uscc}").get_data(as_text=True)
    assert "阳光长者" in body and "博爱助残" not in body
    assert "没有符合条件" in client.get("/manage/orgs/?q=%25").get_data(as_text=True)  # % is literal


def test_officer_list_pages_are_bounded(client, auth, app):
    for _ in range(app.config["PAGE_SIZE"] + 1):
        OrganizationFactory()
    auth.login(UserFactory(officer=True))
    body = client.get("/manage/orgs/").get_data(as_text=True)
    assert "第 1 / 2 页" in body
    assert client.get("/manage/orgs/?page=999999").status_code == 200
    assert client.get("/manage/orgs/?page=-3").status_code == 200
