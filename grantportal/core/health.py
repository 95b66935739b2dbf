"""Health for operators and load balancers (DESIGN.md §8): ``/healthz`` says the process answers; ``/readyz``
says whether it can serve — the database answers and its schema is at the migrations' head, Redis answers
(when configured), the file storage takes a write, and the job queue can take a job. Both answer JSON with
no personal data, no address or credential of any service: each check's name, ``ok`` and, when it fails,
a short reason; with a read replica configured (core/replica.py), also that the replica answers as a read-only
standby. ``/readyz`` answers 503 while any check fails, so that a load balancer sends no visitors to
a process that would fail them."""
import time

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from grantportal.config import ROOT
from grantportal.core import replica
from grantportal.core.db import db
from grantportal.core.extensions import csrf, limiter
from grantportal.core.jobs import queue_mode
from grantportal.core.storage import get_storage

bp = Blueprint("health", __name__)
MIGRATIONS = ROOT / "migrations"
TIMEOUT_SECONDS = 2


def migrations_head():
    """The newest revision among the migrations (read once per process)."""
    heads = current_app.extensions.get("gp_migrations_head")
    if heads is None:
        from alembic.config import Config  # noqa: PLC0415 (deferred: only for /readyz)
        from alembic.script import ScriptDirectory  # noqa: PLC0415

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        heads = current_app.extensions["gp_migrations_head"] = tuple(ScriptDirectory.from_config(config).get_heads())
    return heads


def _database():
    db.session.execute(sa.text("SELECT 1"))
    current = db.session.scalars(sa.text("SELECT version_num FROM alembic_version")).all()
    if tuple(sorted(current)) != tuple(sorted(migrations_head())):
        return "数据库结构不是最新版本，请运行 flask db upgrade"
    return None


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis  # noqa: PLC0415 (deferred: only when Redis is configured)

    Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS).ping()
    return None


def _storage():
    storage = get_storage()
    key = storage.save(b"readyz")
    try:
        if storage.read(key) != b"readyz":
            return "文件存储读回的内容不一致"
    finally:
        storage.delete(key)
    return None


def _jobs():
    if queue_mode() != "rq":
        return None  # in-process jobs run in this process's threads
    from redis import Redis  # noqa: PLC0415

    Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=TIMEOUT_SECONDS,
                   socket_timeout=TIMEOUT_SECONDS).ping()
    return None


def _replica():
    if not replica.configured():
        return None  # the public pages read the primary
    reachable, standby, _lag, reason = replica.status(db.engines[replica.BIND])
    if not reachable:
        return reason
    return None if standby else "只读副本不是只读的备库"


CHECKS = {"database": _database, "redis": _redis, "storage": _storage, "jobs": _jobs, "replica": _replica}


def run_checks():
    """{name: {"ok": bool, "ms": float, "reason": str?}}; a failing check's reason names what failed, never
    an address, a password or a row."""
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            reason = check()
        except Exception as exc:  # noqa: BLE001 (any failure is a not-ready answer, never a 500)
            reason = f"不可用（{type(exc).__name__}）"
            if name == "database":
                db.session.rollback()
        results[name] = {"ok": reason is None, "ms": round((time.perf_counter() - started) * 1000, 1)}
        if reason:
            results[name]["reason"] = reason
    return results


@bp.route("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    return jsonify(status="ok")


@bp.route("/readyz")
@limiter.exempt
@csrf.exempt
def readyz():
    checks = run_checks()
    ready = all(c["ok"] for c in checks.values())
    resp = jsonify(status="ready" if ready else "not ready", checks=checks)
    resp.status_code = 200 if ready else 503
    resp.headers["Cache-Control"] = "no-store"
    return resp
