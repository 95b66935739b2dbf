"""In-app notices and e-mail through a configurable backend (printed to the log on the embedded default).

Mail is sent only after the transaction that asked for it commits: ``queue_mail`` collects, the commit
makes the messages ready, and they go out at the end of the request (or of the CLI command's
``send_ready_mail()``). A rollback drops them."""
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
from grantportal.core.masking import mask_name, mask_phone

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
    if user.email:
        queue_mail(user.email, title, body, name=user.name)


def queue_mail(to, subject, body, name=""):
    g.setdefault("outbox", []).append((to, subject, body, name))


def queue_sms(phone, text):
    """A text message, sent after the commit like mail (``SMS_BACKEND``: "log" prints only the masked number)."""
    g.setdefault("outbox", []).append((phone, None, text, ""))


@event.listens_for(Session, "after_commit")
def _mail_ready(session):
    if has_app_context() and g.get("outbox"):
        g.setdefault("outbox_ready", []).extend(g.pop("outbox"))


@event.listens_for(Session, "after_soft_rollback")
def _mail_dropped(session, previous_transaction):
    if has_app_context():
        g.pop("outbox", None)


def send_ready_mail(response=None):
    """Send what committed transactions queued (an after_request hook)."""
    for to, subject, body, name in g.pop("outbox_ready", []):
        try:
            if subject is None:
                send_sms(to, body)
            else:
                send_mail(to, subject, body, name)
        except OSError:
            log.exception("mail not sent: subject=%s", subject)
    return response


def send_sms(phone, text):
    backend = current_app.config.get("SMS_BACKEND", "log")
    if backend == "memory":  # tests
        current_app.extensions.setdefault("gp_sms_outbox", []).append((phone, text))
    elif backend == "console":  # bin/demo, as for mail
        print(f"==> [演示短信] 手机号：{phone}\n{text}\n", file=sys.stderr, flush=True)
    else:  # the embedded default: never the text (it may carry a link or code), only the masked number
        log.info("sms to=%s", mask_phone(phone))


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
