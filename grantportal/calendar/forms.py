"""The officer's confirmation of a year's holiday arrangement: the days as the notice lists them, one a line
("2027-01-01 元旦"), and the notice they come from."""
from datetime import date

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from grantportal.core.forms import Form, strip, too_long
from grantportal.core.wording import quoted

DAYS_HINT = "每行一个日期，格式为“年-月-日 名称”，例如“2027-01-01 元旦”。"


def parse_days(text):
    """``[(date, name)]`` from lines "YYYY-MM-DD 名称"; ValueError with a Chinese message naming the line."""
    days, seen = [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.replace("\u3000", " ").strip()
        if not line:
            continue
        head, _, name = line.partition(" ")
        try:
            day = date.fromisoformat(head)
        except ValueError:
            raise ValueError(f"第{number}行{quoted(line[:20])}不是有效日期。{DAYS_HINT}") from None
        if day in seen:
            raise ValueError(f"第{number}行的{day.isoformat()}重复填写。")
        seen.add(day)
        days.append((day, name.strip()[:100]))
    return sorted(days)


def _days_field(label):
    return TextAreaField(label, [Optional(), too_long(4000)], description=DAYS_HINT)


class ConfirmYearForm(Form):
    holidays = _days_field("放假日期（含调休放假的工作日）")
    workdays = _days_field("调休上班日期（周六、周日上班）")
    notice_title = StringField("通知标题", [DataRequired("请填写所依据通知的标题。"), too_long(200)], filters=[strip],
                               description="例如：国务院办公厅关于2027年部分节假日安排的通知")
    notice_number = StringField("文号", [Optional(), too_long(100)], filters=[strip],
                                description="例如：国办发明电〔2026〕X号；通知未载文号的可不填。")
    checked = BooleanField("我已按通知逐日核对上述放假和调休上班日期",
                           [DataRequired("请逐日核对后勾选确认。")])

    def validate_holidays(self, field):
        try:
            self.holiday_days = parse_days(field.data)
        except ValueError as e:
            raise ValidationError(str(e)) from None

    def validate_workdays(self, field):
        try:
            self.workday_days = parse_days(field.data)
        except ValueError as e:
            raise ValidationError(str(e)) from None


def days_text(days):
    """The textarea's text for ``[(date, name)]``."""
    return "\n".join(f"{d.isoformat()} {n}".rstrip() for d, n in days)
