"""Retention and archiving of the audit log (core/audit_archive.py): entries older than six months leave the
database only through ``flask audit archive``, into a verified file, and the chain that remains still verifies from
the archived head; ``flask audit verify --archive FILE`` checks a file and finds a change made to it; the database's
own triggers refuse any other delete. Batches are small so that every walk crosses batch boundaries."""
import hashlib
import io
import json
import tarfile
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from grantportal.core import audit_archive
from grantportal.core import audit_chain as chain
from grantportal.core.audit import AuditEntry
from grantportal.core.audit_chain import AuditArchive, AuditSeal
from grantportal.core.db import db, utcnow
from tests import factories as f
from tests.core.test_audit_chain import _as_superuser

DAYS = [date(2025, 3, d) for d in (3, 4, 5, 6, 7)]  # long past: well over six months before today


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(chain, "BATCH", 4)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _old_log(per_day=3, days=DAYS):
    """Entries written on ``days`` (10:00 Beijing time), as the app wrote them then; inserting is all the triggers
    allow, and all this does."""
    for day in days:
        for i in range(per_day):
            at = datetime(day.year, day.month, day.day, 2, i, tzinfo=UTC)  # 10:0i in Asia/Shanghai
            db.session.execute(sa.insert(AuditEntry.__table__).values(
                at=at, actor_id=1, actor_name="黄主任", actor_role="officer", action="organization.update",
                object_type="organization", object_id=str(i), before='{"name": "旧名"}', after='{"name": "新名"}',
                ip="203.0.113.7", request_id=f"req-{day:%m%d}-{i}"))
    db.session.commit()


def _ids(model=AuditEntry, column="id"):
    db.session.expire_all()
    return db.session.scalars(sa.select(getattr(model, column)).order_by(getattr(model, column))).all()


def _seal():
    return chain.seal_settled(now=utcnow() + timedelta(seconds=current_app.config["AUDIT_SEAL_SETTLE_SECONDS"] + 1))


def _archive(runner, before, out):
    return runner.invoke(args=["audit", "archive", "--before", before.isoformat(), "--out", str(out)])


def _only_file(folder):
    [path] = sorted(folder.glob("audit-archive-*.tar.gz"))
    return path


def test_entries_younger_than_six_months_are_never_archived(runner, tmp_path):
    _old_log(1)
    f.OrganizationFactory()  # an entry of today
    _seal()
    before = _ids()
    for cutoff in (date.today() - timedelta(days=150), date.today() + timedelta(days=1)):
        result = _archive(runner, cutoff, tmp_path / "archives")
        assert result.exit_code == 1 and "距今不足六个月" in result.output, result.output
    assert _ids() == before and not (tmp_path / "archives").exists()


