"""Monitoring forms: the organization's report (with spending by budget line and photos), the officer's
review, the evaluation, and the small action forms."""
from decimal import Decimal, InvalidOperation

from wtforms import (
    FieldList,
    FormField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from grantportal.applications.forms import one_of_choices, options
from grantportal.core.forms import Form, MoneyField, RowForm, VersionForm, strip
from grantportal.core.inputs import as_id
from grantportal.monitoring.models import EvaluationGrade, EvaluationStage
from grantportal.monitoring.operations import MAX_PHOTOS, ReportData

LONG = 5000
MAX_SERVED = 100_000_000


def _served_count(form, field):
    text = (field.data or "").strip()
    if not text:
        return
    if not (text.isascii() and text.isdigit()):
        raise ValidationError("服务人次须为不小于0的整数，请使用半角数字填写，例如 120。")
    if int(text) > MAX_SERVED:
        raise ValidationError("服务人次过大，请核对。")


class SpendingRowForm(RowForm):
    spent = MoneyField("本期实际支出（元）", optional=True)


class ReportForm(VersionForm):
    activities = TextAreaField("本期开展的活动", [Length(max=LONG, message=f"不超过{LONG}字。")], filters=[strip])
    served_count = StringField("服务人次", [_served_count], filters=[strip])
    outcomes = TextAreaField("取得的成效", [Length(max=LONG, message=f"不超过{LONG}字。")], filters=[strip])
    spending = FieldList(FormField(SpendingRowForm), min_entries=0, max_entries=200)
    photos = MultipleFileField("活动照片", description=f"JPG或PNG格式，每份报告最多{MAX_PHOTOS}张")
    save = SubmitField("保存草稿")
    submit = SubmitField("提交报告")

    def __init__(self, rows, *args, **kw):
        kw.setdefault("data", None)
        super().__init__(*args, **kw)
        while len(self.spending) < rows:
            self.spending.append_entry()
        while len(self.spending) > rows:
            self.spending.pop_entry()

    def to_data(self):
        count = self.served_count.data
        return ReportData(activities=self.activities.data or "", served_count=int(count) if count else None,
                          outcomes=self.outcomes.data or "", spent=[e.form.spent.amount for e in self.spending])


def report_data(report, lines):
    """Initial form values from the stored report: spent per budget line (blank when not yet entered)."""
    spent = {row.position: row.spent for row in report.spending}
    return {"version": str(report.version), "activities": report.activities, "outcomes": report.outcomes,
            "served_count": "" if report.served_count is None else str(report.served_count),
            "spending": [{"spent": spent.get(i)} for i in range(len(lines))]}


class ReviewForm(VersionForm):
    note = TextAreaField("审核意见", [Length(max=2000, message="不超过2000字。")], filters=[strip],
                         description="退回修改时必须填写，机构将看到这段意见。")
    accept = SubmitField("审核通过")
    send_back = SubmitField("退回修改")


def _score(form, field):
    text = (field.data or "").strip()
    if not text:
        field.number = None
        return
    try:
        value = Decimal(text) if text.isascii() else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value.as_tuple().exponent < -2 or not 0 <= value <= 100:
        raise ValidationError("评估得分须为0至100之间的数字，最多两位小数；不打分请留空。")
    field.number = value


class EvaluationForm(Form):
    stage = RadioField("评估类型", [one_of_choices("请选择评估类型。")], choices=EvaluationStage.choices(),
                       validate_choice=False)
    grade = RadioField("评估等级", [one_of_choices("请选择评估等级。")], choices=EvaluationGrade.choices(),
                       validate_choice=False)
    score = StringField("评估得分（可选）", [_score], filters=[strip])
    review_round = SelectField("采用专家验收评审得分（可选）", validate_choice=False)
    comments = TextAreaField("评估意见", [DataRequired("请填写评估意见。"),
                                      Length(max=LONG, message=f"不超过{LONG}字。")], filters=[strip])

    def __init__(self, rounds=(), *args, **kw):
        super().__init__(*args, **kw)
        self.review_round.choices = options([("", "不采用，由项目官员评定")]
                                            + [(str(r.id), f"{r.name}（{r.kind.label}）") for r in rounds])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if (self.review_round.data or "") not in {c.value for c in self.review_round.choices}:
            self.review_round.errors = [*self.review_round.errors, "请选择本征集已结束的验收评审轮次。"]
            ok = False
        return ok

    @property
    def round_id(self):
        return as_id(self.review_round.data)

    @property
    def score_number(self):
        return getattr(self.score, "number", None)


class ActionForm(Form):
    """A confirm button (CSRF only)."""

