"""The tamper-evident audit log (core/audit_chain.py): sealing is idempotent and seals only settled entries;
verification passes on an untouched log and finds an entry changed, deleted or inserted behind the app's back (the
append-only triggers switched off as a database superuser would), and a rewrite of history made after a backup
by comparing with the heads in the backup's manifest or in the published heads. Batches are made small here so
that every walk crosses batch boundaries."""
import json
import tarfile
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from grantportal.core import audit_chain as chain
from grantportal.core import backup as bk
from grantportal.core.audit import AuditEntry
from grantportal.core.audit_chain import AuditCheck, AuditSeal
from grantportal.core.db import db, utcnow
from grantportal.core.jobs_models import Job, JobStatus
from tests import factories as f
from tests.race import run_together, skip_unless_postgres

TRIGGERS = ("audit_entry_no_update", "audit_entry_no_delete", "audit_seal_no_update", "audit_seal_no_delete")


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(chain, "BATCH", 4)


def _log(n=6):
    """Audit entries made the app's way (each organization's creation, and a change to the last)."""
    orgs = [f.OrganizationFactory(name=f"封存测试机构{i}") for i in range(n)]
    orgs[-1].name = "封存测试机构（改名）"
    db.session.commit()
    return _ids()


def _ids():
    return db.session.scalars(sa.select(AuditEntry.id).order_by(AuditEntry.id)).all()


def _settled():
    """A moment when every entry written so far is past the settle delay."""
    return utcnow() + timedelta(seconds=current_app.config["AUDIT_SEAL_SETTLE_SECONDS"] + 1)


def _seal():
    return chain.seal_settled(now=_settled())


def _seals():
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(sa.select(AuditSeal.__table__).order_by(AuditSeal.entry_id))]


def _as_superuser(*statements):
    """Run SQL with the append-only triggers off, as a database superuser can: on SQLite they are dropped (each
    test has its own copy of the database), on PostgreSQL disabled by ALTER TABLE … DISABLE TRIGGER in the same
    transaction as the statements (DDL is transactional there: they are on again once it commits)."""
    db.session.commit()
    db.session.close()  # no transaction of the test's may hold a lock on the tables
    with db.engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        for name in ("audit_entry", "audit_seal") if postgres else TRIGGERS:
            conn.execute(sa.text(f"ALTER TABLE {name} DISABLE TRIGGER USER" if postgres
                                 else f"DROP TRIGGER IF EXISTS {name}"))
        for sql, params in statements:
            conn.execute(sa.text(sql), params)
        if postgres:
            for name in ("audit_entry", "audit_seal"):
                conn.execute(sa.text(f"ALTER TABLE {name} ENABLE TRIGGER USER"))


def _verify(runner, *args):
    return runner.invoke(args=["audit", "verify", *args])


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_the_serialization_covers_every_column():
    assert set(chain.FIELDS) == set(AuditEntry.__table__.columns.keys())


def test_sealing_twice_seals_nothing_twice_and_from_scratch_gives_the_same_seals(runner):
    ids = _log()
    first = _seal()
    assert first.sealed == len(ids) and first.through_entry_id == ids[-1]
    seals = _seals()
    assert [s[0] for s in seals] == ids
    again = _seal()
    assert again.sealed == 0 and again.head_hash == first.head_hash
    assert _seals() == seals  # the same rows, sealing times included

    _as_superuser(("DELETE FROM audit_seal", {}))
    _seal()
    assert [s[:4] for s in _seals()] == [s[:4] for s in seals]  # the hashes are a function of the entries

    result = runner.invoke(args=["audit", "seal"])
    assert result.exit_code == 0 and "本次封存 0 条" in result.output


def test_only_settled_entries_are_sealed_in_id_order_up_to_the_first_recent_one():
    now = utcnow()
    ten_minutes_ago, a_minute_ago = now - timedelta(minutes=10), now - timedelta(minutes=1)
    for at in (ten_minutes_ago, ten_minutes_ago, a_minute_ago, ten_minutes_ago):  # the last one: a slow clock
        db.session.add(AuditEntry(at=at, action="test.entry", object_type="test"))
    db.session.commit()
    ids = _ids()
    result = chain.seal_settled(now=now)  # the default settle delay: 5 minutes
    assert result.sealed == 2 and result.through_entry_id == ids[1] and result.waiting == 2
    result = chain.seal_settled(now=now + timedelta(minutes=5))
    assert result.sealed == 2 and result.waiting == 0
    assert [s[0] for s in _seals()] == ids


