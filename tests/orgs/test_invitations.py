import re
from datetime import timedelta

import sqlalchemy as sa

from grantportal.accounts.models import User
from grantportal.core.db import db, utcnow
from grantportal.orgs.models import OrgInvitation, OrgMember
from tests.factories import OrganizationFactory, OrgInvitationFactory, OrgMemberFactory, UserFactory, member_of

NEW_ACCOUNT = {"username": "xiaoli", "name": "李小丽", "phone": "13912345678", "email": "",
               "password": "Sunshine-2026-ok", "password2": "Sunshine-2026-ok"}


def _invite(client, name="李小丽"):
    resp = client.post("/org/invitations", data={"invitee_name": name})
    assert resp.status_code == 200
    link = re.search(r'value="(http[^"]+/invite/[^"]+)"', resp.get_data(as_text=True)).group(1)
    return link.split("/invite/", 1)[1]


def test_owner_invites_and_invitee_joins_as_a_non_owner(client, auth):
    owner = member_of()
    auth.login(owner)
    token = _invite(client)
    invitation = db.session.scalar(db.select(OrgInvitation))
    assert invitation.token_hash != token and len(invitation.token_hash) == 64  # only a hash is stored
    assert token not in (invitation.token_hash or "")
    auth.logout()

    page = client.get(f"/invite/{token}").get_data(as_text=True)
    assert owner.org.name in page and 'value="李小丽"' in page
    resp = client.post(f"/invite/{token}", data=NEW_ACCOUNT)
    assert resp.status_code == 302
    user = db.session.scalar(db.select(User).where(User.username == "xiaoli"))
    assert user.membership.org_id == owner.org.id and not user.membership.is_owner
    assert client.get("/org/").status_code == 200  # signed in as the new member


def test_invitation_link_works_only_once(client, auth):
    auth.login(member_of())
    token = _invite(client)
    auth.logout()
    assert client.post(f"/invite/{token}", data=NEW_ACCOUNT).status_code == 302
    client.post("/logout")
    resp = client.get(f"/invite/{token}")
    assert resp.status_code == 404
    assert "链接无效或已过期" in resp.get_data(as_text=True)
    again = client.post(f"/invite/{token}", data={**NEW_ACCOUNT, "username": "second"})
    assert again.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.username == "second")) == 0


def test_expired_and_unknown_links_show_the_same_plain_page(client):
    OrgInvitationFactory(token="expired-token", expires_at=utcnow() - timedelta(minutes=1))
    for token in ("expired-token", "never-issued"):
        resp = client.get(f"/invite/{token}")
        assert resp.status_code == 404
        assert "链接无效或已过期" in resp.get_data(as_text=True)


def test_invitation_expires_after_the_configured_days(client, auth, app):
    auth.login(member_of())
    _invite(client)
    invitation = db.session.scalar(db.select(OrgInvitation))
    expected = utcnow() + timedelta(days=app.config["INVITATION_DAYS"])
    assert abs((invitation.expires_at - expected).total_seconds()) < 60


def test_owner_revokes_an_invitation_and_the_link_dies(client, auth):
    owner = member_of()
    auth.login(owner)
    token = _invite(client)
    invitation = db.session.scalar(db.select(OrgInvitation))
    assert "李小丽" in client.get("/org/").get_data(as_text=True)
    assert client.post(f"/org/invitations/{invitation.id}/revoke").status_code == 302
    assert "没有待接受的邀请" in client.get("/org/").get_data(as_text=True)
    assert client.post(f"/org/invitations/{invitation.id}/revoke").status_code == 409
    auth.logout()
    assert client.get(f"/invite/{token}").status_code == 404


def test_invitation_form_errors_are_shown_on_the_organization_page(client, auth):
    auth.login(member_of())
    resp = client.post("/org/invitations", data={"invitee_name": ""})
    assert resp.status_code == 200
    assert "请填写被邀请人姓名。" in resp.get_data(as_text=True)


def test_taken_username_keeps_the_link_usable(client):
    UserFactory(username="xiaoli")
    OrgInvitationFactory(token="tok-1")
    resp = client.post("/invite/tok-1", data=NEW_ACCOUNT)
    assert resp.status_code == 200
    assert "该登录名已被使用" in resp.get_data(as_text=True)
    assert db.session.scalar(db.select(OrgInvitation)).used_at is None


def test_non_owner_member_cannot_invite_or_remove(client, auth):
    org = OrganizationFactory()
    member_of(org)
    colleague = OrgMemberFactory(org=org, is_owner=False)
    auth.login(colleague.user)
    assert client.post("/org/invitations", data={"invitee_name": "张三"}).status_code == 403
    assert client.post(f"/org/members/{colleague.id}/remove").status_code == 403
    assert "邀请同事加入" not in client.get("/org/").get_data(as_text=True)


def test_owner_removes_a_member_but_not_the_owner(client, auth):
    owner = member_of()
    colleague = OrgMemberFactory(org=owner.org, is_owner=False)
    owner_member_id, colleague_id = owner.membership.id, colleague.id
    auth.login(owner)
    assert client.post(f"/org/members/{owner_member_id}/remove").status_code == 409
    assert client.post(f"/org/members/{colleague_id}/remove").status_code == 302
    assert db.session.get(OrgMember, colleague_id) is None


def test_owner_cannot_revoke_another_organizations_invitation(client, auth):
    auth.login(member_of())
    foreign = OrgInvitationFactory()
    assert client.post(f"/org/invitations/{foreign.id}/revoke").status_code == 403
    assert db.session.get(OrgInvitation, foreign.id).revoked_at is None
