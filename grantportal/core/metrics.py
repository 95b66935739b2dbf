"""Prometheus metrics for operators (DESIGN.md §8): what is counted (here) and who may read it at ``/metrics``
(core/metrics_endpoint.py, which the public never reaches).

What is measured, and where:
- each request, by endpoint (the route's name, so the label set is bounded: an unknown URL is ``none``),
  method and status, and its latency by endpoint — counted as the request finishes (core/logs.py starts
  the clock);
- e-mail, SMS and in-app notices sent, or failed (core/notices.py), and PDF render time (core/pdf.py), in
  whichever process does the work;
- the job queue read at scrape time from the database (queued, running, failed ``job`` rows: the same on
  every machine, whichever worker ran them) and, with RQ, the Redis queue's length;
- scheduled tasks (``flask schedule``): when each last succeeded, read from ``scheduled_run`` at scrape time.

Who may read it: a request from an address in ``METRICS_ALLOW`` (``GRANTPORTAL_METRICS_ALLOW``: addresses or
networks separated by commas; default ``127.0.0.1, ::1``), or one with ``Authorization: Bearer`` and the
``METRICS_TOKEN`` (``GRANTPORTAL_METRICS_TOKEN``; unset, no token is accepted). Everyone else gets the
site's 404, as if there were no such page. The address is the client's as ProxyFix reads it
(``TRUSTED_PROXIES``): a request that came through a proxy the app does not count (it carries
X-Forwarded-For while ``TRUSTED_PROXIES`` is 0) is never let in by its address, since it would look local.
nginx also refuses /metrics from outside (deploy/nginx).

Several processes: gunicorn's workers each count their own requests. With ``PROMETHEUS_MULTIPROC_DIR`` set
in their environment (before the app is imported) prometheus_client keeps the figures in files there and
``/metrics`` adds up every process's files, whichever worker answers the scrape; gunicorn's ``child_exit``
hook (deploy/gunicorn.conf.py) marks a dead worker's files. The RQ worker may share the folder; the scheduler,
a new process every few minutes, does not (its runs are read from the database instead). Without the
variable each process reports only itself (fine for one process, misleading for several)."""
import time

from flask import g, request
from prometheus_client import Counter, Histogram

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUESTS = Counter("grantportal_http_requests", "HTTP requests by endpoint, method and status",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("grantportal_http_request_duration_seconds", "Time to answer a request, by endpoint",
                    ["endpoint"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
NOTICES = Counter("grantportal_notices_sent", "Notices sent, by channel (inbox, mail, sms) and outcome",
                  ["channel", "outcome"])
PDF_RENDER = Histogram("grantportal_pdf_render_seconds", "Time to render one PDF document",
                       buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120))

# what other domains add at scrape time: callables returning metric families (core.schedule registers one)
SCRAPE_READERS = []


def count_request(sender, response, **_):
    endpoint = request.endpoint or "none"
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    started = g.get("request_started")
    if started is not None:
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
