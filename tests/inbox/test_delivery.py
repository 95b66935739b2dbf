"""Delivery beyond the inbox: e-mail and SMS leave only after the commit; the SMS log backend writes a masked
number and nothing else personal; the officers' daily digest (flask notices digest)."""
import logging
from datetime import timedelta

from grantportal.core.db import db, utcnow
from grantportal.core.notices import Notice, notify, send_ready_mail
from grantportal.core.sms import send_sms
from grantportal.core.timeutil import local_today
from grantportal.inbox.digest import DIGEST_TITLE, day_bounds
from grantportal.orgs.models import OrgStatus
from tests import factories as f


def test_mail_and_sms_leave_after_the_commit_and_not_after_a_rollback(app):
    app.config.update(MAIL_BACKEND="memory", SMS_BACKEND="memory")
    user = f.UserFactory(email="zhang@example.cn", phone="13812341234")
    notify(user, "申报已受理", "正文")
    db.session.rollback()
    send_ready_mail()
    assert app.extensions.get("gp_outbox", []) == [] and app.extensions.get("gp_sms_outbox", []) == []
    notify(user, "申报已受理", "正文")
    db.session.commit()
    send_ready_mail()
    assert [to for to, _, _ in app.extensions["gp_outbox"]] == ["zhang@example.cn"]
    [(phone, text)] = app.extensions["gp_sms_outbox"]
    assert phone == "13812341234" and "申报已受理" in text


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_the_sms_log_backend_logs_only_a_masked_number(app):
    logger, handler = logging.getLogger("grantportal.sms"), _Lines()
    logger.addHandler(handler)
    # migrations/env.py's fileConfig disables loggers that exist when the test database is migrated
    level, disabled, logger.disabled = logger.level, logger.disabled, False
    logger.setLevel(logging.INFO)  # not ``logger.level =``: that keeps an earlier "INFO is off" in the logger's cache
    try:
        send_sms("13812341234", "【平台】资格审查通过")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.disabled = disabled
    text = "\n".join(handler.lines)
    assert "138****1234" in text
    assert "13812341234" not in text and "资格审查" not in text


def test_sms_notices_can_be_switched_off(app):
    app.config.update(SMS_BACKEND="memory", SMS_NOTICES=False)
    notify(f.UserFactory(phone="13812341234"), "申报已受理")
    db.session.commit()
    send_ready_mail()
    assert app.extensions.get("gp_sms_outbox", []) == []


def test_the_digest_sums_up_yesterdays_notices_and_pending_work_for_each_officer(app):
    app.config.update(MAIL_BACKEND="memory", SMS_BACKEND="memory")
    officer, retired = f.UserFactory(officer=True), f.UserFactory(officer=True, is_active=False)
    member = f.member_of(f.OrganizationFactory())
    yesterday = local_today() - timedelta(days=1)
    start, _end = day_bounds(yesterday)
    f.NoticeFactory(user=officer, title="合同签署件待确认", created_at=start + timedelta(hours=10))
    f.NoticeFactory(user=officer, title="今天的消息", created_at=utcnow())
    f.NoticeFactory(user=member, title="别人的消息", created_at=start + timedelta(hours=10))
    f.OrganizationFactory(status=OrgStatus.PENDING)
    result = app.test_cli_runner().invoke(args=["notices", "digest"])
    assert result.exit_code == 0, result.output
    assert "已向1位项目官员发送" in result.output
    [digest] = db.session.scalars(db.select(Notice).where(Notice.title == DIGEST_TITLE)).all()
    assert digest.user_id == officer.id
    assert "发送了1条消息" in digest.body and "合同签署件待确认" in digest.body
    assert "今天的消息" not in digest.body and "别人的消息" not in digest.body
    assert "待审核的机构登记：1项" in digest.body
    assert [(to, subject) for to, subject, _ in app.extensions["gp_outbox"]] == [(officer.email, DIGEST_TITLE)]
    assert retired.id != digest.user_id
