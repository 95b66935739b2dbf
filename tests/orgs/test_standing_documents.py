"""An organization's standing documents (常用材料): kept once on its profile with their validity, used by a new
application wherever the call asks for a document of the same name, and never lost when either side lets go."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grantportal.applications.models import Application, Attachment
from grantportal.core.db import db
from grantportal.core.files import StoredFile
from grantportal.core.storage import get_storage
from grantportal.core.timeutil import local_today
from grantportal.orgs.models import OrgDocument
from tests import factories as f
from tests.applications.helpers import PDF, eligible_org, form, text

AUDIT = "上年度财务审计报告"  # the factories' calls ask for it (optional)


def _save(client, name=AUDIT, valid_until="", data=PDF, filename="审计报告.pdf"):
    return client.post("/org/documents", content_type="multipart/form-data",
                       data={"name": name, "valid_until": valid_until, "file": (io.BytesIO(data), filename)})


@pytest.fixture
def owner(auth):
    user = f.member_of(eligible_org())
    auth.login(user)
    return user


def _document(org_id, name=AUDIT):
    return db.session.scalar(sa.select(OrgDocument).where(OrgDocument.org_id == org_id, OrgDocument.name == name))


def test_the_owner_keeps_a_document_once_and_a_new_upload_replaces_it(client, owner):
    next_year = (local_today() + timedelta(days=365)).isoformat()
    assert _save(client, valid_until=next_year).status_code == 302
    first = _document(owner.org.id)
    page = text(client.get("/org/documents"))
    assert AUDIT in page and "审计报告.pdf" in page and "至 " in page
    old_key = first.file.storage_key
    assert _save(client, filename="审计报告（新）.pdf").status_code == 302
    db.session.expire_all()
    again = _document(owner.org.id)
    assert again.id == first.id and again.file.original_name == "审计报告（新）.pdf" and again.valid_until is None
    with pytest.raises(FileNotFoundError):  # the replaced file was used by nothing else
        get_storage().read(old_key)


def test_a_bad_upload_is_explained_and_nothing_is_kept(client, owner):
    resp = _save(client, name="")
    assert resp.status_code == 200 and "请填写材料名称" in text(resp)
    resp = _save(client, data=b"not a pdf")
    assert resp.status_code == 200 and AUDIT in text(resp), "what was typed is kept"
    assert not db.session.scalars(sa.select(OrgDocument)).all()
    assert not db.session.scalars(sa.select(StoredFile)).all()


def test_a_new_application_uses_the_valid_standing_document_of_the_same_name(client, owner):
    assert _save(client).status_code == 302
    call = f.CallFactory()
    assert "保存草稿时将自动使用本机构常用材料“上年度财务审计报告”" in text(client.get(f"/calls/{call.id}/apply"))
    resp = client.post(f"/calls/{call.id}/apply", data=form(), follow_redirects=True)
    assert "已自动使用机构常用材料：上年度财务审计报告" in text(resp)
    app = db.session.scalar(sa.select(Application).where(Application.call_id == call.id))
    [attachment] = app.attachments
    assert attachment.document.name == AUDIT and attachment.file_id == _document(owner.org.id).file_id


def test_an_expired_standing_document_is_not_used(client, owner):
    assert _save(client, valid_until=(local_today() - timedelta(days=1)).isoformat()).status_code == 302
    assert "过期" in text(client.get("/org/documents"))
    call = f.CallFactory()
    assert client.post(f"/calls/{call.id}/apply", data=form()).status_code == 302
    assert not db.session.scalars(sa.select(Attachment)).all()


def test_either_side_letting_go_leaves_the_other_its_file(client, owner):
    assert _save(client).status_code == 302
    call = f.CallFactory()
    client.post(f"/calls/{call.id}/apply", data=form())
    app = db.session.scalar(sa.select(Application).where(Application.call_id == call.id))
    [attachment] = app.attachments
    key = attachment.file.storage_key
    document = _document(owner.org.id)
    assert client.post(f"/org/documents/{document.id}/remove").status_code == 302
    assert get_storage().read(key) == PDF, "the application still holds it"
    assert client.post(f"/applications/{app.id}/attachments/{attachment.id}/remove",
                       data={"version": str(app.version)}).status_code in (302, 303)
    with pytest.raises(FileNotFoundError):
        get_storage().read(key)


def test_a_member_who_is_not_the_owner_reads_but_does_not_change_them(client, auth):
    org = eligible_org()
    f.member_of(org)  # the owner
    member = f.OrgMemberFactory(org=org, user=f.UserFactory(), is_owner=False).user
    auth.login(member)
    page = text(client.get("/org/documents"))
    assert "常用材料由本机构的负责人账号维护" in page
    assert _save(client).status_code == 403
