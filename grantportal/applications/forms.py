"""Application forms: the 申报书 itself (with its budget lines) and the small action forms."""
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from grantportal.applications.models import BUDGET_CATEGORIES, FundSource
from grantportal.applications.operations import BUDGET_CAP, ApplicationData, LineData, totals
from grantportal.calls.models import Level
from grantportal.core.forms import (
    BatchForm,
    CheckboxesField,
    DistrictField,
    Form,
    LocalDateTimeField,
    MoneyField,
    RowForm,
    VersionForm,
    strip,
    too_long,
)
from grantportal.core.money import AmountError, format_wan, parse_amount

MIN_ROWS = 3
MAX_ROWS = 40
LONG = 5000


def options(pairs):
    return [p if isinstance(p, SelectChoice) else SelectChoice(*p) for p in pairs]


def one_of_choices(message):
    """WTForms' own choice check speaks English; this one speaks Chinese."""
    def check(form, field):
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError(message)
    return check


def _ascii_count(form, field):
    text = (field.data or "").strip()
    if not text:
        return
    if not (text.isascii() and text.isdigit()):
        raise ValidationError("请使用半角数字填写人数，例如 200。")
    if not 1 <= int(text) <= 10_000_000:
        raise ValidationError("受益人数应在1至10,000,000之间。")


class BudgetLineForm(RowForm):
    category = SelectField("费用类别", choices=options([("", "请选择")] + [(c, c) for c in BUDGET_CATEGORIES]),
                           validate_choice=False)
    item = StringField("预算项目", [too_long(120)], filters=[strip])
    amount = MoneyField("金额（元）", optional=True)
    source = SelectField("资金来源", choices=options(FundSource.choices()), default=FundSource.GRANT.value,
                         validate_choice=False)

    @property
    def is_blank(self):
        return not (self.item.data or "").strip() and not (self.amount.data or "").strip()

    def check_started_row(self):
        """A row that has been started must be complete; returns False if it is not."""
        ok = True
        if self.source.data not in {s.value for s in FundSource}:
            self.source.errors = [*self.source.errors, "请选择资金来源。"]
            ok = False
        if self.category.data not in BUDGET_CATEGORIES:
            self.category.errors = [*self.category.errors, "请选择费用类别。"]
            ok = False
        if not (self.item.data or "").strip():
            self.item.errors = [*self.item.errors, "请填写预算项目。"]
            ok = False
        if not (self.amount.data or "").strip():
            self.amount.errors = [*self.amount.errors, "请填写金额。"]
            ok = False
        elif self.amount.amount is not None:
            if self.amount.amount <= 0:
                self.amount.errors = [*self.amount.errors, "金额须大于0。"]
                ok = False
            elif self.amount.amount > BUDGET_CAP:
                self.amount.errors = [*self.amount.errors, "单项金额不能超过1亿元，请核对。"]
                ok = False
        return ok