def test_verify_passes_on_an_untouched_log_and_keeps_the_result(runner):
    ids = _log()
    _seal()
    _log(2)  # not sealed yet: not part of the chain, not a problem
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert f"核验通过：核验至第 {ids[-1]} 条（共 {len(ids)} 条）" in result.output
    check = db.session.scalar(sa.select(AuditCheck))
    assert check.ok and check.through_entry_id == ids[-1] and check.entries == len(ids) and check.source == "cli"


def test_verify_names_an_entry_changed_behind_the_apps_back(runner):
    ids = _log()
    _seal()
    changed = ids[3]
    _as_superuser(("UPDATE audit_entry SET after = :after WHERE id = :id",
                   {"after": json.dumps({"name": "伪造的机构"}, ensure_ascii=False), "id": changed}))
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"第一处：第 {changed} 条审计记录的内容与封存时不一致" in result.output
    assert "发现 1 处问题" in result.output  # the later links still follow from the stored seals
    check = db.session.scalar(sa.select(AuditCheck))
    assert not check.ok and check.problems[0] == {"kind": chain.CONTENT, "entry_id": changed,
                                                  "text": check.problems[0]["text"]}


def test_a_changed_time_is_a_changed_entry(runner):
    ids = _log()
    _seal()
    _as_superuser(("UPDATE audit_entry SET at = :at WHERE id = :id", {"at": "2020-01-01 00:00:00", "id": ids[0]}))
    result = _verify(runner)
    assert result.exit_code == 1 and f"第 {ids[0]} 条审计记录的内容与封存时不一致" in result.output


def test_verify_finds_a_deleted_entry_and_a_deleted_seal(runner):
    ids = _log()
    _seal()
    _as_superuser(("DELETE FROM audit_entry WHERE id = :id", {"id": ids[2]}))
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"第一处：第 {ids[2]} 条审计记录已不存在，但有它的封存记录" in result.output

    # the entry and its seal both gone: the next seal's link no longer follows from the one before it
    _as_superuser(("DELETE FROM audit_seal WHERE entry_id = :id", {"id": ids[2]}))
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"第一处：封存链在第 {ids[3]} 条处断开" in result.output


def test_verify_finds_an_entry_inserted_below_the_sealed_head(runner):
    ids = _log()
    gap = ids[-1] + 100
    db.session.add(AuditEntry(id=gap + 10, at=utcnow(), action="test.entry", object_type="test"))
    db.session.commit()
    _seal()
    db.session.add(AuditEntry(id=gap, at=utcnow() - timedelta(days=3), action="test.backdated", object_type="test"))
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"第一处：第 {gap} 条审计记录在已封存的范围内，却没有封存记录" in result.output


def _rewrite_history(entry_id):
    """What a superuser who knows the chain does: change an entry and recompute every seal from it on. The chain
    is then consistent in itself."""
    _as_superuser(("UPDATE audit_entry SET action = 'organization.nothing_happened' WHERE id = :id",
                   {"id": entry_id}),
                  ("DELETE FROM audit_seal WHERE entry_id >= :id", {"id": entry_id}))
    _seal()


def test_a_rewrite_after_a_backup_is_found_against_its_manifest(app, runner, tmp_path):
    ids = _log()
    _seal()
    db.session.commit()
    archive = bk.create_backup(app, tmp_path / "backups")
    manifest = bk.read_manifest(archive)
    heads = manifest["audit_chain"]
    assert heads["sealed_through"] == ids[-1] and heads["days"][-1]["entry_id"] == ids[-1]
    manifest_file = tmp_path / "manifest.json"
    with tarfile.open(archive) as tar:
        manifest_file.write_bytes(tar.extractfile("manifest.json").read())

    result = _verify(runner, "--against", str(manifest_file))
    assert result.exit_code == 0, result.output
    assert "已与 manifest.json" in result.output

    _rewrite_history(ids[1])
    assert _verify(runner).exit_code == 0  # consistent in itself
    for against in (manifest_file, archive):  # the manifest, or the backup archive itself
        result = _verify(runner, "--against", str(against))
        assert result.exit_code == 1
        assert f"的链头（第 {ids[-1]} 条）与所比对的记录不一致" in result.output
    check = db.session.scalars(sa.select(AuditCheck).order_by(AuditCheck.id.desc())).first()
    assert not check.ok and check.against.startswith(archive.name)


