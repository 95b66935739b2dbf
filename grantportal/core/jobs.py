"""One job queue interface for background work (PDF rendering, batches of notices, exports).

``enqueue(kind, func_path, title=…, total=…, created_by=…, **params)`` adds a ``Job`` row to the caller's
transaction and dispatches it only once that transaction commits (a rollback drops it), so a job never
runs against data that is not there. The job function is ``func(job, **params)``: it runs in its own
app context and database session, updates ``job.done`` / ``job.failed`` and commits its own progress,
so the progress page sees it while it runs.

Where jobs run (``JOB_QUEUE`` setting, or the environment variable ``GRANTPORTAL_JOB_QUEUE``):
- ``"inprocess"`` (the embedded default): a daemon thread started after the commit; with
  ``JOBS_SYNC=True`` (tests, CLI) the job runs synchronously right after the commit, deterministically;
- ``"rq"``: on RQ with Redis at ``REDIS_URL`` (queue ``JOB_QUEUE_NAME``, default ``grantportal``), run by
  ``rq worker grantportal`` on any machine; RQ kills a job after ``JOB_TIMEOUT`` seconds (default 900).
Only functions inside the ``grantportal`` package can be named as jobs (and ``tests`` when testing).

Redis down (a fault drill, tests/drills/test_redis_down.py): a job whose dispatch to RQ fails stays ``queued``, its
row says so (``error`` = ``WAITING``) and the request that queued it answers as usual; ``requeue_waiting`` (the
scheduler's ``job_requeue`` task, every 10 minutes) dispatches those again once Redis is back, and also any job
queued for longer than ``REQUEUE_AFTER`` that RQ no longer holds (a Redis restarted without its data). A job
dispatched twice runs once: ``run_job`` claims the row under a row lock and leaves a job that is not ``queued``.

A worker that dies in the middle of a job (killed, out of memory, the machine restarted) leaves its row
``running``, which RQ's own timeout cannot end: ``requeue_waiting`` also takes the jobs ``running`` for longer than
``JOB_TIMEOUT`` plus a minute — none can still be running, RQ kills a job at ``JOB_TIMEOUT`` and ``run_job`` then
marks it failed — and queues them again, at most ``MAX_ATTEMPTS`` times in all; after that the row is ``failed``
with ``INTERRUPTED``. Job functions are written to be run again (rendering skips issued documents, an export
writes its file afresh); a job run again starts its progress from zero. In-process jobs die with their process:
the same task marks theirs ``failed`` with ``INTERRUPTED`` (their progress page says so; no thread is left to
resume them).
"""
import importlib
import logging
import threading
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from grantportal.core.db import db, utcnow
from grantportal.core.jobs_models import Job, JobStatus
from grantportal.core.notices import send_ready_mail

log = logging.getLogger("grantportal.jobs")
PENDING = "gp_pending_jobs"
RQ_ENTRY_POINT = "grantportal.worker.run_job"  # builds the app in an RQ worker
WAITING = "任务队列暂时无法连接，任务已登记并在排队等待，队列恢复后将自动重新派发。"
REQUEUE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3  # a job run again after its worker died, up to this many runs in all
ATTEMPTS = "attempts"  # the key in ``Job.params`` counting a job's runs (not passed to the job function)
RETRYING = "执行该任务的后台进程意外退出，任务已重新排队，稍后将自动重新执行。"
INTERRUPTED = "任务执行中断（后台进程意外退出），已多次重试仍未完成，请重新发起该任务或联系管理员。"


def queue_mode(app=None):
    app = app or current_app
    return (app.config["JOB_QUEUE"] or "inprocess").lower()


def enqueue(job_kind, func_path, title="", total=0, created_by=None, **params):
    """A ``Job`` (flushed in the caller's transaction) that runs ``func_path`` ("module:function") with
    ``params`` (JSON values) once the transaction commits."""
    _resolve(func_path)  # fail now, in the request, on a bad name
    job = Job(kind=job_kind, title=title or job_kind, status=JobStatus.QUEUED, total=total,
              params={"func": func_path, **params}, created_by_id=getattr(created_by, "id", None))
    db.session.add(job)
    db.session.flush()
    db.session().info.setdefault(PENDING, []).append(job.id)
    return job


def pending(job_kind=None):
    """The jobs this transaction has queued so far (of ``job_kind``): they run once it commits."""
    found = (db.session.get(Job, job_id) for job_id in db.session().info.get(PENDING, ()))
    return [job for job in found if job is not None and job_kind in (None, job.kind)]


def _resolve(func_path):
    module, _, name = func_path.partition(":")
    allowed = ("grantportal.", "tests.") if has_app_context() and current_app.testing else ("grantportal.",)
    if not module.startswith(allowed) or not name:
        raise ValueError(f"not a grantportal job function: {func_path}")
    return getattr(importlib.import_module(module), name)


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session):
    if session.in_nested_transaction():  # a SAVEPOINT released: the transaction has not committed yet
        return
    ids = session.info.pop(PENDING, None)
    if ids and has_app_context():
        app = current_app._get_current_object()
        for job_id in ids:
            dispatch(app, job_id)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session, previous_transaction):
    if previous_transaction.parent is None:  # only the outermost rollback undoes the enqueue
        session.info.pop(PENDING, None)


def rq_id(job_id):
    return f"grantportal-job-{job_id}"


