"""In-app notices, e-mail through a configurable backend (printed to the log on the embedded default) and
short messages through ``core.sms`` for users with a phone number.

Mail and SMS are sent only after the transaction that asked for them commits: ``queue_mail`` /
``queue_sms`` collect, the commit makes the messages ready, and they go out at the end of the request (or of
the CLI command's ``send_ready_mail()``). A rollback drops them. ``notices_committed()`` says how many
notices the request's committed transactions recorded, so that a page says "已通知" only when it is true."""
import logging
import smtplib
import sys
from datetime import datetime
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from grantportal.core.db import UTCDateTime, db, utcnow
from grantportal.core.masking import mask_name
from grantportal.core.metrics import NOTICES
from grantportal.core.sms import send_sms

log = logging.getLogger("grantportal.mail")


class Notice(db.Model):
    __tablename__ = "notice"
    __table_args__ = (sa.Index("ix_notice_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def notify(user, title, body="", link=None):
    """An in-app notice (flushed with the request's transaction) and an e-mail after commit."""
    db.session.add(Notice(user_id=user.id, title=title, body=body, link=link))
    g.notices_pending = g.get("notices_pending", 0) + 1
    if user.email:
        queue_mail(user.email, title, body, name=user.name)
    if user.phone and current_app.config.get("SMS_NOTICES", True):
        queue_sms(user.phone, f"【{current_app.config['SITE_NAME']}】{title}。详情请登录平台查看站内消息。")


def queue_mail(to, subject, body, name=""):
    g.setdefault("outbox", []).append(("mail", (to, subject, body, name)))


def queue_sms(phone, text):
    g.setdefault("outbox", []).append(("sms", (phone, text)))


def notices_committed():
    """How many notices this request (or CLI command) recorded in transactions that committed."""
    return g.get("notices_committed", 0) if has_app_context() else 0


@event.listens_for(Session, "after_commit")
def _mail_ready(session):
    if session.in_nested_transaction():  # a SAVEPOINT released: the transaction has not committed yet
        return
    if has_app_context():
        if g.get("outbox"):
            g.setdefault("outbox_ready", []).extend(g.pop("outbox"))
        if g.get("notices_pending"):
            NOTICES.labels("inbox", "sent").inc(g.notices_pending)
            g.notices_committed = g.get("notices_committed", 0) + g.pop("notices_pending")


@event.listens_for(Session, "after_soft_rollback")
def _mail_dropped(session, previous_transaction):
    if has_app_context():
        g.pop("outbox", None)
        g.pop("notices_pending", None)


def send_ready_mail(response=None):
    """Send what committed transactions queued (an after_request hook): e-mail and SMS."""
    for kind, message in g.pop("outbox_ready", []):
        try:
            if kind == "sms":
                send_sms(*message)
            else:
                send_mail(*message)
        except Exception:  # a gateway's failure never breaks the request that already committed
            log.exception("%s not sent", kind)
            NOTICES.labels(kind, "failed").inc()
        else:
            NOTICES.labels(kind, "sent").inc()
    return response


def send_mail(to, subject, body, name=""):
    backend = current_app.config.get("MAIL_BACKEND", "log")
    if backend == "smtp":
        msg = EmailMessage()
        msg["From"] = current_app.config["MAIL_FROM"]
        msg["To"] = to
        msg["Subject"] = subject
        msg.set_content(body)
        with smtplib.SMTP(current_app.config["MAIL_SERVER"], current_app.config.get("MAIL_PORT", 25)) as smtp:
            if current_app.config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if current_app.config.get("MAIL_USERNAME"):
                smtp.login(current_app.config["MAIL_USERNAME"], current_app.config["MAIL_PASSWORD"])
            smtp.send_message(msg)
    elif backend == "memory":  # tests
        current_app.extensions.setdefault("gp_outbox", []).append((to, subject, body))
    elif backend == "console":  # bin/demo on one's own machine: the whole message on the terminal, never in production
        print(f"==> [演示邮件] 收件人：{to}\n    主题：{subject}\n{body}\n", file=sys.stderr, flush=True)
    else:  # the embedded default: no personal data in the log, only that a message went out
        log.info("mail to=%s subject=%s", mask_name(name) or "***", subject)
