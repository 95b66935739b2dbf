"""``/metrics``: the figures of core/metrics.py in Prometheus's text format, for the addresses and the token
the operator names, and a 404 for everyone else (the rules are in core/metrics.py's docstring)."""
import hmac
import ipaddress
import logging
import os

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, request, request_finished
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from grantportal.core.db import db
from grantportal.core.extensions import csrf, limiter
from grantportal.core.jobs import queue_mode, rq_queue
from grantportal.core.jobs_models import Job, JobStatus
from grantportal.core.metrics import SCRAPE_READERS, count_request

log = logging.getLogger("grantportal.metrics")
bp = Blueprint("metrics", __name__)


def _jobs():
    """The queue as the database has it: queued and running jobs now, every failed job so far."""
    counts = dict(db.session.execute(sa.select(Job.status, sa.func.count()).group_by(Job.status)).all())
    depth = GaugeMetricFamily("grantportal_jobs", "Background jobs waiting or running", labels=["status"])
    for status in (JobStatus.QUEUED, JobStatus.RUNNING):
        depth.add_metric([status.value], counts.get(status, 0))
    failed = CounterMetricFamily("grantportal_jobs_failed", "Background jobs that failed (rows in job)")
    failed.add_metric([], counts.get(JobStatus.FAILED, 0))
    yield from (depth, failed)
    if queue_mode() == "rq":
        queue = GaugeMetricFamily("grantportal_rq_queue_length", "Jobs waiting in the Redis queue")
        queue.add_metric([], len(rq_queue()))
        yield queue


SCRAPE_READERS.append(_jobs)


class _ScrapeTime:
    """The readers, as one collector of a scrape's own registry: a reader that fails (the database is down)
    is left out of that scrape and logged, so the request figures still arrive."""

    def collect(self):
        for reader in SCRAPE_READERS:
            try:
                yield from list(reader())
            except Exception:  # noqa: BLE001 (metrics never fail for one source)
                log.warning("metrics reader %s failed", reader.__name__, exc_info=True)
                db.session.rollback()


def exposition():
    """The text a scrape gets: this process's (or, in multiprocess mode, every process's) figures, then those
    read at scrape time."""
    scrape = CollectorRegistry()
    scrape.register(_ScrapeTime())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        return generate_latest(processes) + generate_latest(scrape)
    return generate_latest(REGISTRY) + generate_latest(scrape)


def allowed_networks(setting):
    out = []
    for part in (setting or "").replace(";", ",").split(","):
        if part.strip():
            out.append(ipaddress.ip_network(part.strip(), strict=False))
    return out


def may_read():
    cfg = current_app.config
    token = cfg.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
        return True
    if "X-Forwarded-For" in request.headers and not cfg["TRUSTED_PROXIES"]:
        return False  # came through a proxy the app does not count: its address would look local
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in allowed_networks(cfg["METRICS_ALLOW"]))


@bp.route("/metrics")
@limiter.exempt
@csrf.exempt
def metrics():
    if not may_read():
        abort(404)
    return Response(exposition(), content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def init_app(app):
    """Counts every request; a ``METRICS_ALLOW`` that is not a list of addresses or networks stops the start."""
    try:
        allowed_networks(app.config["METRICS_ALLOW"])
    except ValueError as e:
        raise RuntimeError(f"GRANTPORTAL_METRICS_ALLOW 中有无法识别的地址：{e}") from e
    request_finished.connect(count_request, app)
