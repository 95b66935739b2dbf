from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from grantportal.core.forms import LocalDateField, LocalDateTimeField


class _Form(FlaskForm):
    class Meta:
        csrf = False

    day = LocalDateField("日期")
    at = LocalDateTimeField("时间")


def _form(app, **data):
    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict(data))
        form.validate()
        return form


def test_dates_far_outside_the_era_get_a_chinese_message_not_a_500(app):
    form = _form(app, day="9999-12-31", at="0001-01-01T00:00")
    assert form.day.errors == ["请填写1949年至2100年之间的日期。"]
    assert form.at.errors == ["请填写1949年至2100年之间的日期。"]


def test_ordinary_dates_are_read_in_beijing_time(app):
    form = _form(app, day="2026-03-01", at="2026-12-01T17:00")
    assert not form.errors
    assert form.at.utc.isoformat() == "2026-12-01T09:00:00+00:00"
