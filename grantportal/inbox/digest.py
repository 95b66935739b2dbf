"""The officers' daily digest (每日摘要): ``flask notices digest`` sends each active officer one e-mail (and
one in-app notice) summing up yesterday's notices to them and the work waiting for officers now.

Yesterday is the site's calendar day (Asia/Shanghai) before today, unless ``--day`` names another. The
pending work is asked of the domains that own it (``core.signals.officer_pending_work``). The command commits
once, and the e-mail leaves after that commit (``core.notices``)."""
from datetime import datetime, time, timedelta

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from grantportal.accounts.models import User
from grantportal.core import signals
from grantportal.core.db import db
from grantportal.core.notices import notify, send_ready_mail
from grantportal.core.roles import Role
from grantportal.core.timeutil import local_today, site_zone
from grantportal.inbox.queries import notices_between

MAX_LISTED = 20
DIGEST_TITLE = "每日工作摘要"


def day_bounds(day):
    """[start, end) of the site's calendar day ``day``, as aware datetimes."""
    start = datetime.combine(day, time.min, tzinfo=site_zone())
    return start, start + timedelta(days=1)


def compose(officer, day, pending):
    """The digest's text for ``officer``: yesterday's notices to them (digests excluded), then pending work."""
    start, end = day_bounds(day)
    notices = [n for n in notices_between(officer.id, start, end) if n.title != DIGEST_TITLE]
    lines = [f"{officer.name}：", "", f"{day.year}年{day.month}月{day.day}日，平台向您发送了{len(notices)}条消息。"]
    lines += [f"  · {n.title}" for n in notices[:MAX_LISTED]]
    if len(notices) > MAX_LISTED:
        lines.append(f"  · ……另有{len(notices) - MAX_LISTED}条，请登录平台查看站内消息。")
    lines += ["", "当前待办："]
    lines += [f"  · {label}：{count}项" for label, count in pending]
    return "\n".join(lines)


def send_digests(day):
    """One digest for each active officer; returns how many were sent. Does not commit."""
    pending = signals.ask(signals.officer_pending_work, None)
    officers = db.session.scalars(sa.select(User).where(User.role == Role.OFFICER, User.is_active.is_(True))
                                  .order_by(User.id)).all()
    for officer in officers:
        notify(officer, DIGEST_TITLE, compose(officer, day, pending), link="/inbox")
    return len(officers)


@click.group("notices")
def notices_cli():
    """站内消息与通知。"""


@notices_cli.command("digest")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="汇总哪一天的消息（北京时间，默认昨天）")
@with_appcontext
def digest_command(day):
    """向每位项目官员发送一份昨日消息与当前待办的摘要。"""
    day = day.date() if day else local_today() - timedelta(days=1)
    count = send_digests(day)
    db.session.commit()
    send_ready_mail()
    click.echo(f"已向{count}位项目官员发送{day.isoformat()}的工作摘要。")
