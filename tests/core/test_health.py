"""/healthz and /readyz: what a load balancer and an operator read (core/health.py)."""
import json

import sqlalchemy as sa

from grantportal.core import health
from grantportal.core.db import db


def test_healthz_says_the_process_answers(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in resp.headers  # no session for a probe


def test_readyz_checks_database_migrations_storage_and_queue(client):
    resp = client.get("/readyz")
    body = resp.get_json()
    assert resp.status_code == 200 and body["status"] == "ready", body
    assert set(body["checks"]) == {"database", "redis", "storage", "jobs", "replica"}
    assert all(check["ok"] for check in body["checks"].values())
    assert resp.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_with_the_reason_when_the_schema_is_behind(client, monkeypatch):
    monkeypatch.setattr(health, "migrations_head", lambda: ("9999",))
    resp = client.get("/readyz")
    body = resp.get_json()
    assert resp.status_code == 503 and body["status"] == "not ready"
    assert body["checks"]["database"] == {"ok": False, "ms": body["checks"]["database"]["ms"],
                                          "reason": "数据库结构不是最新版本，请运行 flask db upgrade"}
    assert body["checks"]["storage"]["ok"]


def test_an_unreachable_service_is_named_without_its_address_or_password(app, client):
    app.config["REDIS_URL"] = "redis://:s3cret-pass@127.0.0.1:1/0"  # nothing listens on port 1
    resp = client.get("/readyz")
    body = resp.get_json()
    assert resp.status_code == 503 and not body["checks"]["redis"]["ok"]
    assert body["checks"]["redis"]["reason"].startswith("不可用")
    text = json.dumps(body, ensure_ascii=False)
    assert "s3cret" not in text and "127.0.0.1" not in text and "redis://" not in text
    assert db.session.scalar(sa.text("SELECT 1")) == 1  # the request left the session usable
