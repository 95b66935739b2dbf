"""Structured logs (core/logs.py): one line per request with its id, the user's id, the endpoint, the status and
the duration, and nothing a visitor typed."""
import io
import json
import logging

import pytest

from grantportal.config import default_config
from grantportal.core import logs
from tests.factories import PASSWORD, UserFactory

PHONE = "13912345678"


@pytest.fixture
def json_lines():
    """What the ``grantportal`` loggers write during the test, in the production (JSON) shape."""
    stream = io.StringIO()
    handler = logs.make_handler("json", stream)
    logger = logging.getLogger("grantportal")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(level)


def _requests(lines):
    return [line for line in lines if line["logger"] == "grantportal.request"]


def test_a_request_line_names_the_user_by_id_and_never_what_was_typed(app, client, json_lines):
    app.config["SMS_BACKEND"] = "log"
    user = UserFactory(officer=True, phone=PHONE)
    resp = client.post(f"/login?phone={PHONE}&password={PASSWORD}", data={"username": user.username,
                                                                          "password": PASSWORD})
    assert resp.status_code == 302
    client.get(f"/manage/monitoring?q={PHONE}")
    client.post("/logout")
    client.post("/citizen/login", data={"phone": PHONE})  # a citizen asks for a code: the SMS line is masked

    lines = json_lines()
    sign_in, page = _requests(lines)[:2]
    assert set(sign_in) >= {"time", "level", "request_id", "endpoint", "method", "status", "duration_ms"}
    assert (sign_in["endpoint"], sign_in["method"], sign_in["status"]) == ("accounts.login", "POST", 302)
    assert sign_in["user_id"] == user.id  # the request that signs in names whom it signed in
    assert (page["endpoint"], page["status"], page["user_id"]) == ("monitoring.manage", 200, user.id)
    assert page["duration_ms"] >= 0 and len(page["request_id"]) == 16
    assert any(line["logger"] == "grantportal.sms" and line.get("request_id") for line in lines)
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for secret in (PHONE, PASSWORD, user.username, user.name, "?"):
        assert secret not in text


def test_a_trusted_proxys_request_id_is_kept_and_echoed(app, client, json_lines):
    app.config["TRUSTED_PROXIES"] = 1
    resp = client.get("/healthz", headers={"X-Request-ID": "3f2a9c0d41b7e6a8c5d2f1e0b9a87654"})
    assert resp.headers["X-Request-ID"] == "3f2a9c0d41b7e6a8c5d2f1e0b9a87654"
    assert _requests(json_lines())[-1]["request_id"] == "3f2a9c0d41b7e6a8c5d2f1e0b9a87654"


@pytest.mark.parametrize("trusted, sent", [(0, "3f2a9c0d41b7e6a8"), (1, "bad id; forged"), (1, "中文编号"),
                                           (1, "x" * 65)])
def test_a_request_id_from_an_untrusted_or_malformed_header_is_replaced(app, client, trusted, sent):
    app.config["TRUSTED_PROXIES"] = trusted
    resp = client.get("/healthz", headers={"X-Request-ID": sent.encode().decode("latin-1")})
    made = resp.headers["X-Request-ID"]
    assert made != sent and len(made) == 16 and made.isalnum()


def test_json_in_production_and_text_elsewhere(tmp_path, monkeypatch):
    monkeypatch.delenv("GRANTPORTAL_LOG_FORMAT", raising=False)
    monkeypatch.setenv("GRANTPORTAL_ENV", "production")
    assert default_config(tmp_path, {"SECRET_KEY": "k"})["LOG_FORMAT"] == "json"
    monkeypatch.delenv("GRANTPORTAL_ENV")
    assert default_config(tmp_path, {"SECRET_KEY": "k"})["LOG_FORMAT"] == "text"
    monkeypatch.setenv("GRANTPORTAL_LOG_FORMAT", "JSON")
    assert default_config(tmp_path, {"SECRET_KEY": "k"})["LOG_FORMAT"] == "json"


def test_a_text_line_reads_as_one_line_with_the_request_id():
    stream = io.StringIO()
    handler = logs.make_handler("text", stream)
    record = logging.LogRecord("grantportal.request", logging.INFO, __file__, 1, "GET %s 200", ("x.y",), None)
    handler.handle(record)
    assert stream.getvalue().endswith("INFO grantportal.request [-] GET x.y 200\n")


def test_the_entry_point_installs_one_handler_however_often_it_is_called():
    logger = logging.getLogger("grantportal")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    try:
        logs.install_handler("text")
        logs.install_handler("json")
        ours = [h for h in logger.handlers if getattr(h, "_grantportal", False)]
        assert len(ours) == 1 and isinstance(ours[0].formatter, logs.JsonFormatter)
        assert logger.propagate is False  # a root handler configured by the server does not print it twice
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved
