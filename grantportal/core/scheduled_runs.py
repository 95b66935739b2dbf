"""Runs of scheduled tasks (``flask schedule``, grantportal/schedule.py): each task runs once per period, however
many schedulers start and however often.

A task's periods are fixed in the site's time zone: every ``every`` from an anchor (Monday 2024-01-01 00:00,
Asia/Shanghai) shifted by ``at``, so a daily task at 02:00 has one period per day starting 02:00, a weekly one at
09:00 one per week starting Monday 09:00. A run claims its (task, period) by inserting a ``scheduled_run`` row: the
unique key lets exactly one scheduler in (the second waits for the first's commit, then finds the row taken) —
the same on SQLite and PostgreSQL, on one machine or several. A claimed run is done or failed when it ends.

- done: the period is finished; nothing runs again until the next period begins;
- failed (an error, the task's own writes rolled back): claimed again by the next run, at most ``MAX_ATTEMPTS``
  times in the period;
- running for longer than ``STALE_AFTER`` (the process died in the middle, its transaction rolled back): claimed
  again, as a failed one.

A task whose writes are all in the database flushes them and the runner commits them with the row marked done,
so a crash never leaves them written but not marked (or marked but not written). A task that commits as it goes
(the audit chain's sealing, search refresh) or writes a file (a backup) is itself safe to repeat.
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from grantportal.core.db import LabelledEnum, UTCDateTime, db, enum_column
from grantportal.core.metrics import SCRAPE_READERS
from grantportal.core.timeutil import site_zone

MAX_ATTEMPTS = 3
STALE_AFTER = timedelta(hours=6)  # longer than the slowest task (a backup at national scale takes minutes)
ANCHOR = (2024, 1, 1)  # a Monday: weekly periods begin on Mondays


class RunStatus(LabelledEnum):
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ScheduledRun(db.Model):
    __tablename__ = "scheduled_run"
    __table_args__ = (sa.UniqueConstraint("task", "period_start", name="uq_scheduled_run_task_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(40))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus))
    attempts: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(sa.Text, default="")  # a Chinese summary: counts, never personal data


def period_start(now, every, at):
    """The start of the period ``now`` falls in (aware, site time zone)."""
    anchor = datetime(*ANCHOR, tzinfo=site_zone()) + at
    return anchor + every * ((now.astimezone(site_zone()) - anchor) // every)


def claim(task, start, now):
    """The run of ``task`` for the period beginning ``start``, if this caller may run it now, else None. Flushes;
    the caller commits at once, so that other schedulers see the claim."""
    try:
        with db.session.begin_nested():
            run = ScheduledRun(task=task, period_start=start, status=RunStatus.RUNNING, attempts=1, started_at=now)
            db.session.add(run)
        return run
    except IntegrityError:
        pass
    seen = db.session.scalar(sa.select(ScheduledRun).where(ScheduledRun.task == task,
                                                           ScheduledRun.period_start == start))
    retry = seen.status == RunStatus.FAILED or (seen.status == RunStatus.RUNNING
                                                and seen.started_at < now - STALE_AFTER)
    if not retry or seen.attempts >= MAX_ATTEMPTS:
        return None
    # conditional: of two schedulers retrying at once, only the one whose UPDATE finds the row as it was wins
    taken = db.session.execute(
        sa.update(ScheduledRun)
        .where(ScheduledRun.id == seen.id, ScheduledRun.status == seen.status,
               ScheduledRun.attempts == seen.attempts)
        .values(status=RunStatus.RUNNING, attempts=seen.attempts + 1, started_at=now, finished_at=None)
        .execution_options(synchronize_session=False)).rowcount
    if not taken:
        return None
    db.session.refresh(seen)
    return seen


def finish(run, status, outcome, now):
    run.status, run.outcome, run.finished_at = status, outcome[:2000], now
    db.session.flush()


def latest_runs():
    """{task: its newest run}."""
    newest = (sa.select(ScheduledRun.task, sa.func.max(ScheduledRun.period_start).label("start"))
              .group_by(ScheduledRun.task).subquery())
    rows = db.session.scalars(sa.select(ScheduledRun).join(
        newest, sa.and_(ScheduledRun.task == newest.c.task, ScheduledRun.period_start == newest.c.start))).all()
    return {run.task: run for run in rows}


def _last_success():
    """For /metrics: when each task last finished well (alert when it is older than its period)."""
    gauge = GaugeMetricFamily("grantportal_schedule_last_success_timestamp_seconds",
                              "When each scheduled task last finished without error (Unix time)", labels=["task"])
    for task, at in db.session.execute(sa.select(ScheduledRun.task, sa.func.max(ScheduledRun.finished_at))
                                       .where(ScheduledRun.status == RunStatus.DONE).group_by(ScheduledRun.task)):
        gauge.add_metric([task], at.timestamp())
    yield gauge


SCRAPE_READERS.append(_last_success)
