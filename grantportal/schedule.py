"""Scheduled work that does not wait for someone to open a page: ``flask schedule run-due``, called every few
minutes by cron or a systemd timer (deploy/), runs each task whose period has begun and has not yet run in it
(core/scheduled_runs.py: once per period, however many schedulers run; ``flask schedule list`` shows them).

The tasks call the operations that already exist, with the same rules as when a person starts them:
- ``search_refresh`` (daily 00:10): the public index entries whose rating grade expired or took effect today
  (core/search.py ``refresh_due``, which ``flask search refresh`` runs);
- ``backup`` (daily 02:00): ``flask backup create`` into ``BACKUP_DIR``, keeping the newest ``BACKUP_KEEP``;
- ``audit_chain`` (daily 03:00): seal the settled audit entries, then verify the whole chain and record the
  result (``flask audit seal`` and ``verify``); a broken chain fails the run, so the timer's unit fails and
  the operator hears of it, and the auditor's chain page shows the check;
- ``officer_digest`` (daily 07:30): each officer's digest of the day before (``flask notices digest``);
- ``job_requeue`` (every 10 minutes): background jobs whose dispatch to RQ failed while Redis was down are
  dispatched again (core/jobs.py ``requeue_waiting``);
- ``report_reminders`` (Mondays 09:00): the organizations with overdue reports are reminded, as when an
  officer presses 催办 on the monitoring page (monitoring ``remind_overdue``); officers see the overdue
  reports on that page and in their workbench.
- ``rectification_overdue`` (hourly at :05): open 整改 cases past their deadline are marked overdue and the officer
  who opened each is told (monitoring ``rectification.mark_overdue``; once per deadline, so a second run in the
  same hour or the next finds nothing new).
The end of a 公示 period needs no task: objections close by the time itself and the officer confirms the final
results (awards/proposals/workflow.py). Times are the site's (Asia/Shanghai). A period missed while no scheduler
ran is made up by the next run in it (a backup at 02:00 missed runs at 08:00); older periods are not.

This module sits above every domain (beside the app factory): it calls into monitoring and inbox."""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from grantportal.core import audit_chain, jobs, search
from grantportal.core import backup as bk
from grantportal.core import scheduled_runs as runs
from grantportal.core.db import db, utcnow
from grantportal.core.logs import install_handler
from grantportal.core.notices import send_ready_mail
from grantportal.core.timeutil import format_datetime, site_zone
from grantportal.inbox.digest import send_digests
from grantportal.monitoring.operations import remind_overdue
from grantportal.monitoring.rectification import mark_overdue

log = logging.getLogger("grantportal.schedule")
DAY, WEEK = timedelta(days=1), timedelta(days=7)


class TaskFailed(Exception):
    """The task ran but found what an operator must see (the run is recorded as failed)."""


@dataclass(frozen=True)
class Task:
    name: str
    title: str
    every: timedelta
    at: timedelta  # from the start of the anchor day (a Monday), site time
    run: object  # callable(app, period start, now) -> a Chinese summary; flushes, or commits only what is safe to
    # repeat


def _search_refresh(app, start, now):
    return f"更新了 {search.refresh_due(today=start.date()):,} 条公示索引条目。"


def _backup(app, start, now):
    path = bk.create_backup(app)
    gone = bk.prune_backups(path.parent, app.config["BACKUP_KEEP"])
    return f"已创建备份 {path.name}" + (f"，删除较早的备份 {len(gone)} 个。" if gone else "。")


def _audit_chain(app, start, now):
    sealed = audit_chain.seal_settled()  # the real time: entries settle as time passes, whatever --now says
    result = audit_chain.verify()
    audit_chain.record_check(result, "schedule")
    db.session.commit()  # the check is kept whether or not it passed
    if not result.ok:
        raise TaskFailed(f"审计日志封存链核验未通过：发现 {result.problem_count} 处问题，"
                         f"第一处：{result.first_problem.text}")
    return f"封存 {sealed.sealed} 条；核验通过，至第 {result.through_entry_id or 0} 条。"


def _officer_digest(app, start, now):
    day = start.date() - timedelta(days=1)
    return f"向 {send_digests(day)} 位项目官员发送了 {day.isoformat()} 的工作摘要。"


def _timeline(contract):
    """The project's timeline page, as a path (no request here to build it from)."""
    return current_app.url_map.bind("localhost").build("monitoring.timeline", {"contract_id": contract.id})


def _job_requeue(app, start, now):
    return f"重新派发等待中的后台任务 {jobs.requeue_waiting(app, now)} 个"


