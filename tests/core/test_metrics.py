"""/metrics (core/metrics.py): what operators read, and nobody else."""
import os
import re
import subprocess
import sys

import pytest

from grantportal.config import ROOT
from grantportal.core import jobs
from grantportal.core.db import db
from grantportal.core.jobs_models import Job, JobStatus
from grantportal.core.notices import notify
from tests.factories import UserFactory

OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def value(text, name, **labels):
    """The sample ``name{labels}`` in an exposition, or 0.0."""
    for line in text.splitlines():
        if line.startswith(name + ("{" if labels else " ")) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def scrape(client, **kwargs):
    resp = client.get("/metrics", **kwargs)
    assert resp.status_code == 200, resp.status_code
    assert resp.headers["Content-Type"].startswith("text/plain")
    return resp.get_data(as_text=True)


def test_requests_are_counted_by_endpoint_and_status_with_their_latency(client):
    before = scrape(client)
    client.get("/healthz")
    client.get("/no-such-page")
    after = scrape(client)
    ok = dict(endpoint="health.healthz", method="GET", status="200")
    assert value(after, "grantportal_http_requests_total", **ok) == value(before, "grantportal_http_requests_total",
                                                                          **ok) + 1
    assert value(after, "grantportal_http_requests_total", endpoint="none", status="404") >= 1
    assert value(after, "grantportal_http_request_duration_seconds_count", endpoint="health.healthz") >= 1
    assert "/no-such-page" not in after  # a path is never a label


@pytest.mark.parametrize("environ, headers, trusted", [
    (OUTSIDE, {}, 0),
    (OUTSIDE, {"Authorization": "Bearer wrong-token"}, 0),
    ({}, {"X-Forwarded-For": "203.0.113.7"}, 1),  # nginx on this machine passing on a visitor
    ({}, {"X-Forwarded-For": "203.0.113.7"}, 0),  # a proxy the app does not count: its address would look local
])
def test_anyone_else_gets_the_sites_404(make_app, environ, headers, trusted):
    client = make_app(TRUSTED_PROXIES=trusted, METRICS_TOKEN="s3cret-metrics-token").test_client()
    resp = client.get("/metrics", environ_base=environ, headers=headers)
    assert resp.status_code == 404 and "页面不存在" in resp.get_data(as_text=True)


def test_an_allowed_network_or_the_token_lets_a_scraper_in(app, client):
    app.config.update(METRICS_ALLOW="10.0.0.0/8, 192.0.2.1", METRICS_TOKEN="s3cret-metrics-token")
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert client.get("/metrics").status_code == 404  # 127.0.0.1 is no longer listed
    scrape(client, environ_base=OUTSIDE, headers={"Authorization": "Bearer s3cret-metrics-token"})


def test_a_bad_allow_list_stops_the_start(make_app):
    with pytest.raises(RuntimeError, match="METRICS_ALLOW"):
        make_app(METRICS_ALLOW="127.0.0.1, not-an-address")


def _fails(job):
    raise RuntimeError("boom")


def test_job_queue_depth_and_failures_come_from_the_database(app, client):
    jobs.enqueue("test.fail", "tests.core.test_metrics:_fails")
    db.session.commit()  # JOBS_SYNC: it runs, and fails, right after the commit
    db.session.add(Job(kind="test.wait", title="排队", status=JobStatus.QUEUED))  # not yet taken by a worker
    db.session.commit()
    text = scrape(client)
    assert value(text, "grantportal_jobs", status="queued") == 1
    assert value(text, "grantportal_jobs", status="running") == 0
    assert value(text, "grantportal_jobs_failed_total") == 1


def test_notices_sent_are_counted_by_channel(app, client):
    before = scrape(client)
    user = UserFactory(email="a@example.cn", phone="13912345678")
    notify(user, "测试通知", "正文")
    db.session.commit()
    from grantportal.core.notices import send_ready_mail
    send_ready_mail()
    after = scrape(client)
    for channel in ("inbox", "mail", "sms"):
        assert value(after, "grantportal_notices_sent_total", channel=channel, outcome="sent") == value(
            before, "grantportal_notices_sent_total", channel=channel, outcome="sent") + 1, channel


def test_pdf_render_time_is_observed(client):
    from grantportal.core.pdf import render_pdf

    before = value(scrape(client), "grantportal_pdf_render_seconds_count")
    render_pdf("<p>测试</p>")
    assert value(scrape(client), "grantportal_pdf_render_seconds_count") == before + 1


CHILD = """
import sys
from grantportal.core.metrics import REQUESTS
REQUESTS.labels("health.healthz", "GET", "200").inc(int(sys.argv[1]))
"""


def test_several_processes_add_up_in_multiprocess_mode(client, tmp_path, monkeypatch):
    """Two gunicorn-like workers count requests in their files (one has ended: its file stays, as a restarted
    worker's does); the scrape adds up every process's count, whichever process answers it."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    for count in (2, 3):
        done = subprocess.run([sys.executable, "-c", CHILD, str(count)], env=env,  # noqa: S603 (fixed code)
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    text = scrape(client)
    assert value(text, "grantportal_http_requests_total", endpoint="health.healthz", status="200") == 5
    assert re.search(r'^grantportal_jobs\{status="queued"\} 0', text, re.M)  # read at scrape time, as before
