"""Logs an operator can search and a regulator can accept (DESIGN.md §6: request id, no secrets or personal data).

Every request ends with one line on the ``grantportal.request`` logger: the request id, the signed-in user's id
(never a name, username or phone), the route's endpoint (``orgs.public_profile``, not the path: a path can hold
a reset token, a query string a phone number or a search), the method, the status and the duration in
milliseconds. Nothing from the request's body, query string or headers is written. Every other line logged
while a request runs carries its request id too, so a 500's log line leads to the audit entries of the same id.

``LOG_FORMAT`` (``GRANTPORTAL_LOG_FORMAT``) chooses the shape: ``json`` — one JSON object per line, the default
in production (``GRANTPORTAL_ENV=production``), for journald / Loki / ELK — or ``text`` for a person at a
terminal (the default elsewhere). Lines go to stderr (journald under systemd). As for any library, building
the app configures no logging: the process's entry point does (``install_handler``: ``grantportal.wsgi`` for
gunicorn, ``grantportal.worker`` for RQ, ``flask schedule``), so tests and benchmarks print nothing per
request. The duration ends when the response is handed to the server: a streamed download's transfer is not
in it.

The request id: a proxy in front (``TRUSTED_PROXIES`` > 0, nginx sends its ``$request_id``) may name it in
``X-Request-ID`` when it is 1–64 ASCII letters, digits, ``-``, ``_`` or ``.``; otherwise (no trusted proxy, or a
malformed value) the app makes one. The response echoes it in ``X-Request-ID`` (core/web.py)."""
import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import current_app, g, has_request_context, request, request_finished, request_started
from sqlalchemy import inspect

request_log = logging.getLogger("grantportal.request")
WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# the only attributes of a log record that reach a JSON line besides time, level, logger and message
FIELDS = ("request_id", "user_id", "endpoint", "method", "status", "duration_ms")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the request fields present on
    the record, and the traceback when there is one."""

    def format(self, record):
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for key in FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Stamps the running request's id on every record; outside a request, ``missing`` (``-`` in text lines,
    left out of JSON ones)."""

    def __init__(self, missing=None):
        super().__init__()
        self.missing = missing

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = (g.get("request_id") if has_request_context() else None) or self.missing
        return True


def formatter(kind):
    return JsonFormatter() if kind == "json" else logging.Formatter(TEXT_FORMAT)


def make_handler(kind, stream=None):
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(kind))
    handler.addFilter(RequestIdFilter(None if kind == "json" else "-"))
    handler._grantportal = True
    return handler


def install_handler(kind):
    """The ``grantportal`` logger writes to stderr in ``kind``'s shape, once per process (a second app in the
    same process replaces the handler). It no longer propagates to the root logger, so that a server that
    configures the root (gunicorn's ``--log-config``) does not print each line twice."""
    logger = logging.getLogger("grantportal")
    for old in [h for h in logger.handlers if getattr(h, "_grantportal", False)]:
        logger.removeHandler(old)
    logger.addHandler(make_handler(kind))
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    logger.propagate = False


def assign_request_id():
    incoming = request.headers.get("X-Request-ID", "")
    trusted = current_app.config["TRUSTED_PROXIES"] and WELL_FORMED_ID.fullmatch(incoming)
    g.request_id = incoming if trusted else secrets.token_hex(8)


def signed_in_user_id():
    """The id of the user this request loaded, without loading one (no query for a request that never asked who
    is signed in, e.g. a probe) and without refreshing one a rollback expired."""
    user = g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    return state.identity[0] if state is not None and state.identity else None


def _started(sender, **_):
    g.request_started = time.perf_counter()
    assign_request_id()


def _finished(sender, response, **_):
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    fields = {"request_id": g.get("request_id"), "user_id": signed_in_user_id(), "endpoint": request.endpoint,
              "method": request.method, "status": response.status_code, "duration_ms": duration}
    request_log.info("%s %s %s %sms user=%s", fields["method"], fields["endpoint"] or "-", fields["status"],
                     duration, fields["user_id"] or "-", extra=fields)


def log_exception(exc_info):
    """In place of Flask's ``Exception on /path [GET]``: the endpoint, as in the request's line (a path can hold
    a token). The app class calls it (app.py)."""
    logging.getLogger("grantportal").error("unhandled exception in %s %s", request.method, request.endpoint,
                                           exc_info=exc_info)


def init_app(app):
    """Before any other request hook: the id and the clock start when Flask starts the request (before
    rate limits and before_request functions), the line is written when it finishes (after the error
    handlers, so a 500 is logged with its status)."""
    request_started.connect(_started, app)
    request_finished.connect(_finished, app)
