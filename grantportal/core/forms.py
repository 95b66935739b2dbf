"""Form fields shared by the domains: money, local date-times, Chinese messages."""
from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, HiddenField, StringField
from wtforms.validators import ValidationError

from grantportal.core.money import AmountError, parse_amount
from grantportal.core.timeutil import local_to_utc, to_local


def strip(value):
    return value.strip() if isinstance(value, str) else value


class MoneyField(StringField):
    """A yuan amount: ASCII digits with at most two decimals; keeps what was typed on error."""

    def __init__(self, label=None, validators=None, optional=False, **kw):
        super().__init__(label, validators, **kw)
        self.optional = optional
        self.amount = None

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = self.raw
        self.amount = None

    def process_data(self, value):
        self.data = "" if value is None else f"{value:.2f}" if not isinstance(value, str) else value
        self.raw = self.data

    def pre_validate(self, form):
        text = (self.data or "").strip()
        if not text and self.optional:
            self.amount = None
            return
        try:
            self.amount = parse_amount(text)
        except AmountError as e:
            raise ValidationError(str(e)) from None


# Dates outside these years are typing mistakes (and break date arithmetic near year 1 or 9999).
MIN_YEAR, MAX_YEAR = 1949, 2100
YEAR_RANGE_MESSAGE = f"请填写{MIN_YEAR}年至{MAX_YEAR}年之间的日期。"


class LocalDateField(DateField):
    """A date typed as <input type=date>; a Chinese message when it cannot be read or is out of range."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("请按“年-月-日”填写日期，例如 2026-03-01。") from None
        if self.data and not MIN_YEAR <= self.data.year <= MAX_YEAR:
            self.data = None
            raise ValueError(YEAR_RANGE_MESSAGE)


class LocalDateTimeField(DateTimeLocalField):
    """A deadline typed in Asia/Shanghai wall-clock time; ``utc`` gives the stored value."""

    def __init__(self, label=None, validators=None, **kw):
        kw.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        super().__init__(label, validators, **kw)

    def process_data(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = to_local(value).replace(tzinfo=None)
        super().process_data(value)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("请按“年-月-日 时:分”填写日期和时间。") from None
        if self.data and not MIN_YEAR <= self.data.year <= MAX_YEAR:
            self.data = None
            raise ValueError(YEAR_RANGE_MESSAGE)

    @property
    def utc(self):
        return local_to_utc(self.data) if self.data else None


def refusal(form, e):
    """Put an operation's refusal (an exception with ``field`` and ``message``) next to its field and return
    None; without such a field (or without a form) return the message for the page."""
    field = form._fields.get(e.field) if (form is not None and e.field) else None
    if field is not None:
        field.errors = [*field.errors, e.message]
        return None
    return e.message


class VersionForm(FlaskForm):
    """A form (or a confirm button for a state change) carrying the version of the row the user saw, for
    optimistic locking: ``expected_version`` is -1 when it is missing or not a number."""

    version = HiddenField()

    @property
    def expected_version(self):
        text = (self.version.data or "").strip()
        return int(text) if text.isdigit() else -1
