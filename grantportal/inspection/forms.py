"""Forms of third-party supervision: the officer's agency, staff account, appointment and 确认/退回; the third
party's 实地检查 (made for a tablet) and evaluation. Messages are Chinese, next to their field; what was typed
is kept on error. ``to_data()`` gives the operation its typed data."""
from wtforms import FieldList, FormField, MultipleFileField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from grantportal.accounts.forms import AccountFields
from grantportal.core.forms import (
    Form,
    LocalDateField,
    LocalDateTimeField,
    NumberField,
    RowForm,
    code,
    strip,
    too_long,
)
from grantportal.core.inputs import as_id
from grantportal.core.timeutil import local_today
from grantportal.inspection import queries
from grantportal.inspection.models import CheckResult, EvaluationKind
from grantportal.inspection.operations import (
    CHECKLIST,
    MAX_PHOTOS,
    NOTE_MAX,
    PLACE_MAX,
    TEXT_MAX,
    AgencyData,
    CheckData,
    EvaluationData,
    ScoreData,
    VisitData,
)


class AgencyForm(Form):
    name = StringField("机构名称", [DataRequired("请填写机构名称。"), too_long(100)], filters=[strip])
    uscc = StringField("统一社会信用代码", [DataRequired("请填写统一社会信用代码。")], filters=[code])
    contact_name = StringField("联系人", [DataRequired("请填写联系人。"), too_long(40)], filters=[strip])
    contact_phone = StringField("联系电话", [DataRequired("请填写联系电话。"), too_long(20)], filters=[strip])

    def to_data(self):
        return AgencyData(self.name.data, self.uscc.data, self.contact_name.data, self.contact_phone.data)


class StaffForm(AccountFields):
    """A new staff account of the agency: 登录名, 姓名, 手机号, initial password (as the administrator's form)."""


class AppointmentForm(Form):
    """Once valid, ``call`` or ``contract`` is what the officer picked (the other None); the operation checks the
    contract's state."""

    call_id = StringField("委托监管的征集")
    contract_id = StringField("或单个项目")
    starts_on = LocalDateField("委托开始日期", [DataRequired("请填写委托开始日期。")])
    ends_on = LocalDateField("委托结束日期", [DataRequired("请填写委托结束日期。")])

    call = None
    contract = None

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("委托结束日期不能早于开始日期。")

    def validate_contract_id(self, field):
        if bool(as_id(self.call_id.data)) == bool(as_id(field.data)):
            raise ValidationError("请选择委托监管的征集或单个项目（二者选一）。")

    def validate(self, extra_validators=None):
        """The fields first; then the id picked is looked up (a call with funded projects, or a contract), so
        that an id not in the lists is refused next to the project field."""
        if not super().validate(extra_validators):
            return False
        call_id, contract_id = as_id(self.call_id.data), as_id(self.contract_id.data)
        self.call = queries.call_with_contracts(call_id) if call_id else None
        self.contract = queries.contract_by_id(contract_id) if contract_id else None
        if self.call is None and self.contract is None:
            self.contract_id.errors = [*self.contract_id.errors, "请从列表中选择征集或项目。"]
            return False
        return True


class EndAppointmentForm(Form):
    """提前结束 an appointment: the reason, and the date it ends (today unless the officer says otherwise; the
    operation checks it against the appointment's dates)."""

    ended_on = LocalDateField("结束日期", [DataRequired("请填写结束日期。")], default=local_today)
    reason = TextAreaField("提前结束的理由", [DataRequired("请填写提前结束的理由。"), too_long(NOTE_MAX)],
                           filters=[strip])


class DecideForm(Form):
    reason = TextAreaField("退回理由", [too_long(NOTE_MAX)], filters=[strip])
    confirm = SubmitField("确认")
    send_back = SubmitField("退回")

    def validate_reason(self, field):
        if self.send_back.data and not field.data:
            raise ValidationError("退回时请写明理由。")


class CheckRowForm(RowForm):
    result = RadioField("结论", choices=CheckResult.choices(), validate_choice=False)
    note = StringField("说明", [too_long(NOTE_MAX)], filters=[strip])

    def validate_result(self, field):
        if field.data and field.data not in {r.value for r in CheckResult}:
            raise ValidationError("请从选项中选择。")


class VisitForm(Form):
    visited_at = LocalDateTimeField("检查时间", [DataRequired("请填写检查时间。")])
    place = StringField("检查地点", [DataRequired("请填写检查地点。"), too_long(PLACE_MAX)], filters=[strip])
    checks = FieldList(FormField(CheckRowForm), min_entries=len(CHECKLIST), max_entries=len(CHECKLIST))
    findings = TextAreaField("发现的问题", [too_long(TEXT_MAX)], filters=[strip])
    people_met = TextAreaField("访谈人员", [too_long(TEXT_MAX)], filters=[strip])
    photos = MultipleFileField("现场照片", description=f"JPG或PNG格式，每次检查最多{MAX_PHOTOS}张")
    save = SubmitField("保存草稿")
    submit = SubmitField("提交项目官员确认")

    def to_data(self):
        checks = [CheckData(CheckResult(row.form.result.data) if row.form.result.data else None,
                            row.form.note.data or "") for row in self.checks]
        return VisitData(self.visited_at.utc, self.place.data or "", self.findings.data or "",
                         self.people_met.data or "", checks)


def visit_data(visit):
    """The form's initial data from a saved visit."""
    by_position = {c.position: c for c in visit.checks}
    return {"visited_at": visit.visited_at, "place": visit.place, "findings": visit.findings,
            "people_met": visit.people_met,
            "checks": [{"result": by_position[i].result.value if i in by_position and by_position[i].result else None,
                        "note": by_position[i].note if i in by_position else ""} for i in range(len(CHECKLIST))]}


class ScoreRowForm(RowForm):
    score = NumberField("得分", places=1, minimum=0, maximum=100, optional=True, example="85")
    note = StringField("评分说明", [too_long(NOTE_MAX)], filters=[strip])


class EvaluationForm(Form):
    scores = FieldList(FormField(ScoreRowForm), min_entries=0, max_entries=100)
    surveyed = NumberField("满意度调查人数", minimum=0, maximum=1_000_000, optional=True, example="120")
    satisfaction = NumberField("满意率（%）", places=1, minimum=0, maximum=100, optional=True, example="95.5")
    conclusion = TextAreaField("评估结论", [too_long(TEXT_MAX)], filters=[strip])
    save = SubmitField("保存草稿")
    submit = SubmitField("提交项目官员确认")

    def __init__(self, rows, *args, **kw):
        kw.setdefault("data", None)
        super().__init__(*args, **kw)
        while len(self.scores) < rows:
            self.scores.append_entry()
        while len(self.scores) > rows:
            self.scores.pop_entry()

    def to_data(self):
        return EvaluationData(surveyed=self.surveyed.number, satisfaction=self.satisfaction.number,
                              conclusion=self.conclusion.data or "",
                              scores=[ScoreData(row.form.score.number, row.form.note.data or "")
                                      for row in self.scores])


def evaluation_data(evaluation):
    return {"surveyed": evaluation.surveyed, "satisfaction": evaluation.satisfaction,
            "conclusion": evaluation.conclusion,
            "scores": [{"score": s.score, "note": s.note} for s in evaluation.scores]}


def evaluation_kind(text):
    """The kind named in the query string, or None."""
    return next((k for k in EvaluationKind if k.value == text), None)


