"""A call's files (申报指南, 申报书模板) and starting a call as a copy of an earlier one."""
import io

import pytest
import sqlalchemy as sa

from grantportal.calls.models import Call, CallFile, CallStatus
from grantportal.calls.operations import CARRIED
from grantportal.core.db import db
from grantportal.core.files import StoredFile
from grantportal.core.storage import get_storage
from grantportal.core.wording import quoted
from tests import factories as f
from tests.applications.helpers import PDF
from tests.formpage import form_values


def _upload(client, call, title="第十三届申报指南", name="申报指南.pdf", data=PDF, kind="guide"):
    return client.post(f"/manage/calls/{call.id}/files", content_type="multipart/form-data",
                       data={"kind": kind, "title": title, "file": (io.BytesIO(data), name)})


def test_an_officer_publishes_a_guide_that_anyone_can_download(client, auth, signed_in_officer):
    call = f.CallFactory()
    resp = _upload(client, call)
    assert resp.status_code == 302
    [item] = db.session.scalars(sa.select(CallFile).where(CallFile.call_id == call.id)).all()
    auth.logout()
    page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "相关文件" in page and "第十三届申报指南" in page and "申报指南" in page
    download = client.get(f"/calls/{call.id}/files/{item.id}")
    assert download.status_code == 200 and download.data == PDF
    assert client.get(f"/calls/{call.id + 1}/files/{item.id}").status_code == 404


def test_a_draft_calls_files_are_not_public(client, auth, signed_in_officer):
    call = f.CallFactory(status=CallStatus.DRAFT, published_at=None)
    assert _upload(client, call).status_code == 302
    item = db.session.scalar(sa.select(CallFile).where(CallFile.call_id == call.id))
    assert client.get(f"/calls/{call.id}/files/{item.id}").status_code == 200
    auth.logout()
    assert client.get(f"/calls/{call.id}/files/{item.id}").status_code == 404


def test_a_bad_upload_is_explained_next_to_its_field_and_nothing_is_stored(client, signed_in_officer):
    call = f.CallFactory()
    files_before = db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile))
    resp = _upload(client, call, title="")
    assert resp.status_code == 200 and "请填写文件名称" in resp.get_data(as_text=True)
    resp = _upload(client, call, name="guide.exe", data=b"MZ\x90\x00")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "第十三届申报指南" in page, "what was typed is kept"
    assert "不支持该文件类型" in page
    resp = client.post(f"/manage/calls/{call.id}/files", data={"kind": "guide", "title": "没有文件"})
    assert "请选择要上传的文件" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == files_before
    assert not db.session.scalars(sa.select(CallFile)).all()


def test_an_officer_starts_next_years_call_as_a_copy_with_its_settings_and_files(client, signed_in_officer):
    source = f.CallFactory(reserve_per_level=5, publicity_days=7, contract_months=24, report_every_months=6,
                           tranche_plan=[{"percent": "60", "condition": "signed"},
                                         {"percent": "40", "condition": "acceptance_passed"}])
    assert _upload(client, source).status_code == 302
    page = client.get(f"/manage/calls/new?from={source.id}").get_data(as_text=True)
    assert f"正在以{quoted(source.title)}为模板新建征集" in page  # its own quotation marks nested as ‘’
    values = form_values(page)
    assert values["name"] == source.name and values["year"] == str(source.year + 1) and values["edition"] == ""
    assert values["stages-0-opens_at"] == "" and values["criteria-0-name"] == source.criteria[0].name
    values.update({"edition": "第十四届", "stages-0-opens_at": "2030-11-01T09:00",
                   "stages-0-closes_at": "2030-12-01T17:00"})
    resp = client.post(f"/manage/calls/new?from={source.id}", data=values)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    copy = db.session.scalar(sa.select(Call).where(Call.id != source.id).order_by(Call.id.desc()))
    assert copy.status == CallStatus.DRAFT and copy.edition == "第十四届" and copy.year == source.year + 1
    assert [(lv.level, lv.budget_total) for lv in copy.levels] == [(lv.level, lv.budget_total) for lv in source.levels]
    assert [c.name for c in copy.criteria] == [c.name for c in source.criteria]
    for name in CARRIED:
        assert getattr(copy, name) == getattr(source, name), name
    [copied] = copy.files
    assert copied.file_id == source.files[0].file_id and copied.title == source.files[0].title


def test_removing_a_file_keeps_the_bytes_a_copied_call_still_uses(client, signed_in_officer):
    source = f.CallFactory()
    assert _upload(client, source).status_code == 302
    item = source.files[0]
    key = item.file.storage_key
    values = form_values(client.get(f"/manage/calls/new?from={source.id}").get_data(as_text=True))
    values.update({"edition": "第十四届", "stages-0-opens_at": "2030-11-01T09:00",
                   "stages-0-closes_at": "2030-12-01T17:00"})
    assert client.post(f"/manage/calls/new?from={source.id}", data=values).status_code == 302
    token = form_values(client.get(f"/manage/calls/{source.id}/files").get_data(as_text=True))["csrf_token"]
    assert client.post(f"/manage/calls/{source.id}/files/{item.id}/remove",
                       data={"csrf_token": token}).status_code == 302
    assert get_storage().read(key) == PDF, "the copy still offers it"
    copy_item = db.session.scalar(sa.select(CallFile))
    file_id = copy_item.file_id
    assert client.post(f"/manage/calls/{copy_item.call_id}/files/{copy_item.id}/remove",
                       data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(StoredFile, file_id) is None
    with pytest.raises(FileNotFoundError):  # the last call to use them took the bytes along
        get_storage().read(key)
