"""Fault drill (issue 15): Redis stops while the site runs, then comes back.

What it proves, with ``REDIS_URL`` (rate limits and the RQ job queue) pointing at a ``redis-server`` the test starts
itself on a free port (tests/servers.py; never the machine's 6379):

- pages still serve without Redis: the home page, the organization list, a signed-in auditor's page;
- rate limits fall back to a stricter local limit: each process counts in its own memory, every limit cut to
  1/``RATELIMIT_FALLBACK_FACTOR`` (SMS codes: 8 a minute shared → 2 a minute here), with a warning in the log;
- a job queued while Redis is down does not break the request that queued it (302, not 500); its row stays
  ``queued`` and says why (``error`` = ``jobs.WAITING``); with Redis back, the scheduler's ``job_requeue`` task
  dispatches it again, an RQ worker runs it and the row is ``done``; a second requeue dispatches nothing.

The app is the in-process test client on the test's database (SQLite or PostgreSQL: Redis is the failing part,
so it runs in both passes). Skipped, saying why, without ``redis-server``. About 2 s.
"""
import logging

import pytest
import sqlalchemy as sa
from redis import Redis as RedisClient

from grantportal.core import jobs
from grantportal.core.audit_chain import VERIFY_KIND
from grantportal.core.db import db
from grantportal.core.jobs_models import Job, JobStatus
from tests import factories as f
from tests.conftest import RequestEndClient
from tests.servers import Redis


@pytest.fixture
def redis(tmp_path):
    server = Redis(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def site(make_app, redis):
    app = make_app(REDIS_URL=redis.url, RATELIMIT_STORAGE_URI=redis.url, RATELIMIT_ENABLED=True,
                   RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True, RATELIMIT_FALLBACK_FACTOR=4,
                   RATELIMIT_SMS="8 per minute", JOB_QUEUE="rq", JOBS_SYNC=False)
    app.test_client_class = RequestEndClient
    with app.app_context():
        yield app
        db.session.remove()


def _sms(app, n):
    """An SMS code requested from one address for the n-th phone number: its status."""
    return app.test_client().post("/citizen/login", data={"phone": f"1390013{n:04d}"}).status_code


def test_without_redis_pages_serve_limits_tighten_and_jobs_wait_then_run(site, redis, caplog):
    from rq import SimpleWorker  # noqa: PLC0415 (deferred like core/jobs.py)

    auditor = f.UserFactory(auditor=True)
    db.session.commit()
    staff = site.test_client()
    assert staff.post("/login", data={"username": auditor.username, "password": f.PASSWORD}).status_code == 302
    assert _sms(site, 0) == 302
    assert RedisClient.from_url(redis.url).keys("LIMITS*"), "the limit is counted in Redis while it is up"

    redis.stop()
    with caplog.at_level(logging.WARNING):
        # pages serve
        visitor = site.test_client()
        assert visitor.get("/").status_code == 200
        assert visitor.get("/orgs/").status_code == 200
        assert staff.get("/audit/chain").status_code == 200
        # the SMS limit, 8 a minute in Redis, is 2 a minute in this process's memory
        assert [_sms(site, n) for n in (1, 2, 3)] == [302, 302, 429]
        # a job queued now: the request answers as usual, the row waits and says so
        assert staff.post("/audit/chain/verify").status_code == 302
    assert any("rate limit storage unreachable" in r.getMessage() for r in caplog.records)
    assert any("not dispatched, the queue is unreachable" in r.getMessage() for r in caplog.records)
    db.session.rollback()
    job = db.session.scalar(sa.select(Job).where(Job.kind == VERIFY_KIND))
    assert (job.status, job.error) == (JobStatus.QUEUED, jobs.WAITING)

    # Redis back (empty: started again without its data): the scheduler's requeue dispatches the job, a worker runs it
    redis.start()
    result = site.test_cli_runner().invoke(args=["schedule", "run-due", "--task", "job_requeue"])
    assert result.exit_code == 0 and "重新派发等待中的后台任务 1 个" in result.output, result.output
    queue = jobs.rq_queue(site)
    assert queue.count == 1
    assert jobs.requeue_waiting(site) == 0  # dispatched once: a second requeue adds nothing
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    db.session.rollback()
    job = db.session.get(Job, job.id)
    assert (job.status, job.error) == (JobStatus.DONE, None)
    assert staff.get("/").status_code == 200
