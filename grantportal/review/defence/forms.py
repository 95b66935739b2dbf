"""Forms of the defence-day page: the running-order draw (a reason for a redraw), a day's slots in one go, and
attendance. ``DayForm.to_data()`` gives the operation its ``DayPlan``."""
import re

from wtforms import SelectChoice, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, ValidationError

from grantportal.core.forms import Form, LocalDateField, NumberField, RadioChoiceField, strip, too_long
from grantportal.review.defence.operations import DayPlan
from grantportal.review.models import Attendance


class DrawForm(Form):
    reason = TextAreaField("重新抽签理由", [too_long(500)], filters=[strip])


class ChineseTimeField(TimeField):
    """A required wall-clock time (时:分); a Chinese message when it is missing or cannot be read (not
    DataRequired, which would replace the "cannot be read" message)."""

    def __init__(self, label=None, validators=None, **kw):
        super().__init__(label, validators, invalid_value_message="请按“时:分”填写时间，例如 09:00。", **kw)

    def process_formdata(self, valuelist):
        if not "".join(valuelist or []).strip():
            self.data = None  # missing, not unreadable: pre_validate says so
            return
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if not "".join(self.raw_data or []).strip():
            raise ValidationError(f"请填写{self.label.text}。")


def meeting_link(form, field):
    if field.data and not re.fullmatch(r"https?://\S+", field.data):
        raise ValidationError("请填写以 http:// 或 https:// 开头的会议链接。")


class DayForm(Form):
    day = LocalDateField("答辩日期", [DataRequired("请填写答辩日期。")])
    first_start = ChineseTimeField("第一场开始时间")
    minutes = NumberField("每场时长（分钟）", minimum=5, maximum=240, example="20")
    break_minutes = NumberField("场间间隔（分钟）", minimum=0, maximum=120, example="5", default="0")
    count = NumberField("本日场次数", minimum=1, maximum=500, optional=True, example="8")
    venue = StringField("答辩地点", [too_long(120)], filters=[strip])
    meeting_link = StringField("线上会议链接", [too_long(300), meeting_link], filters=[strip])
    bring = TextAreaField("需携带材料", [too_long(500)], filters=[strip])

    def validate_venue(self, field):
        if not field.data and not self.meeting_link.data:
            raise ValidationError("请填写答辩地点或线上会议链接（至少一项）。")

    def to_data(self):
        return DayPlan(day=self.day.data, first_start=self.first_start.data, minutes=self.minutes.number,
                       break_minutes=self.break_minutes.number, count=self.count.number, venue=self.venue.data,
                       meeting_link=self.meeting_link.data, bring=self.bring.data)


class AttendanceForm(Form):
    status = RadioChoiceField("到场情况", choices=[SelectChoice(Attendance.PRESENT.value, "到场"),
                                                  SelectChoice(Attendance.ABSENT.value, "缺席（本轮不计分）")])
    note = TextAreaField("说明", [too_long(300)], filters=[strip])
