"""``flask schedule run-due`` (grantportal/schedule.py): every due task once per period, however often it runs and
however many schedulers start."""
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from grantportal import schedule
from grantportal.core import audit_chain
from grantportal.core import scheduled_runs as runs
from grantportal.core.audit_chain import AuditCheck
from grantportal.core.db import db
from grantportal.core.notices import Notice
from grantportal.core.scheduled_runs import RunStatus, ScheduledRun
from tests.monitoring.conftest import project, scheduled  # noqa: F401  (fixtures: a project with overdue reports)

MONDAY = "2026-04-20T10:00"  # Beijing time: every task's period has begun; the first progress report is 5 days late
TUESDAY = "2026-04-21T10:00"


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "BACKUP_DIR": str(tmp_path / "backups"), "AUDIT_SEAL_SETTLE_SECONDS": 0}


@pytest.fixture
def run_due(app):
    runner = app.test_cli_runner()

    def run(now, *args):
        db.session.commit()
        result = runner.invoke(args=["schedule", "run-due", "--now", now, *args])
        db.session.expire_all()
        return result
    return run


def _count(title):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notice).where(Notice.title == title))


def _effects(app):
    return {"reminders": _count("报告逾期提醒"), "digests": _count("每日工作摘要"),
            "backups": len(list(Path(app.config["BACKUP_DIR"]).glob("*.tar.gz"))),
            "audit checks": db.session.scalar(sa.select(sa.func.count()).select_from(AuditCheck)
                                              .where(AuditCheck.source == "schedule"))}


def test_running_twice_in_a_period_does_each_task_once(app, run_due, scheduled):  # noqa: F811
    first = run_due(MONDAY)
    assert first.exit_code == 0, first.output
    assert first.output.count("[完成]") == len(schedule.TASKS)
    once = _effects(app)
    assert once == {"reminders": 1, "digests": 1, "backups": 1, "audit checks": 1}  # one member, one officer

    again = run_due(MONDAY)
    assert again.exit_code == 0 and again.output.strip() == "没有到期的任务。"
    assert _effects(app) == once

    tuesday = run_due(TUESDAY)  # a new day: the daily tasks again, the weekly reminder not before next Monday
    assert tuesday.exit_code == 0, tuesday.output
    assert _effects(app) == {"reminders": 1, "digests": 2, "backups": 2, "audit checks": 2}
    digest = db.session.scalars(sa.select(Notice).where(Notice.title == "每日工作摘要").order_by(Notice.id)).all()
    assert "2026年4月19日" in digest[0].body and "2026年4月20日" in digest[1].body  # each for the day before


def test_two_schedulers_started_together_run_a_task_once(app, scheduled):  # noqa: F811
    """Two timers (two machines) fire at the same moment: one claims the period, the other finds it taken."""
    now = datetime(2026, 4, 20, 2, 0, tzinfo=UTC)
    task = schedule.BY_NAME["report_reminders"]
    db.session.commit()
    barrier, results = threading.Barrier(2), []

    def scheduler():
        with app.app_context():
            barrier.wait(timeout=20)
            results.append(schedule.run_task(app, task, now))
            db.session.remove()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r is None for r in results) == [False, True]
    assert _count("报告逾期提醒") == 1


def _broken(app, start, now):
    raise RuntimeError("disk full")


def test_a_failed_run_is_reported_tried_again_and_given_up_after_three_attempts(app, run_due, monkeypatch):
    monkeypatch.setattr(schedule, "TASKS", (schedule.Task("broken", "会出错的任务", schedule.DAY, timedelta(0),
                                                          _broken),))
    for attempt in (1, 2, 3):
        result = run_due(MONDAY)
        assert result.exit_code == 1 and "[失败] 会出错的任务" in result.output and "RuntimeError" in result.output
        run = db.session.scalar(sa.select(ScheduledRun))
        assert (run.status, run.attempts) == (RunStatus.FAILED, attempt)
    assert run_due(MONDAY).output.strip() == "没有到期的任务。"  # the next day's period tries again


def test_a_run_left_running_by_a_dead_process_is_taken_again_after_six_hours(app):
    start = datetime(2026, 4, 20, 2, 0, tzinfo=UTC)
    now = start + timedelta(hours=1)
    assert runs.claim("backup", start, now) is not None
    db.session.commit()  # ...and the process dies
    assert runs.claim("backup", start, now + timedelta(hours=5)) is None
    again = runs.claim("backup", start, now + timedelta(hours=7))
    assert again is not None and again.attempts == 2


def test_a_broken_audit_chain_fails_the_run_and_is_recorded(app, run_due, monkeypatch):
    """(How a rewritten entry is found is tests/core/test_audit_chain.py's; here, what the scheduler does then.)"""
    real = audit_chain.verify

    def tampered(**kwargs):
        result = real(**kwargs)
        result.add(audit_chain.Problem("content", 7, "第 7 条记录的内容与封存时不同"))
        return result

    monkeypatch.setattr(audit_chain, "verify", tampered)
    result = run_due(MONDAY, "--task", "audit_chain")
    assert result.exit_code == 1 and "审计日志封存链核验未通过" in result.output
    check = db.session.scalar(sa.select(AuditCheck))
    assert not check.ok and check.source == "schedule"  # the auditor's chain page shows it


def test_periods_are_in_beijing_time(app):
    daily, weekly = schedule.BY_NAME["backup"], schedule.BY_NAME["report_reminders"]
    before_two = datetime(2026, 4, 20, 17, 59, tzinfo=UTC)  # 01:59 on Tuesday 21 April in Beijing
    assert runs.period_start(before_two, daily.every, daily.at).isoformat() == "2026-04-20T02:00:00+08:00"
    assert runs.period_start(before_two + timedelta(minutes=1), daily.every, daily.at).isoformat() == \
        "2026-04-21T02:00:00+08:00"
    assert runs.period_start(before_two, weekly.every, weekly.at).isoformat() == "2026-04-20T09:00:00+08:00"


def test_metrics_show_when_each_task_last_succeeded(app, client, run_due):
    assert run_due(MONDAY, "--task", "search_refresh").exit_code == 0
    text = client.get("/metrics").get_data(as_text=True)
    assert 'grantportal_schedule_last_success_timestamp_seconds{task="search_refresh"}' in text
