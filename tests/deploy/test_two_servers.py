"""Several app servers, one state (DESIGN.md §8; issue 15): two app servers — separate gunicorn processes on
separate ports, started from the production entry point ``grantportal.wsgi:app`` with only environment
variables, as deploy/ runs them — on one PostgreSQL database, one Redis and one storage folder. What one
server starts, the other continues:

- a sign-in of a TOTP-required role (项目官员): password on A, dynamic code on B (the pending step rides in the
  signed cookie, so both servers need the same GRANTPORTAL_SECRET_KEY); the session then serves on A, and a
  sign-out on A ends it on B (sessions are rows in ``user_session``, not per-process memory);
- an uploaded file: stored by A in GRANTPORTAL_STORAGE_DIR, downloaded from B;
- a rate limit: the per-address limit on SMS codes (GRANTPORTAL_RATELIMIT_SMS, here 3 a minute) counted by
  Flask-Limiter in Redis, so requests spread over A and B exhaust one budget;
- a job: an auditor asks B for a chain verification; the job row and the RQ queue entry are visible from A
  (its /readyz and the auditor's page), an ``rq worker --burst`` process runs it, and A shows the result.

PostgreSQL and Redis only: on SQLite (one file, one machine) the question does not arise. The Redis is one the
test starts itself on a free port (``redis-server`` from Debian's package), so no other test's keys meet ours.
"""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import pytest
import requests
import sqlalchemy as sa

from grantportal.calls.models import CallFile
from grantportal.config import ROOT
from grantportal.core.audit_chain import VERIFY_KIND
from grantportal.core.db import db
from grantportal.core.jobs_models import Job, JobStatus
from tests import factories as f
from tests.applications.helpers import PDF
from tests.conftest import PG_URL
from tests.servers import Redis, free_port

pytestmark = pytest.mark.skipif(not PG_URL, reason="two app servers share state through PostgreSQL and Redis: "
                                                   "set GRANTPORTAL_TEST_DATABASE_URL (bin/test's PostgreSQL pass)")
SECRET = "two-servers-" + "k" * 52


def _wait_for(port, process, log, path="/healthz", seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}{path}", timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or its worker still importing the app
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"server on port {port} did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)


@pytest.fixture
def redis_url(tmp_path):
    server = Redis(tmp_path).start()
    yield server.url
    server.stop()


@pytest.fixture
def server_env(database, redis_url, tmp_path):
    """The environment of every process of the deployment: what /etc/grantportal/env would hold."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRANTPORTAL_", "PROMETHEUS_"))}
    env.update({
        "DATABASE_URL": database["url"], "REDIS_URL": redis_url, "GRANTPORTAL_SECRET_KEY": SECRET,
        "GRANTPORTAL_STORAGE_DIR": str(tmp_path / "shared-files"), "GRANTPORTAL_JOB_QUEUE": "rq",
        "GRANTPORTAL_TOTP": "1", "GRANTPORTAL_SECURE_COOKIES": "0",  # plain http on the loopback
        "GRANTPORTAL_RATELIMIT_SMS": "3 per minute", "GRANTPORTAL_PUBLIC_BASE_URL": "http://127.0.0.1",
        "GRANTPORTAL_LOG_FORMAT": "json", "GRANTPORTAL_AUDIT_SEAL_SETTLE_SECONDS": "0",
    })
    return env


@pytest.fixture
def servers(server_env, tmp_path):
    """Two gunicorn servers with deploy/'s settings (one sync worker each), as ``grantportal.service`` starts them:
    (url A, url B)."""
    started = []
    for name in ("a", "b"):
        port, log = free_port(), tmp_path / f"server-{name}.log"
        env = {**server_env, "GRANTPORTAL_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",  # noqa: S603
                                        "--no-control-socket", "grantportal.wsgi:app"], cwd=ROOT, env=env,
                                       stdout=out, stderr=subprocess.STDOUT)
        started.append((port, process, log))
    try:
        for port, process, log in started:
            _wait_for(port, process, log)
        yield tuple(f"http://127.0.0.1:{port}" for port, _, _ in started)
    finally:
        for _, process, _ in started:
            process.terminate()
        for _, process, _ in started:
            process.wait(20)


def _csrf(page):
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def _post(browser, url, data, form_url=None, **kw):
    """POST a form as a browser does: the form's page first (its CSRF token), then the form."""
    token = _csrf(browser.get(form_url or url, timeout=30))
    return browser.post(url, data={"csrf_token": token, **data}, allow_redirects=False, timeout=30, **kw)


