"""The backup and restore drill (DESIGN §6), on whichever database the suite runs on: real data is backed
up, damaged, restored and compared row for row and byte for byte; a damaged archive, another migration
revision and a database that holds data (without --yes) are refused with nothing changed."""
import hashlib
import io
import json
import tarfile

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from grantportal.core import backup as bk
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.files import StoredFile
from grantportal.core.search import in_models
from grantportal.core.storage import get_storage
from grantportal.orgs.models import Organization
from grantportal.review.models import ReviewScore
from tests import factories as f


def _tiny_png():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


PNG = _tiny_png()


def _upload(name="活动照片.png"):
    record = StoredFile(storage_key=get_storage().save(PNG), original_name=name, extension="png",
                        content_type="image/png", size=len(PNG), sha256=hashlib.sha256(PNG).hexdigest())
    db.session.add(record)
    db.session.commit()
    return record


def _world():
    """Final awards (calls, organizations, reviews, proposal…), an uploaded file, and the audit rows they made."""
    f.final_awards()
    f.OrganizationFactory(certificate=_upload("登记证书.pdf"))
    record = _upload()
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) > 0
    return record.id, record.storage_key


def _snapshot():
    """Every row of every table (alembic_version included), in a stable order."""
    db.session.remove()
    with db.engine.connect() as conn:
        return {name: sorted(map(tuple, conn.execute(sa.select(sa.text("*")).select_from(sa.table(name)))),
                             key=repr)
                for name in sa.inspect(conn).get_table_names()}


def _files(app):
    root = bk.Path(app.config["STORAGE_DIR"])
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _rewrite(src, dest, change):
    """Copy the archive ``src`` to ``dest`` with ``change(name, data) -> data`` applied to each member."""
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dest, "w:gz") as tout:
        for member in tin:
            data = tin.extractfile(member).read()
            data = change(member.name, data)
            member.size = len(data)
            tout.addfile(member, io.BytesIO(data))
    return dest


def _schema_is_as_migrated():
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": in_models}), db.metadata) == []
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_entry"))


def test_the_drill_brings_back_every_row_every_file_and_the_audit_log(app, tmp_path):
    file_id, key = _world()
    before, files_before = _snapshot(), _files(app)

    archive = bk.create_backup(app, tmp_path / "backups")
    assert archive.name.startswith("grantportal-backup-") and archive.name.endswith("Z.tar.gz")
    manifest = bk.read_manifest(archive)
    assert manifest["alembic_revision"] == bk.code_revision(app)
    assert manifest["database"] == db.engine.dialect.name
    assert manifest["tables"] == {name: len(rows) for name, rows in before.items()}
    # the uploads, and the files the published results' checks keep (awards/proposals/checks.py)
    assert manifest["files"] == len(files_before) == len(before["stored_file"]) >= 2

    # the damage: rows deleted, an uploaded file lost, rows and a file added after the backup
    db.session.execute(sa.delete(ReviewScore))
    db.session.delete(db.session.get(StoredFile, file_id))
    db.session.commit()
    get_storage().delete(key)
    f.OrganizationFactory(name="备份之后登记的社会组织")
    late_key = get_storage().save(b"written after the backup")
    assert _snapshot() != before

    counts = bk.restore_backup(app, archive, force=True)

    assert counts == manifest["tables"]
    assert _snapshot() == before  # audit_entry included: the log is exactly as it was
    assert _files(app) == files_before
    assert get_storage().read(key) == PNG
    with pytest.raises(FileNotFoundError):
        get_storage().read(late_key)
    _schema_is_as_migrated()
    # sequences came back too: new rows get new ids
    org = f.OrganizationFactory()
    assert org.id > max(row[0] for row in before["organization"])
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == len(before["organization"]) + 1


def test_an_altered_archive_is_refused_and_nothing_changes(app, tmp_path):
    _world()
    archive = bk.create_backup(app, tmp_path)
    f.OrganizationFactory(name="备份之后登记的社会组织")
    before, files_before = _snapshot(), _files(app)

    def flip_a_file_byte(name, data):
        return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("files/") else data

    tampered = _rewrite(archive, tmp_path / "tampered.tar.gz", flip_a_file_byte)
    with pytest.raises(bk.BackupError, match="校验失败.*SHA-256 不符.*未做任何更改"):
        bk.restore_backup(app, tampered, force=True)

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(bk.BackupError, match="已损坏或不完整"):
        bk.restore_backup(app, truncated, force=True)

    assert _snapshot() == before
    assert _files(app) == files_before


def test_an_archive_from_another_migration_revision_is_refused(app, tmp_path):
    _world()
    archive = bk.create_backup(app, tmp_path)
    f.OrganizationFactory(name="备份之后登记的社会组织")
    before = _snapshot()

    def older(name, data):
        if name != bk.MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["alembic_revision"] = "0005"
        return json.dumps(manifest).encode()

    old = _rewrite(archive, tmp_path / "old.tar.gz", older)
    head = bk.code_revision(app)
    with pytest.raises(bk.BackupError, match=f"备份的数据库迁移版本为 0005，当前程序的迁移版本为 {head}"):
        bk.restore_backup(app, old, force=True)
    assert _snapshot() == before


def test_a_database_with_data_is_only_overwritten_when_confirmed(app, tmp_path):
    _world()
    archive = bk.create_backup(app, tmp_path)
    f.OrganizationFactory(name="备份之后登记的社会组织")
    before = _snapshot()

    with pytest.raises(bk.BackupError, match="目标数据库中已有数据.*--yes"):
        bk.restore_backup(app, archive)
    assert _snapshot() == before


@pytest.fixture
def empty_target(make_app, is_postgres, tmp_path):
    """Another app on a database that does not exist yet (SQLite) or has no tables (PostgreSQL): a new server."""
    files = str(tmp_path / "new-files")
    if not is_postgres:
        yield make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'new' / 'grantportal.db'}", STORAGE_DIR=files)
        return
    url = db.engine.url
    target = url.set(database=f"{url.database}_restore")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    yield make_app(SQLALCHEMY_DATABASE_URI=target.render_as_string(hide_password=False), STORAGE_DIR=files)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def test_a_new_server_is_restored_without_confirmation(app, tmp_path, empty_target):
    _world()
    before, files_before = _snapshot(), _files(app)
    archive = bk.create_backup(app, tmp_path)

    counts = bk.restore_backup(empty_target, archive)

    assert counts == {name: len(rows) for name, rows in before.items()}
    with empty_target.app_context():
        assert _snapshot() == before
        assert _files(empty_target) == files_before
        _schema_is_as_migrated()


def test_the_database_password_goes_in_the_environment_not_the_arguments(make_app, monkeypatch, tmp_path):
    other = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://gp:s3cret-pw@db.internal:5433/grantportal")
    seen = {}

    def run(args, env, **kw):
        seen.update(args=args, env=env)
        return bk.subprocess.CompletedProcess(args, 1, "", "pg_restore: error: could not connect")

    monkeypatch.setattr(bk, "_pg_tool", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(bk.subprocess, "run", run)
    with pytest.raises(bk.BackupError) as e:
        bk._restore_postgresql(other, tmp_path / "database.pgdump")
    assert "s3cret" not in " ".join(seen["args"]) and "s3cret" not in str(e.value)
    assert seen["env"]["PGPASSWORD"] == "s3cret-pw"
    assert (seen["env"]["PGHOST"], seen["env"]["PGPORT"], seen["env"]["PGUSER"]) == ("db.internal", "5433", "gp")
