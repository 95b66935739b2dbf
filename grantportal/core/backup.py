"""Backup and restore: the database and the stored files in one checked archive.

An archive (``grantportal-backup-<UTC time>.tar.gz``) holds

- ``database.sqlite3`` (SQLite: a consistent copy made with the sqlite3 backup API) or
  ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom`` taken in the same snapshot as the row counts);
- ``files/…``: the whole STORAGE_DIR tree (uploads and issued PDFs);
- ``manifest.json``: when it was made, the alembic revision, the database kind, the rows in every table, the
  sha256 of every other member, and the audit chain's heads as the dump has them (``audit_chain``: the newest
  seal and each day's head, core/audit_chain.py ``chain_heads``), read in the same snapshot as the dump: keep the
  manifest (or publish its heads) and ``flask audit verify --against manifest.json`` finds a rewrite of the audit
  history made after the backup.

A restore checks everything before it changes anything: the member hashes, the revision against the code's
migrations, the database kind, and that the target database is empty unless ``force``. It then replaces the
database (SQLite: the file, atomically; PostgreSQL: ``pg_restore --clean`` in one transaction) and the files,
and checks the row counts against the manifest. Stop the application (web and job workers) before a restore.

Connection passwords go to pg_dump/pg_restore in the PGPASSWORD environment variable, never as arguments,
and are never printed.
"""
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app, has_app_context

from grantportal.core.audit_chain import chain_heads
from grantportal.core.db import db

FORMAT = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KIND_LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
FILES = "files"
# what the storage writes (grantportal.core.storage): <first two hex digits>/<32 hex digits>[.part]
STORAGE_OBJECT = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}(\.part)?$")
LOCK_TIMEOUT_MS = 30000
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that could not be done; the message is for the operator (Chinese)."""


# --- the configured database ------------------------------------------------------------------------

def _url(app):
    return sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])


def database_kind(app):
    backend = _url(app).get_backend_name()
    if backend not in DB_MEMBER:
        raise BackupError(f"不支持备份 {backend} 数据库，只支持 SQLite 和 PostgreSQL。")
    return backend


def _sqlite_path(app):
    database = _url(app).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复，请配置数据库文件。")
    return Path(database)


def code_revision(app):
    """The head revision of the code's migrations."""

    heads = ScriptDirectory(app.extensions["migrate"].directory).get_heads()
    return ",".join(sorted(heads))


def _revision(conn):
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    revisions = conn.scalars(sa.text("SELECT version_num FROM alembic_version")).all()
    return ",".join(sorted(revisions)) or None


def _counts(conn):
    """Rows in every table of the database behind ``conn``."""
    return {name: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
            for name in sorted(sa.inspect(conn).get_table_names())}


def _release_connections(app):
    """End every session and pooled connection the app holds on its database (a restore replaces it)."""
    if has_app_context() and current_app._get_current_object() is app:
        db.session.remove()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _live_counts(app):
    """(revision, counts) of the configured database as it is now; (None, {}) if it does not exist yet."""
    if database_kind(app) == "sqlite" and not _sqlite_path(app).exists():
        return None, {}
    with app.app_context(), db.engine.connect() as conn:
        return _revision(conn), _counts(conn)


# --- PostgreSQL client tools ------------------------------------------------------------------------

_PG_QUERY_ENV = {"host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
                 "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
                 "target_session_attrs": "PGTARGETSESSIONATTRS"}


def _pg_env(app):
    """The environment for pg_dump/pg_restore: the connection as PG* variables, the password (if the URL
    has one) in PGPASSWORD, and a lock timeout so a restore that waits on a running application gives up."""
    url = _url(app)
    env = dict(os.environ)
    for value, var in ((url.host, "PGHOST"), (url.port, "PGPORT"), (url.username, "PGUSER"),
                       (url.database, "PGDATABASE")):
        if value:
            env[var] = str(value)
    for key, var in _PG_QUERY_ENV.items():
        value = url.query.get(key)
        if value:
            env[var] = value if isinstance(value, str) else value[0]
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={LOCK_TIMEOUT_MS}".strip()
    return env