def _report_reminders(app, start, now):
    count = remind_overdue(None, now, link_for=_timeline)
    return f"向 {count} 个项目的机构发送了逾期报告提醒。" if count else "没有逾期未交的报告。"


def _case_link(case):
    """The 整改 case page, as a path."""
    return current_app.url_map.bind("localhost").build("rectification.case", {"case_id": case.id})


def _rectification_overdue(app, start, now):
    count = mark_overdue(now, link_for=_case_link)
    return f"{count} 个整改逾期，已通知项目官员。" if count else "没有新逾期的整改。"


TASKS = (
    Task("search_refresh", "更新公示索引中到期的评估等级", DAY, timedelta(minutes=10), _search_refresh),
    Task("backup", "备份数据库和文件", DAY, timedelta(hours=2), _backup),
    Task("audit_chain", "封存并核验审计日志", DAY, timedelta(hours=3), _audit_chain),
    Task("officer_digest", "项目官员每日工作摘要", DAY, timedelta(hours=7, minutes=30), _officer_digest),
    Task("report_reminders", "逾期报告提醒（每周一）", WEEK, timedelta(hours=9), _report_reminders),
    Task("rectification_overdue", "整改逾期标记与提醒（每小时）", timedelta(hours=1), timedelta(minutes=5),
         _rectification_overdue),
    Task("job_requeue", "重新派发因任务队列不可用而等待的后台任务", timedelta(minutes=10), timedelta(0), _job_requeue),
)
BY_NAME = {task.name: task for task in TASKS}


@dataclass
class Ran:
    task: Task
    start: datetime
    ok: bool
    outcome: str


def run_task(app, task, now):
    """Run ``task`` for the period ``now`` is in, if it is due there; returns a ``Ran`` or None."""
    start = runs.period_start(now, task.every, task.at)
    run = runs.claim(task.name, start, now)
    db.session.commit()
    if run is None:
        return None
    try:
        outcome, ok = task.run(app, start, now), True
    except Exception as e:  # noqa: BLE001 (any failure is recorded and reported; the next run tries again)
        db.session.rollback()
        log.error("scheduled task %s failed", task.name, exc_info=not isinstance(e, TaskFailed))
        outcome, ok = (str(e) if isinstance(e, TaskFailed) else f"出错（{type(e).__name__}），详见日志。"), False
        run = db.session.get(runs.ScheduledRun, run.id)
    runs.finish(run, runs.RunStatus.DONE if ok else runs.RunStatus.FAILED, outcome, utcnow())
    db.session.commit()  # with a task's flushed writes: both or neither
    send_ready_mail()
    return Ran(task, start, ok, outcome)


def run_due(app, now=None, names=None):
    """Every due task, in the order of ``TASKS``; one failing does not stop the others."""
    now = now or utcnow()
    done = []
    for task in TASKS:
        if names and task.name not in names:
            continue
        ran = run_task(app, task, now)
        if ran is not None:
            done.append(ran)
    return done


@click.group("schedule")
def schedule_cli():
    """定时任务：备份、审计日志封存与核验、每日摘要、逾期提醒等。"""


@schedule_cli.command("run-due")
@click.option("--task", "names", multiple=True, type=click.Choice([t.name for t in TASKS]),
              help="只运行这些任务（可重复）")
@click.option("--now", type=click.DateTime(formats=["%Y-%m-%dT%H:%M"]), default=None,
              help="按这一时刻（北京时间）判断哪些任务到期，用于补运行或演练")
@with_appcontext
def run_due_command(names, now):
    """运行所有已到期、本周期尚未完成的任务；重复运行不会重复执行。有任务失败时退出码为 1。"""
    app = current_app._get_current_object()
    if not app.testing:
        install_handler(app.config["LOG_FORMAT"])
    now = now.replace(tzinfo=site_zone()) if now else None
    done = run_due(app, now, set(names))
    for ran in done:
        state = "完成" if ran.ok else "失败"
        click.echo(f"[{state}] {ran.task.title}（本期自 {format_datetime(ran.start)} 起）：{ran.outcome}")
    if not done:
        click.echo("没有到期的任务。")
    if any(not ran.ok for ran in done):
        raise click.exceptions.Exit(1)


@schedule_cli.command("list")
@with_appcontext
def list_command():
    """列出定时任务、本期起始时间和最近一次运行。"""
    latest = runs.latest_runs()
    now = utcnow()
    for task in TASKS:
        run = latest.get(task.name)
        start = runs.period_start(now, task.every, task.at)
        last = (f"最近：{run.status.label}，本期自 {format_datetime(run.period_start)} 起，{run.outcome}" if run
                else "尚未运行")
        click.echo(f"{task.name:<18} {task.title}；本期自 {format_datetime(start)} 起。{last}")
