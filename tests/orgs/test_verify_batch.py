"""Batch verification (批量认证): the officer confirms, in one step, the registrations whose automatic checks
pass (valid code, certificate scan, registration date); each is verified, audited and told on its own."""
import re

import sqlalchemy as sa

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.notices import Notice
from grantportal.orgs.models import Organization, OrgStatus
from tests.factories import OrganizationFactory, member_of
from tests.permissions.world import stored_pdf

URL = "/manage/orgs/verify-batch"


def _pending(with_certificate=True):
    org = OrganizationFactory(pending=True)
    if with_certificate:
        org.certificate = stored_pdf("登记证书.pdf")
    db.session.commit()
    return member_of(org), org


def _digests(client):
    page = client.get(URL).get_data(as_text=True)
    return page, dict(re.findall(r'name="(digest-\d+)" value="([^"]*)"', page))


def _status(org):
    return db.session.scalar(sa.select(Organization.status).where(Organization.id == org.id))


def test_the_officer_verifies_the_checked_registrations_in_one_step(client, signed_in_officer):
    (owner_a, a), (owner_b, b) = _pending(), _pending()
    _owner_c, without_certificate = _pending(with_certificate=False)
    assert "批量认证" in client.get("/manage/orgs/").get_data(as_text=True)
    page, digests = _digests(client)
    assert "自动核验全部符合（2 家）" in page and "需逐一审核（1 家）" in page and "未上传登记证书扫描件" in page
    assert set(digests) == {f"digest-{a.id}", f"digest-{b.id}"}

    ids = [str(a.id), str(b.id)]
    resp = client.post(URL, data={"items": ids, **digests})
    assert resp.status_code == 200 and "请勾选确认后再提交" in resp.get_data(as_text=True)
    assert _status(a) == OrgStatus.PENDING

    resp = client.post(URL, data={"items": ids, "confirm": "y", **digests}, follow_redirects=True)
    assert "已认证 2 家机构，向机构账户发出站内通知 2 条" in resp.get_data(as_text=True)
    assert (_status(a), _status(b), _status(without_certificate)) == \
        (OrgStatus.VERIFIED, OrgStatus.VERIFIED, OrgStatus.PENDING)
    audited = db.session.scalars(sa.select(AuditEntry.object_id).where(AuditEntry.action == "org.verify",
                                                                      AuditEntry.object_type == "organization")).all()
    assert sorted(audited) == sorted(ids)
    for owner in (owner_a, owner_b):
        assert db.session.scalars(sa.select(Notice.title).where(Notice.user_id == owner.id)).all() == \
            ["机构登记已通过审核"]


def test_a_registration_changed_after_the_page_was_shown_is_left_pending(client, signed_in_officer):
    (_o, a), (_p, b) = _pending(), _pending()
    _page, digests = _digests(client)
    a.legal_rep = "另一位法定代表人"
    db.session.commit()
    resp = client.post(URL, data={"items": [str(a.id), str(b.id)], "confirm": "y", **digests},
                       follow_redirects=True)
    assert "已认证 1 家机构" in resp.get_data(as_text=True) and "另有 1 家" in resp.get_data(as_text=True)
    assert (_status(a), _status(b)) == (OrgStatus.PENDING, OrgStatus.VERIFIED)


def test_a_registration_failing_a_check_cannot_be_slipped_in(client, signed_in_officer):
    _o, without_certificate = _pending(with_certificate=False)
    resp = client.post(URL, data={"items": [str(without_certificate.id)], "confirm": "y"})
    assert resp.status_code == 200 and "请从列表中选择" in resp.get_data(as_text=True)
    assert _status(without_certificate) == OrgStatus.PENDING