def _pg_tool(name):
    path = shutil.which(name)
    if not path:
        raise BackupError(f"未找到 {name}，请安装 PostgreSQL 客户端（Debian 软件包 postgresql-client，"
                          "bin/install 会安装），其主版本不应低于数据库服务器。")
    return path


def _run_pg(app, args, what):
    result = subprocess.run(args, env=_pg_env(app), capture_output=True, text=True, check=False)  # noqa: S603 (argument list, no shell)
    if result.returncode != 0:
        detail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{what}失败（{Path(args[0]).name} 退出码 {result.returncode}）：\n{detail}")


# --- archive helpers --------------------------------------------------------------------------------

class _HashingReader:
    """Reads a file for tarfile.addfile and hashes exactly the bytes that go into the archive."""

    def __init__(self, f):
        self.f = f
        self.sha256 = hashlib.sha256()

    def read(self, size=-1):
        data = self.f.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar, path, arcname, members):
    info = tar.gettarinfo(str(path), arcname)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with open(path, "rb") as f:
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    members[arcname] = reader.sha256.hexdigest()


def _add_bytes(tar, data, arcname):
    info = tarfile.TarInfo(arcname)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _archive_path(out_dir, now):
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"grantportal-backup-{now:%Y%m%dT%H%M%SZ}"
    path, n = out_dir / f"{stem}.tar.gz", 1
    while path.exists():
        n += 1
        path = out_dir / f"{stem}-{n}.tar.gz"
    return path


def default_backup_dir(app):
    return Path(app.config["BACKUP_DIR"])


def prune_backups(out_dir, keep):
    """Delete all but the newest ``keep`` archives in ``out_dir`` (names sort by their UTC time); ``keep`` 0 keeps
    all. Only this module's archives are touched. Returns the names deleted."""
    if keep <= 0:
        return []
    archives = sorted(Path(out_dir).glob("grantportal-backup-*.tar.gz"))
    gone = archives[:-keep]
    for path in gone:
        path.unlink(missing_ok=True)
    return [path.name for path in gone]


# --- create -----------------------------------------------------------------------------------------

