"""Form fields shared by the domains: money, local date-times, Chinese messages."""
from datetime import datetime

from wtforms import DateTimeLocalField, StringField
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

    @property
    def utc(self):
        return local_to_utc(self.data) if self.data else None