class ApplicationForm(Form):
    version = HiddenField()
    level = SelectField("申报级别", [one_of_choices("请选择本次征集设置的申报级别。")], validate_choice=False)
    category = SelectField("服务领域", [one_of_choices("请选择本次征集设置的服务领域。")], validate_choice=False)
    title = StringField("项目名称", [too_long(120)], filters=[strip])
    summary = TextAreaField("项目摘要", [too_long(1000)], filters=[strip])
    need_analysis = TextAreaField("需求分析", [too_long(LONG)], filters=[strip])
    objectives = TextAreaField("项目目标", [too_long(LONG)], filters=[strip])
    activity_plan = TextAreaField("活动计划", [too_long(LONG)], filters=[strip])
    beneficiaries = TextAreaField("受益对象", [too_long(LONG)], filters=[strip])
    target_count = StringField("受益人数", [_ascii_count], filters=[strip])
    district = DistrictField("服务镇街")
    area_served = StringField("服务区域", [too_long(200)], filters=[strip])
    team = TextAreaField("项目团队", [too_long(LONG)], filters=[strip])
    budget = FieldList(FormField(BudgetLineForm), min_entries=MIN_ROWS, max_entries=MAX_ROWS)
    add_row = SubmitField("增加一行")
    save = SubmitField("保存草稿")
    save_and_check = SubmitField("保存并检查提交")

    def __init__(self, call, *args, **kw):
        super().__init__(*args, **kw)
        self.level.choices = options([
            (lv.level.value, f"{lv.level.label}（资助{format_wan(lv.min_grant)}–{format_wan(lv.max_grant)}，"
                             f"自筹不低于{lv.min_match_percent.normalize():f}%）")
            for lv in call.levels])
        self.category.choices = options([("", "请选择")] + [(c, c) for c in call.category_list])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for entry in self.budget:
            if not entry.form.is_blank and not entry.form.check_started_row():
                ok = False
        return ok

    def add_blank_row(self):
        if len(self.budget) >= MAX_ROWS:
            return False
        self.budget.append_entry()
        return True

    def lines(self):
        return [LineData(category=e.form.category.data, item=e.form.item.data.strip(),
                         amount=e.form.amount.amount, source=FundSource(e.form.source.data))
                for e in self.budget if not e.form.is_blank]

    def to_data(self):
        count = self.target_count.data
        return ApplicationData(
            level=Level(self.level.data), category=self.category.data or "", title=self.title.data or "",
            summary=self.summary.data or "", need_analysis=self.need_analysis.data or "",
            objectives=self.objectives.data or "", activity_plan=self.activity_plan.data or "",
            beneficiaries=self.beneficiaries.data or "", target_count=int(count) if count else None,
            area_served=self.area_served.data or "", district=self.district.chosen, team=self.team.data or "",
            lines=self.lines())

    def preview_totals(self):
        """Totals of the rows that can be read (for the page only; the server recomputes on save)."""
        lines = []
        for e in self.budget:
            try:
                amount = parse_amount(e.form.amount.data)
                lines.append(LineData("", "", amount, FundSource(e.form.source.data)))
            except (AmountError, ValueError):
                continue
        return totals(lines)

    @property
    def expected_version(self):
        text = (self.version.data or "").strip()
        return int(text) if text.isascii() and text.isdigit() else -1


def form_data(app):
    """Initial form values for an existing application (and a blank row to add to)."""
    lines = [{"category": line.category, "item": line.item, "amount": line.amount, "source": line.source.value}
             for line in app.budget_lines]
    lines.append({"source": FundSource.GRANT.value})
    return {
        "version": str(app.version), "level": app.level.value, "category": app.category, "title": app.title,
        "summary": app.summary, "need_analysis": app.need_analysis, "objectives": app.objectives,
        "activity_plan": app.activity_plan, "beneficiaries": app.beneficiaries,
        "target_count": str(app.target_count) if app.target_count else "", "area_served": app.area_served,
        "district": app.district or "", "team": app.team, "budget": lines,
    }


class SubmitForm(VersionForm):
    """确认提交: the 诚信承诺书 signed by the organization's representative (name typed, box ticked)."""
    pledge_signer = StringField("签署人", [DataRequired("请填写签署诚信承诺书的法定代表人或其授权代表的姓名。"),
                                         too_long(40)], filters=[strip],
                                description="机构法定代表人，或经其授权的代表。")
    pledge_agree = BooleanField("本机构已阅读上述诚信承诺书，承诺所述内容属实并将遵守。",
                                [DataRequired("请阅读诚信承诺书并勾选确认后再提交。")])


class ReturnForm(VersionForm):
    reason = TextAreaField("退回原因及修改要求", [DataRequired("请填写退回原因及修改要求。"),
                                          too_long(2000)], filters=[strip])
    revise_until = LocalDateTimeField("修改截止时间", [DataRequired("请填写修改截止时间。")])


class ReturnToTeamForm(VersionForm):
    """退回团队: the supporting organization sends a grassroots team's application back."""
    reason = TextAreaField("退回原因", [DataRequired("请填写退回原因，团队负责人将看到这段说明。"), too_long(2000)],
                           filters=[strip])


class ScreenForm(VersionForm):
    digest = HiddenField()
    outcome = RadioField("审查结论", [one_of_choices("请选择审查结论。")],
                         choices=options([("passed", "通过"), ("failed", "未通过")]), validate_choice=False)
    note = TextAreaField("审查意见", [too_long(2000)], filters=[strip],
                         description="审查结论与自动审查结果不一致时必须填写理由；审查意见将告知申报机构。")



class BatchScreenForm(BatchForm):
    """The officer confirms, in one step, 资格审查通过 for the applications ticked on the batch page (each one
    whose automatic checks all pass; the digest of each one's checks is posted as ``digest-<id>``)."""
    items = CheckboxesField("通过资格审查的申报书", [DataRequired("请至少选择一份申报书。")])
    confirm = BooleanField("我已核对以上申报书的自动审查结果，确认其通过资格审查",
                           [DataRequired("请勾选确认后再提交。")])
