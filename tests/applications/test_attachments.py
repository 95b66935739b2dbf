"""Attachments: checked content, Chinese names kept, downloads per file with Content-Disposition."""
from pathlib import Path
from urllib.parse import quote

from grantportal.applications import operations as app_ops
from grantportal.applications.models import Application, AppStatus, Attachment
from grantportal.core.db import db
from grantportal.core.files import StoredFile
from tests import factories as f
from tests.applications.helpers import PNG, attach, eligible_org, form, ready, text, upload


def _doc(app):
    return db.session.get(Application, app.id).call.documents[0]


def test_upload_keeps_the_chinese_name_and_downloads_as_attachment(client, auth):
    user = f.member_of(eligible_org())
    app = f.ApplicationFactory(org=user.org, created_by=user)
    auth.login(user)
    data = form(app)
    data[f"doc-{_doc(app).id}"] = upload(name="项目申报书（定稿）.pdf")
    resp = client.post(f"/applications/{app.id}/edit", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302
    att = db.session.scalars(db.select(Attachment)).one()
    assert att.file.original_name == "项目申报书（定稿）.pdf" and att.application_id == app.id
    page = text(client.get(f"/applications/{app.id}"))
    assert "项目申报书（定稿）.pdf" in page
    resp = client.get(f"/applications/{app.id}/attachments/{att.id}")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and quote("项目申报书（定稿）.pdf") in disposition


def test_file_whose_content_is_not_what_its_name_says_is_refused_and_nothing_is_saved(client, auth):
    user = f.member_of(eligible_org())
    app = f.ApplicationFactory(org=user.org, created_by=user, title="原标题")
    auth.login(user)
    data = form(app, title="新标题")
    data[f"doc-{_doc(app).id}"] = upload(PNG, name="申报书.pdf")
    resp = client.post(f"/applications/{app.id}/edit", data=data, content_type="multipart/form-data")
    page = text(resp)
    assert resp.status_code == 200 and "与扩展名 .pdf 不符" in page
    assert 'value="新标题"' in page  # what was typed is kept
    assert db.session.get(Application, app.id).title == "原标题"
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0


def test_file_type_outside_the_allowlist_is_refused(client, auth):
    user = f.member_of(eligible_org())
    app = f.ApplicationFactory(org=user.org, created_by=user)
    auth.login(user)
    data = form(app)
    data[f"doc-{_doc(app).id}"] = upload(b"MZ\x90\x00", name="申报书.exe")
    assert "不支持该文件类型" in text(client.post(f"/applications/{app.id}/edit", data=data,
                                               content_type="multipart/form-data"))


def test_file_over_the_size_limit_is_refused_next_to_the_field(client, auth, app):
    app.config["MAX_FILE_SIZE"] = 100
    user = f.member_of(eligible_org())
    application = f.ApplicationFactory(org=user.org, created_by=user)
    auth.login(user)
    data = form(application)
    data[f"doc-{_doc(application).id}"] = upload()
    assert "文件过大" in text(client.post(f"/applications/{application.id}/edit", data=data,
                                          content_type="multipart/form-data"))


def test_request_over_the_cap_gets_413(client, auth, app):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    user = f.member_of(eligible_org())
    application = f.ApplicationFactory(org=user.org, created_by=user, title="原标题")
    auth.login(user)
    data = form(application, title="新标题")
    data[f"doc-{_doc(application).id}"] = upload(b"%PDF-" + b"0" * 5000)
    resp = client.post(f"/applications/{application.id}/edit", data=data, content_type="multipart/form-data")
    assert resp.status_code == 413 and "文件过大" in text(resp)
    assert db.session.get(Application, application.id).title == "原标题"


def test_attachment_is_removed_while_draft_but_not_after_submission(client, auth):
    user, app = ready()
    att = db.session.scalars(db.select(Attachment)).one()
    auth.login(user)
    assert client.post(f"/applications/{app.id}/attachments/{att.id}/remove").status_code == 302
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0
    kept = attach(db.session.get(Application, app.id))
    stored = db.session.get(Application, app.id)
    stored.status = AppStatus.SUBMITTED
    db.session.commit()
    resp = client.post(f"/applications/{app.id}/attachments/{kept.id}/remove")
    assert resp.status_code == 302
    assert db.session.get(Attachment, kept.id) is not None


def test_another_organizations_attachment_is_forbidden_and_a_mismatched_id_not_found(client, auth):
    user, mine = ready()
    _, theirs = ready(member=False)
    their_att = db.session.scalars(db.select(Attachment).where(Attachment.application_id == theirs.id)).one()
    auth.login(user)
    assert client.get(f"/applications/{theirs.id}/attachments/{their_att.id}").status_code == 403
    assert client.get(f"/applications/{mine.id}/attachments/{their_att.id}").status_code == 404
    assert client.post(f"/applications/{mine.id}/attachments/{their_att.id}/remove").status_code == 404
    assert db.session.get(Attachment, their_att.id) is not None


def _bytes_on_disk(app_):
    return sorted(p.name for p in Path(app_.config["STORAGE_DIR"]).rglob("*") if p.is_file())


def test_a_removed_attachment_takes_its_stored_bytes_with_it(client, auth, app):
    user, application = ready()
    att = db.session.scalars(db.select(Attachment)).one()
    key, file_id = att.file.storage_key, att.file_id
    assert key in _bytes_on_disk(app)
    auth.login(user)
    assert client.post(f"/applications/{application.id}/attachments/{att.id}/remove").status_code == 302
    assert key not in _bytes_on_disk(app)
    assert db.session.get(StoredFile, file_id) is None


def test_a_save_refused_after_the_upload_was_stored_leaves_no_bytes_behind(client, auth, app, monkeypatch):
    """Two files for one save: the first is stored, then the second is refused (here: a rule of the
    operation); the rollback takes the first file's bytes too."""
    user = f.member_of(eligible_org())
    application = f.ApplicationFactory(org=user.org, created_by=user)
    auth.login(user)
    before = _bytes_on_disk(app)
    real = app_ops.add_attachment

    def store_then_refuse(*args, **kw):
        real(*args, **kw)
        assert len(_bytes_on_disk(app)) == len(before) + 1  # the bytes were written
        raise app_ops.ApplicationError("该材料已达上限，本次修改未保存。")

    monkeypatch.setattr(app_ops, "add_attachment", store_then_refuse)
    data = form(application)
    data[f"doc-{_doc(application).id}"] = upload(name="项目申报书.pdf")
    resp = client.post(f"/applications/{application.id}/edit", data=data, content_type="multipart/form-data")
    assert "本次修改未保存" in text(resp)
    assert _bytes_on_disk(app) == before
    assert db.session.scalar(db.select(db.func.count(StoredFile.id))) == 0
