"""The job queue: a job runs only after the transaction that asked for it commits, in its own session,
with visible progress; in-process (synchronous for tests) and on RQ with Redis."""
import os
import uuid
from datetime import timedelta

import pytest

from grantportal.core import jobs
from grantportal.core.db import db, utcnow
from grantportal.core.jobs_models import Job, JobStatus
from tests import factories as f

RAN = []


def count_to(job, n, fail_at=None):
    """A job that records each step as done (or failed) and commits its own progress."""
    for i in range(1, n + 1):
        if i == fail_at:
            job.failed += 1
        else:
            job.done += 1
        RAN.append(i)
        db.session.commit()


def explode(job):
    raise RuntimeError("secret internal detail")


@pytest.fixture(autouse=True)
def _reset():
    RAN.clear()


def _fresh(job_id):
    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_a_job_runs_after_commit_and_its_progress_reaches_the_total(app):
    app.config["JOBS_SYNC"] = True
    officer = f.UserFactory(officer=True)
    job = jobs.enqueue("test.count", "tests.core.test_jobs:count_to", title="计数", total=3, created_by=officer,
                       n=3, fail_at=2)
    assert RAN == []  # nothing runs before the commit
    db.session.commit()
    job = _fresh(job.id)
    assert RAN == [1, 2, 3]
    assert (job.status, job.done, job.failed, job.total) == (JobStatus.DONE, 2, 1, 3)
    assert job.started_at and job.finished_at and job.created_by_id == officer.id
    assert jobs.progress_percent(job) == 100


def test_a_savepoint_released_before_the_commit_does_not_run_the_job(app):
    """SQLAlchemy reports a released SAVEPOINT as a commit: the job waits for the transaction's own commit."""
    app.config["JOBS_SYNC"] = True
    job = jobs.enqueue("test.count", "tests.core.test_jobs:count_to", total=1, n=1)
    with db.session.begin_nested():
        db.session.add(Job(kind="test.other", title="另一个任务", params={}))
    assert RAN == [] and jobs.pending() == [job]
    db.session.commit()
    assert RAN == [1] and _fresh(job.id).status == JobStatus.DONE


def test_a_rolled_back_transaction_never_runs_its_job(app):
    app.config["JOBS_SYNC"] = True
    job_id = jobs.enqueue("test.count", "tests.core.test_jobs:count_to", n=1).id
    db.session.rollback()
    db.session.commit()
    assert RAN == []
    assert db.session.get(Job, job_id) is None


def test_a_failing_job_is_marked_failed_without_internals(app):
    app.config["JOBS_SYNC"] = True
    job = jobs.enqueue("test.explode", "tests.core.test_jobs:explode")
    db.session.commit()
    job = _fresh(job.id)
    assert job.status == JobStatus.FAILED
    assert "secret" not in job.error and "任务执行出错" in job.error


def test_only_the_applications_own_functions_can_be_jobs(app):
    with pytest.raises(ValueError):
        jobs.enqueue("x", "os:system", command="true")


def test_the_default_in_process_runner_runs_the_job_in_a_thread(app):
    import time

    app.config["JOBS_SYNC"] = False  # the default outside the tests
    job = jobs.enqueue("test.count", "tests.core.test_jobs:count_to", total=2, n=2)
    db.session.commit()
    for _ in range(100):
        if _fresh(job.id).status == JobStatus.DONE:
            break
        time.sleep(0.05)
    assert _fresh(job.id).done == 2


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    url = os.environ.get("GRANTPORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        Redis.from_url(url, socket_connect_timeout=1).ping()
    except RedisDown:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not reachable at " + url)
    return url


def test_on_rq_a_worker_runs_the_job_after_commit(app):
    from rq import SimpleWorker

    url = _redis_or_skip()
    app.config.update(JOB_QUEUE="rq", REDIS_URL=url, JOB_QUEUE_NAME=f"gp-test-{uuid.uuid4().hex[:8]}")
    job = jobs.enqueue("test.count", "tests.core.test_jobs:count_to", total=2, n=2)
    queue = jobs.rq_queue(app)
    assert queue.count == 0  # not before the commit
    db.session.commit()
    assert queue.count == 1
    try:
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    finally:
        queue.delete(delete_jobs=True)
    job = _fresh(job.id)
    assert (job.status, job.done) == (JobStatus.DONE, 2)


def _left_running(job, hours=2, attempts=None):
    """``job`` as a worker that died half-way left it: claimed ``hours`` ago, one step done, gone from RQ."""
    job.status, job.started_at, job.done = JobStatus.RUNNING, utcnow() - timedelta(hours=hours), 1
    if attempts:
        job.params = {**job.params, jobs.ATTEMPTS: attempts}
    db.session.commit()


def test_on_rq_a_job_left_running_by_a_dead_worker_runs_again_then_fails_visibly(app):
    from rq import SimpleWorker

    url = _redis_or_skip()
    app.config.update(JOB_QUEUE="rq", REDIS_URL=url, JOB_QUEUE_NAME=f"gp-test-{uuid.uuid4().hex[:8]}")
    queue = jobs.rq_queue(app)
    try:
        job = jobs.enqueue("test.count", "tests.core.test_jobs:count_to", total=2, n=2)
        recent = jobs.enqueue("test.count", "tests.core.test_jobs:count_to", total=2, n=2)
        given_up = jobs.enqueue("test.count", "tests.core.test_jobs:count_to", total=2, n=2)
        db.session.commit()
        queue.empty()  # the worker had taken all three off the queue before it died
        _left_running(job)
        _left_running(recent, hours=0)  # within JOB_TIMEOUT: it may still be running somewhere
        _left_running(given_up, attempts=jobs.MAX_ATTEMPTS)

        assert jobs.requeue_waiting(app) == 1
        db.session.commit()
        job, recent, given_up = _fresh(job.id), _fresh(recent.id), _fresh(given_up.id)
        assert (job.status, job.error, job.done, job.params[jobs.ATTEMPTS]) == (JobStatus.QUEUED, None, 0, 2)
        assert recent.status == JobStatus.RUNNING
        assert (given_up.status, given_up.error) == (JobStatus.FAILED, jobs.INTERRUPTED)
        assert queue.count == 1 and jobs.requeue_waiting(app) == 0  # dispatched once
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    finally:
        queue.delete(delete_jobs=True)
    job = _fresh(job.id)
    assert (job.status, job.done, job.failed) == (JobStatus.DONE, 2, 0)  # progress counted afresh, not 1 + 2
    assert RAN == [1, 2]


def test_in_process_a_job_left_running_by_a_stopped_process_fails_visibly(app):
    job = jobs.enqueue("test.count", "tests.core.test_jobs:count_to", total=2, n=2)
    app.config["JOBS_SYNC"] = True
    db.session.commit()
    _left_running(_fresh(job.id))
    assert jobs.requeue_waiting(app) == 0
    db.session.commit()
    job = _fresh(job.id)
    assert (job.status, job.error) == (JobStatus.FAILED, jobs.INTERRUPTED) and job.finished_at