def _dump_sqlite(app, dest):
    src_path = _sqlite_path(app)
    if not src_path.exists():
        raise BackupError(f"数据库文件 {src_path} 不存在。")
    src = sqlite3.connect(src_path)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)  # one read transaction: a consistent copy even while the app writes
    finally:
        dst.close()
        src.close()
    engine = sa.create_engine(f"sqlite:///{dest}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return _revision(conn), _counts(conn), chain_heads(conn)
    finally:
        engine.dispose()


def _dump_postgresql(app, dest):
    pg_dump = _pg_tool("pg_dump")
    with app.app_context(), db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            # the counts and pg_dump see the same snapshot
            snapshot = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
            revision, counts, heads = _revision(conn), _counts(conn), chain_heads(conn)
            _run_pg(app, [pg_dump, "--no-password", "--format=custom", f"--snapshot={snapshot}",
                          f"--file={dest}"], "导出 PostgreSQL 数据库")
    return revision, counts, heads


def create_backup(app, out_dir=None):
    """Write a backup archive of the database and STORAGE_DIR; return its path."""
    kind = database_kind(app)
    now = datetime.now(UTC)
    out_dir = Path(out_dir) if out_dir else default_backup_dir(app)
    storage = Path(app.config["STORAGE_DIR"])
    with tempfile.TemporaryDirectory(prefix="grantportal-backup-") as tmp:
        db_file = Path(tmp) / DB_MEMBER[kind]
        if kind == "sqlite":
            revision, counts, heads = _dump_sqlite(app, db_file)
        else:
            revision, counts, heads = _dump_postgresql(app, db_file)
        if revision is None:
            raise BackupError("数据库尚未初始化（没有 alembic_version），请先运行 flask db upgrade。")

        path = _archive_path(out_dir, now)
        part = path.with_name(f".{path.name}.part")
        members = {}
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add_file(tar, db_file, DB_MEMBER[kind], members)
                file_count = 0
                if storage.is_dir():
                    for item in sorted(storage.rglob("*")):
                        rel = item.relative_to(storage).as_posix()
                        if item.is_file() and not item.is_symlink() and not rel.endswith(".part"):
                            _add_file(tar, item, f"{FILES}/{rel}", members)
                            file_count += 1
                manifest = {
                    "format": FORMAT,
                    "created_at": now.isoformat(timespec="seconds"),
                    "alembic_revision": revision,
                    "database": kind,
                    "tables": counts,
                    "files": file_count,
                    "members": members,
                    "audit_chain": heads,
                }
                _add_bytes(tar, json.dumps(manifest, ensure_ascii=False, indent=1).encode(), MANIFEST)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(part, path)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    return path


def read_manifest(path):
    """The manifest of an archive (not verified: see ``restore_backup``)."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            return json.loads(tar.extractfile(MANIFEST).read())
    except (OSError, tarfile.TarError, KeyError, ValueError, AttributeError) as e:
        raise BackupError(f"无法读取备份文件 {path} 的清单：{e}") from e


# --- restore ----------------------------------------------------------------------------------------

def _safe_name(name):
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and name == p.as_posix() and bool(p.parts)


def _unpack_and_verify(path, stage):
    """Unpack ``path`` into ``stage``, hashing as it goes; return the manifest once every member matches."""
    corrupt = f"备份文件 {Path(path).name} 校验失败"
    hashes = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile() or not _safe_name(member.name) or member.name in hashes:
                    raise BackupError(f"{corrupt}：包含不应有的条目 {member.name!r}。未做任何更改。")
                dest = stage / member.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                sha = hashlib.sha256()
                with tar.extractfile(member) as src, open(dest, "wb") as out:
                    while chunk := src.read(CHUNK):
                        sha.update(chunk)
                        out.write(chunk)
                hashes[member.name] = sha.hexdigest()
    except (OSError, EOFError, tarfile.TarError) as e:
        raise BackupError(f"{corrupt}：文件已损坏或不完整（{e}）。未做任何更改。") from e
    if MANIFEST not in hashes:
        raise BackupError(f"{corrupt}：缺少 {MANIFEST}，这不是本系统生成的备份。未做任何更改。")
    try:
        manifest = json.loads((stage / MANIFEST).read_text(encoding="utf-8"))
        expected = dict(manifest["members"])
        kind = manifest["database"]
        if not isinstance(manifest["tables"], dict) or not manifest["alembic_revision"]:
            raise ValueError("tables / alembic_revision")
    except (ValueError, KeyError, TypeError) as e:
        raise BackupError(f"{corrupt}：清单 {MANIFEST} 无法解析。未做任何更改。") from e
    del hashes[MANIFEST]
    if manifest.get("format") != FORMAT or kind not in DB_MEMBER or DB_MEMBER[kind] not in expected:
        raise BackupError(f"{corrupt}：清单格式不受支持。未做任何更改。")
    bad = sorted(name for name in expected.keys() | hashes.keys() if expected.get(name) != hashes.get(name))
    if bad:
        shown = "、".join(bad[:5]) + (f" 等 {len(bad)} 项" if len(bad) > 5 else "")
        raise BackupError(f"{corrupt}：{shown} 与清单中的 SHA-256 不符或缺失，备份已被修改或损坏。未做任何更改。")
    return manifest


def _check_target(app, manifest, force):
    kind = database_kind(app)
    if manifest["database"] != kind:
        raise BackupError(f"备份来自 {KIND_LABEL[manifest['database']]} 数据库，当前配置的是 {KIND_LABEL[kind]}，"
                          "无法恢复。未做任何更改。")
    head = code_revision(app)
    if manifest["alembic_revision"] != head:
        raise BackupError(f"备份的数据库迁移版本为 {manifest['alembic_revision']}，当前程序的迁移版本为 {head}，"
                          "两者不一致，未做任何更改。请使用与备份时相同版本的程序恢复，恢复后再升级。")
    _revision_now, counts = _live_counts(app)
    rows = sum(n for name, n in counts.items() if name != "alembic_version")
    if rows and not force:
        raise BackupError(f"目标数据库中已有数据（{rows} 行），恢复将用备份覆盖全部数据和文件。"
                          "确认无误后请加 --yes 重新运行。未做任何更改。")


def _replace_sqlite(app, staged):
    target = _sqlite_path(app)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.restore")
    shutil.copyfile(staged, tmp)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    if target.exists():
        os.chmod(tmp, target.stat().st_mode & 0o777)
        # an exclusive lock: no other connection is in a transaction while the file is swapped
        lock = sqlite3.connect(target, timeout=LOCK_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            lock.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as e:
            lock.close()
            tmp.unlink(missing_ok=True)
            raise BackupError(f"数据库正被其他程序使用（{e}），请先停止应用再恢复。未做任何更改。") from e
        try:
            os.replace(tmp, target)
        finally:
            lock.close()
    else:
        os.replace(tmp, target)


def _restore_postgresql(app, staged):
    pg_restore = _pg_tool("pg_restore")
    _run_pg(app, [pg_restore, "--no-password", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                  "--exit-on-error", f"--dbname={_url(app).database}", str(staged)], "恢复 PostgreSQL 数据库")


def _write_files(stage, storage):
    """Put every backed-up file in place (each atomically); return their relative paths."""
    wanted = set()
    root = stage / FILES
    if root.is_dir():
        for item in root.rglob("*"):
            if not item.is_file():
                continue
            rel = item.relative_to(root).as_posix()
            wanted.add(rel)
            dest = storage / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.restore")
            shutil.copyfile(item, tmp)
            os.replace(tmp, dest)
    return wanted


def _remove_other_files(storage, wanted):
    """Remove stored objects the backup does not have (uploads made after it, which nothing refers to now)."""
    if not storage.is_dir():
        return
    for item in storage.rglob("*"):
        rel = item.relative_to(storage).as_posix()
        if item.is_file() and rel not in wanted and STORAGE_OBJECT.match(rel):
            item.unlink()


def restore_backup(app, path, force=False):
    """Restore the archive at ``path`` over the configured database and STORAGE_DIR.

    Refuses (BackupError, nothing changed) a corrupt or altered archive, another migration revision or
    database kind, and a target database that holds data unless ``force``. Returns the rows per table of the
    restored database, which match the manifest."""
    path = Path(path)
    storage = Path(app.config["STORAGE_DIR"])
    with tempfile.TemporaryDirectory(prefix="grantportal-restore-") as tmp:
        stage = Path(tmp)
        manifest = _unpack_and_verify(path, stage)
        _check_target(app, manifest, force)

        staged_db = stage / DB_MEMBER[manifest["database"]]
        wanted = _write_files(stage, storage)  # only adds: the old database refers to none of them by a new key
        _release_connections(app)
        if manifest["database"] == "sqlite":
            _replace_sqlite(app, staged_db)
        else:
            _restore_postgresql(app, staged_db)
        _release_connections(app)
        _remove_other_files(storage, wanted)

    revision, counts = _live_counts(app)
    if revision != manifest["alembic_revision"] or counts != manifest["tables"]:
        diff = sorted(name for name in counts.keys() | manifest["tables"].keys()
                      if counts.get(name) != manifest["tables"].get(name))
        raise BackupError(f"恢复后的数据库与备份清单不一致（迁移版本 {revision}；"
                          f"行数不同的表：{'、'.join(diff) or '无'}），请检查数据库日志。")
    return counts
