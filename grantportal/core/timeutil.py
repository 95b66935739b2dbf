"""Times are stored in UTC and shown in the site's zone (Asia/Shanghai)."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from grantportal.core.db import utcnow  # noqa: F401  (re-exported)


def site_zone():
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(value):
    if value is None:
        return None
    return value.astimezone(site_zone())


def local_to_utc(naive_local):
    """A wall-clock time typed by a user in the site's zone, as an aware UTC datetime."""
    if naive_local is None:
        return None
    return naive_local.replace(tzinfo=site_zone()).astimezone(UTC)


def local_today():
    return datetime.now(site_zone()).date()


def format_datetime(value):
    """2026年11月22日 17:00 in the site's zone."""
    if value is None:
        return ""
    local = to_local(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def format_date(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    assert isinstance(value, date)
    return f"{value.year}年{value.month}月{value.day}日"
