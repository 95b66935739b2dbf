"""Fault drill (issue 15): the storage folder full, then read-only, while an officer uploads a call's 申报指南.

What it proves: an upload the disk refuses — a real ``ENOSPC`` from a full filesystem, then a real ``EROFS`` from a
read-only one — is answered with the form again (200, not a 500), a clear Chinese message next to the file field
and the title as typed; the transaction rolled back: no ``stored_file`` row, no ``call_file`` row, no audit entry,
no half-written file left in the folder; a line in the log for the operator. With space again, the same upload
goes through (nothing to restart).

The failure is real, not a monkeypatch: ``STORAGE_DIR`` is a 64 KB tmpfs the test mounts (tests run as root here,
and root ignores a chmod, so only a full or read-only filesystem stops its writes). Skipped, saying why, where the
test may not mount (not root, no CAP_SYS_ADMIN). Runs on SQLite and PostgreSQL (the database is the test's own
one either way; only the storage fails). About 1 s.
"""
import errno
import io
import logging
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from grantportal.calls.models import CallFile
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.files import StoredFile
from tests import factories as f
from tests.applications.helpers import PDF

TITLE = "第十三届申报指南（修订稿）"


@pytest.fixture
def small_disk(tmp_path, app):
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mount = shutil.which("mount")
    if not mount:
        pytest.skip("no mount command to make a small filesystem")
    done = subprocess.run([mount, "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(folder)],  # noqa: S603
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): {done.stderr.strip()}")
    app.config["STORAGE_DIR"] = str(folder)
    app.extensions.pop("gp_storage", None)  # the storage backend is built again on the small disk
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)  # noqa: S603, S607


def _fill(folder):
    """Write until the filesystem says it is full (a real ENOSPC)."""
    with (folder / "filler").open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as e:
            assert e.errno == errno.ENOSPC


def _upload(client, call):
    return client.post(f"/manage/calls/{call.id}/files", content_type="multipart/form-data",
                       data={"kind": "guide", "title": TITLE, "file": (io.BytesIO(PDF), "申报指南.pdf")})


def _counts():
    db.session.rollback()
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (StoredFile, CallFile, AuditEntry))


def _files(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file() and p.name != "filler")


def test_an_upload_to_a_full_or_read_only_disk_is_refused_cleanly(client, signed_in_officer, small_disk, caplog):
    call = f.CallFactory()
    before = _counts()

    _fill(small_disk)
    with caplog.at_level(logging.ERROR, logger="grantportal.files"):
        resp = _upload(client, call)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200, page[:500]
    assert "服务器存储空间不足或不可写入" in page and TITLE in page  # the message, and what was typed is kept
    assert _counts() == before and _files(small_disk) == []  # rolled back, no half-written .part file
    assert any("storage refused an upload" in r.getMessage() and "28" in r.getMessage() for r in caplog.records)

    (small_disk / "filler").unlink()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)  # noqa: S603, S607
    resp = _upload(client, call)
    assert resp.status_code == 200 and "服务器存储空间不足或不可写入" in resp.get_data(as_text=True)
    assert _counts() == before and _files(small_disk) == []

    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)  # noqa: S603, S607
    assert _upload(client, call).status_code == 302  # space again: the same upload goes through
    stored, files, audited = _counts()
    assert (stored, files) == (before[0] + 1, before[1] + 1) and audited > before[2]
    assert len(_files(small_disk)) == 1