def _send_to_rq(app, job_id):
    """Put the job on the RQ queue; False (and a warning in the log) when Redis cannot be reached."""
    from redis.exceptions import RedisError  # noqa: PLC0415 (deferred: only when the RQ queue is configured)
    try:
        rq_queue(app).enqueue_call(RQ_ENTRY_POINT, args=(job_id,), job_id=rq_id(job_id),
                                   timeout=app.config["JOB_TIMEOUT"], result_ttl=3600,
                                   description=f"grantportal job {job_id}")
    except (RedisError, OSError) as e:
        log.warning("job %s not dispatched, the queue is unreachable (%s): it waits for the requeue", job_id,
                    type(e).__name__)
        return False
    return True


def dispatch(app, job_id):
    mode = queue_mode(app)
    if mode == "rq":
        if not _send_to_rq(app, job_id):  # the row says so (its own short transaction: the caller's has ended)
            with db.engine.begin() as conn:
                conn.execute(sa.update(Job).where(Job.id == job_id).values(error=WAITING))
    elif app.config["JOBS_SYNC"]:
        run_job(job_id, app)
    else:
        threading.Thread(target=run_job, args=(job_id, app), name=f"gp-job-{job_id}", daemon=True).start()


def rq_queue(app=None):
    from redis import Redis  # noqa: PLC0415 (deferred: only when the RQ queue is configured)
    from rq import Queue  # noqa: PLC0415 (deferred: only when the RQ queue is configured)
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        raise RuntimeError("JOB_QUEUE is 'rq' but REDIS_URL is not set")
    return Queue(app.config["JOB_QUEUE_NAME"], connection=Redis.from_url(url, socket_connect_timeout=5,
                                                                          socket_timeout=10))


def requeue_waiting(app, now=None):
    """Dispatch again the queued jobs RQ does not hold: those whose dispatch failed (``WAITING``) and those queued
    longer than ``REQUEUE_AFTER`` without an RQ entry; and recover the jobs a dead worker left ``running``
    (``recover_interrupted``). Flushes; returns how many were dispatched (0 where jobs run in-process: nothing is
    lost there but with the process, and a thread in a CLI would die with it)."""
    now = now or utcnow()
    recover_interrupted(app, now)
    if queue_mode(app) != "rq":
        return 0
    from rq.job import Job as RQJob  # noqa: PLC0415 (deferred: only when the RQ queue is configured)
    waiting = db.session.scalars(sa.select(Job).where(
        Job.status == JobStatus.QUEUED,
        sa.or_(Job.error.in_((WAITING, RETRYING)), Job.created_at < now - REQUEUE_AFTER)).order_by(Job.id)).all()
    sent = 0
    for job in waiting:
        if job.error not in (WAITING, RETRYING) and RQJob.exists(rq_id(job.id), connection=rq_queue(app).connection):
            continue  # still on the queue, behind others
        if not _send_to_rq(app, job.id):
            break  # still unreachable: the next run tries again
        job.error, sent = None, sent + 1
    db.session.flush()
    return sent


def recover_interrupted(app, now):
    """The jobs left ``running`` longer than any job can run: back to ``queued`` (RQ, fewer than ``MAX_ATTEMPTS``
    runs so far, saying so in ``error`` = ``RETRYING``; ``requeue_waiting`` then dispatches them) or ``failed`` with
    ``INTERRUPTED``. Flushes; returns how many were queued again."""
    cutoff = now - timedelta(seconds=app.config["JOB_TIMEOUT"] + 60)
    stuck = db.session.scalars(sa.select(Job).where(Job.status == JobStatus.RUNNING, Job.started_at < cutoff)
                              .order_by(Job.id).with_for_update()).all()
    again = 0
    for job in stuck:
        runs = int((job.params or {}).get(ATTEMPTS, 1))
        if queue_mode(app) == "rq" and runs < MAX_ATTEMPTS:
            job.status, job.started_at, job.done, job.failed = JobStatus.QUEUED, None, 0, 0
            job.params = {**job.params, ATTEMPTS: runs + 1}
            job.error = RETRYING
            again += 1
        else:
            job.status, job.error, job.finished_at = JobStatus.FAILED, INTERRUPTED, now
        log.warning("job %s was left running by a worker that stopped: %s", job.id,
                    "queued again" if job.status == JobStatus.QUEUED else "failed")
    db.session.flush()
    return again


def run_job(job_id, app):
    """Run one job in a fresh app context of ``app`` (its own database session). A failure marks the job failed
    with a short message; details go to the log only."""
    with app.app_context():
        job = db.session.get(Job, job_id, with_for_update=True)  # dispatched twice (a requeue): claimed once
        if job is None or job.status != JobStatus.QUEUED:
            db.session.rollback()
            return
        job.status, job.started_at = JobStatus.RUNNING, utcnow()
        db.session.commit()
        params = dict(job.params or {})
        func = params.pop("func")
        params.pop(ATTEMPTS, None)
        try:
            _resolve(func)(job, **params)
            job.status = JobStatus.DONE
        except Exception:
            log.exception("job %s (%s) failed", job_id, func)
            db.session.rollback()
            job = db.session.get(Job, job_id)
            job.status, job.error = JobStatus.FAILED, "任务执行出错，请稍后重试或联系管理员。"
        job.finished_at = utcnow()
        db.session.commit()
        send_ready_mail()  # e-mail for the notices the job's commits made ready


def progress_percent(job):
    if not job.total:
        return 100 if job.status == JobStatus.DONE else 0
    return min(100, (job.done + job.failed) * 100 // job.total)