def test_a_session_a_totp_step_a_file_a_rate_limit_and_a_job_span_two_app_servers(servers, server_env):
    a, b = servers
    secret = pyotp.random_base32()
    officer = f.UserFactory(officer=True, name="黄主任", totp_secret=secret)
    auditor = f.UserFactory(auditor=True)
    call = f.CallFactory()

    # the sign-in of a TOTP-required role: password on A, dynamic code on B, the session then valid on A
    browser = requests.Session()  # one cookie jar: 127.0.0.1 on either port, as behind one load balancer
    resp = _post(browser, f"{a}/login", {"username": officer.username, "password": f.PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login/code")
    resp = _post(browser, f"{b}/login/code", {"code": pyotp.TOTP(secret).now()})
    assert resp.status_code == 302, resp.text[:500]
    page = browser.get(f"{a}/manage/", allow_redirects=False, timeout=30)
    assert page.status_code == 200 and "黄主任" in page.text

    # a file uploaded through A is downloadable from B (anonymous visitor)
    resp = _post(browser, f"{a}/manage/calls/{call.id}/files", {"kind": "guide", "title": "第十三届申报指南"},
                 files={"file": ("申报指南.pdf", PDF, "application/pdf")})
    assert resp.status_code == 302, resp.text[:500]
    file_id = db.session.scalar(sa.select(CallFile.id).where(CallFile.call_id == call.id))
    download = requests.get(f"{b}/calls/{call.id}/files/{file_id}", timeout=30)
    assert download.status_code == 200 and download.content == PDF

    # signing out on B ends the session on A too
    token = _csrf(browser.get(f"{b}/manage/", timeout=30))
    assert browser.post(f"{b}/logout", data={"csrf_token": token}, allow_redirects=False, timeout=30).status_code == 302
    assert browser.get(f"{a}/manage/", allow_redirects=False, timeout=30).status_code in (302, 401)

    # one rate limit for both: 3 SMS code requests a minute per address, wherever they land
    for i, server in enumerate((a, b, a)):
        visitor = requests.Session()
        resp = _post(visitor, f"{server}/citizen/login", {"phone": f"1380013800{i}"})
        assert resp.status_code == 302, (i, resp.status_code)
    resp = _post(requests.Session(), f"{b}/citizen/login", {"phone": "13800138009"})
    assert resp.status_code == 429

    # a job queued by B is seen from A and run by an RQ worker, whose result A shows
    auditing = requests.Session()
    assert _post(auditing, f"{b}/login", {"username": auditor.username, "password": f.PASSWORD}).status_code == 302
    assert _post(auditing, f"{b}/audit/chain/verify", {}, form_url=f"{b}/audit/chain").status_code == 302
    db.session.rollback()
    job = db.session.scalar(sa.select(Job).where(Job.kind == VERIFY_KIND))
    assert job.status == JobStatus.QUEUED
    assert "核验正在进行" in auditing.get(f"{a}/audit/chain", timeout=30).text
    ready = requests.get(f"{a}/readyz", timeout=30).json()
    assert ready["status"] == "ready", ready  # the queue included
    rq = str(Path(sys.executable).with_name("rq"))  # as grantportal-worker.service runs it, until the queue is empty
    worker = subprocess.run([rq, "worker", "--burst", "--url", server_env["REDIS_URL"], "--worker-class",  # noqa: S603
                             "rq.worker.SimpleWorker", "grantportal"],
                            cwd=ROOT, env=server_env, capture_output=True, text=True, timeout=120)
    assert worker.returncode == 0, worker.stderr[-2000:]
    db.session.rollback()
    assert db.session.get(Job, job.id).status == JobStatus.DONE
    page = auditing.get(f"{a}/audit/chain", timeout=30).text
    assert "核验正在进行" not in page and "最近一次核验" in page