def test_old_entries_move_to_a_verified_archive_and_the_rest_verifies_from_the_archived_head(runner, tmp_path,
                                                                                           client, auth):
    _old_log()
    f.OrganizationFactory(name="中山市颐康社会工作服务中心")  # today's entries stay
    _seal()
    heads_before = chain.chain_heads(db.session.connection())
    (tmp_path / "heads.json").write_text(json.dumps(heads_before), encoding="utf-8")
    seals_before = {row.entry_id: row.link_hash for row in db.session.execute(sa.select(AuditSeal.__table__))}
    [cut_head] = [d for d in heads_before["days"] if d["day"] == DAYS[2].isoformat()]  # the last day archived
    kept = [i for i in _ids() if i > cut_head["entry_id"]]

    result = _archive(runner, DAYS[3], tmp_path / "archives")
    assert result.exit_code == 0, result.output
    assert f"已归档第 1–{cut_head['entry_id']} 条审计记录（9 条，{DAYS[3].isoformat()} 之前）" in result.output
    assert "数据库中剩余的封存链核验通过" in result.output
    path = _only_file(tmp_path / "archives")
    assert path.stat().st_mode & 0o077 == 0  # only its owner reads it: it holds personal data

    # the database: the archived entries and seals gone, the cut recorded (and itself audited), the rest intact
    assert _ids()[: len(kept)] == kept and min(_ids()) > cut_head["entry_id"]
    assert min(_ids(AuditSeal, "entry_id")) == cut_head["entry_id"] + 1
    cut = db.session.scalar(sa.select(AuditArchive))
    assert (cut.start_after, cut.through_entry_id, cut.link_hash) == (0, cut_head["entry_id"], cut_head["hash"])
    assert cut.file_name == path.name and cut.file_sha256 == audit_archive.file_sha256(path)
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "audit_archive")) is not None

    # what remains verifies from the cut, also against the heads published before the archive
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and f"自第 {cut_head['entry_id']} 条（已归档至该条）之后起" in result.output
    result = runner.invoke(args=["audit", "verify", "--against", str(tmp_path / "heads.json")])
    assert result.exit_code == 0, result.output

    # the archive verifies on its own, and is the file the database recorded
    result = runner.invoke(args=["audit", "verify", "--archive", str(path)])
    assert result.exit_code == 0 and "核验通过" in result.output and "与数据库中的归档记录一致" in result.output
    with tarfile.open(path) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        seals = [json.loads(line) for line in tar.extractfile("seals.jsonl").read().splitlines()]
    assert manifest["through_hash"] == cut_head["hash"] and manifest["start_hash"] == chain.GENESIS
    assert {s[0]: s[3] for s in seals} == {i: h for i, h in seals_before.items() if i <= cut_head["entry_id"]}
    assert [d["day"] for d in manifest["days"]] == [d.isoformat() for d in DAYS[:3]]

    # the auditor's page says where the chain now starts and which file holds the rest
    auth.login(f.UserFactory(auditor=True))
    page = client.get("/audit/chain").get_data(as_text=True)
    assert f"第 {cut_head['entry_id']} 条及以前的记录" in page and path.name in page and cut.file_sha256 in page
    auth.logout()

    # a second archive starts where the first ended
    result = _archive(runner, DAYS[4] + timedelta(days=1), tmp_path / "archives")
    assert result.exit_code == 0, result.output
    second = max((tmp_path / "archives").glob("audit-archive-*.tar.gz"), key=lambda p: p.stat().st_mtime_ns)
    check = audit_archive.verify_archive(second)
    assert check.ok and check.manifest["start_hash"] == cut_head["hash"]
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def _rewrite_member(path, name, change):
    """The archive with member ``name`` changed by ``change(bytes) -> bytes`` and the manifest's SHA-256 of it
    updated to match (a careful forger)."""
    with tarfile.open(path) as tar:
        members = {m: tar.extractfile(m).read() for m in ("manifest.json", "entries.jsonl", "seals.jsonl")}
    members[name] = change(members[name])
    manifest = json.loads(members["manifest.json"])
    manifest["files"][name] = hashlib.sha256(members[name]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(path, "w:gz") as tar:
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_a_changed_archive_is_found(runner, tmp_path):
    _old_log()
    _seal()
    assert _archive(runner, DAYS[3], tmp_path).exit_code == 0
    path = _only_file(tmp_path)
    _rewrite_member(path, "entries.jsonl", lambda data: data.replace(b"203.0.113.7", b"198.51.100.9", 1))
    result = runner.invoke(args=["audit", "verify", "--archive", str(path)])
    assert result.exit_code == 1
    assert "第 1 条审计记录的内容与封存不一致" in result.output
    assert "不是当时写出的文件" in result.output  # the database recorded another file's SHA-256


def test_the_database_refuses_to_delete_entries_that_were_not_archived(tmp_path, runner):
    _old_log()
    _seal()
    for statement in ("DELETE FROM audit_entry WHERE id = 1", "DELETE FROM audit_seal WHERE entry_id = 1"):
        with pytest.raises(sa.exc.DatabaseError):  # old, but no archive covers it
            with db.engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert _archive(runner, DAYS[2], tmp_path).exit_code == 0  # entries of DAYS[0..1] archived: ids 1–6
    for statement in ("DELETE FROM audit_entry WHERE id = 7", "DELETE FROM audit_seal WHERE entry_id = 7"):
        with pytest.raises(sa.exc.DatabaseError):  # old, but after the cut
            with db.engine.begin() as conn:
                conn.execute(sa.text(statement))
    with pytest.raises(sa.exc.DatabaseError):  # the cut itself is append-only
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_archive SET through_entry_id = 100"))
    assert _ids()[0] == 7


def test_sealing_goes_on_from_the_cut_when_every_seal_was_archived(runner, tmp_path):
    _old_log()
    _seal()
    assert _archive(runner, DAYS[4] + timedelta(days=1), tmp_path).exit_code == 0
    cut = db.session.scalar(sa.select(AuditArchive))
    assert _ids(AuditSeal, "entry_id") == []
    f.OrganizationFactory()  # new entries (the archive's own entry among them)
    _seal()
    first = db.session.scalar(sa.select(AuditSeal).order_by(AuditSeal.entry_id))
    assert first.link_hash == chain.link_hash(cut.link_hash, first.content_hash)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_a_broken_chain_is_not_archived(runner, tmp_path):
    _old_log()
    _seal()
    _as_superuser(("UPDATE audit_entry SET ip = '198.51.100.9' WHERE id = 2", {}))
    result = _archive(runner, DAYS[3], tmp_path / "archives")
    assert result.exit_code == 1 and "封存链核验未通过" in result.output and "第 2 条" in result.output
    assert not (tmp_path / "archives").exists() and _ids()[0] == 1