def test_a_shortened_chain_is_found_against_published_heads(client, auth, runner, tmp_path):
    ids = _log()
    _seal()
    auditor = f.UserFactory(auditor=True)
    auth.login(auditor)
    resp = client.get("/audit/chain/heads.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    published = tmp_path / "heads.json"
    published.write_bytes(resp.data)
    assert json.loads(resp.data)["head"] == _seals()[-1][3]
    assert _verify(runner, "--against", str(published)).exit_code == 0

    _as_superuser(("DELETE FROM audit_entry WHERE id >= :id", {"id": ids[-2]}),
                  ("DELETE FROM audit_seal WHERE entry_id >= :id", {"id": ids[-2]}))
    assert _verify(runner).exit_code == 0  # the tail is gone, seals and all
    result = _verify(runner, "--against", str(published))
    assert result.exit_code == 1 and f"（第 {ids[-1]} 条）在当前封存链中不存在" in result.output


def test_a_file_without_heads_is_refused(runner, tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"created_at": "2026-01-01"}')
    result = _verify(runner, "--against", str(path))
    assert result.exit_code == 1 and "没有可比对的审计日志链头" in result.output


def test_the_database_refuses_to_change_a_seal():
    _log(1)
    _seal()
    db.session.close()
    for sql in ("UPDATE audit_seal SET link_hash = 'forged'", "DELETE FROM audit_seal"):
        with pytest.raises(sa.exc.DBAPIError):
            with db.engine.begin() as conn:
                conn.execute(sa.text(sql))


def test_sealing_runs_as_a_job_through_the_queue(app):
    app.config["AUDIT_SEAL_SETTLE_SECONDS"] = 0
    ids = _log()
    chain.queue_seal()
    db.session.commit()  # JOBS_SYNC: the job runs now
    job = db.session.scalar(sa.select(Job).where(Job.kind == chain.SEAL_KIND))
    assert job.status == JobStatus.DONE and job.done >= len(ids)
    assert {s[0] for s in _seals()} >= set(ids)


def test_two_sealers_at_once_seal_each_entry_once(app, is_postgres):
    skip_unless_postgres(is_postgres, "sealers")
    ids = _log(20)
    results = run_together(app, [(), ()], lambda: (), chain.seal_batch, "a sealing")
    assert results == ["ok", "ok"]
    _seal()
    assert [s[0] for s in _seals()] == ids
    assert _verify(app.test_cli_runner()).exit_code == 0


def test_the_auditor_sees_the_chain_and_asks_for_a_verification(client, auth):
    ids = _log()
    _seal()
    _log(1)  # one more entry, not sealed
    auth.login(f.UserFactory(auditor=True))
    body = client.get("/audit/chain").get_data(as_text=True)
    assert f"第 {ids[-1]} 条" in body and "尚未核验" in body and "立即核验" in body
    unsealed = db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.id > ids[-1]))
    assert f"{unsealed} 条" in body

    resp = client.post("/audit/chain/verify")
    assert resp.status_code == 302
    body = client.get("/audit/chain").get_data(as_text=True)
    assert "已开始核验封存链" in body and "通过" in body
    check = db.session.scalar(sa.select(AuditCheck))
    assert check.ok and check.source == "job" and check.requested_by_id is not None
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "audit.verify_chain")) is not None

    _as_superuser(("UPDATE audit_entry SET actor_name = 'someone' WHERE id = :id", {"id": ids[0]}))
    client.post("/audit/chain/verify")
    body = client.get("/audit/chain").get_data(as_text=True)
    assert "发现 1 处问题" in body and f"第 {ids[0]} 条审计记录的内容与封存时不一致" in body


def test_the_audit_log_links_the_chain_for_the_auditor_only(client, auth):
    auth.login(f.UserFactory(auditor=True))
    assert "封存链状态与核验" in client.get("/audit/").get_data(as_text=True)
    auth.logout()
    auth.login(f.UserFactory(officer=True))
    assert "封存链状态与核验" not in client.get("/audit/").get_data(as_text=True)
    assert client.get("/audit/chain").status_code == 403
