"""Forms for money: a payment, a recovery, a matched fund, the call's funding settings. Messages are
Chinese and shown next to their field; what was typed is kept on error."""
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from grantportal.calls.tranche_plan import TrancheCondition
from grantportal.core.forms import Form, LocalDateField, MoneyField, NumberField, strip
from grantportal.funding.models import FundSourceKind
from grantportal.funding.operations import MAX_CONTRACT_MONTHS, MAX_REPORT_EVERY, NAME_MAX, NOTE_MAX, VOUCHER_MAX

PLAN_ROWS = 4
REASON_MAX = 1000


def _required_date(form, field):
    if field.data is None and not field.errors:
        raise ValidationError("请填写日期。")


class PaymentForm(Form):
    tranche = SelectField("拨付期次", choices=[], validate_choice=False)
    paid_on = LocalDateField("拨付日期", validators=[_required_date])
    amount = MoneyField("拨付金额（元）")
    voucher_number = StringField("凭证号", filters=[strip], validators=[Length(max=VOUCHER_MAX)])

    def __init__(self, *args, tranches=(), **kw):
        super().__init__(*args, **kw)
        self.tranche.choices = [SelectChoice(str(t.id), f"第{t.position}期（{t.condition.label}）")
                                for t in tranches]

    def validate_tranche(self, field):
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError("请选择拨付期次。")

    def validate_voucher_number(self, field):
        if not field.data:
            raise ValidationError("请填写凭证号。")


class RecoveryForm(Form):
    recovered_on = LocalDateField("追回日期", validators=[_required_date])
    amount = MoneyField("追回金额（元）")
    voucher_number = StringField("凭证号", filters=[strip], validators=[Length(max=VOUCHER_MAX)])
    reason = TextAreaField("追回原因", filters=[strip], validators=[Length(max=REASON_MAX)])

    def validate_voucher_number(self, field):
        if not field.data:
            raise ValidationError("请填写凭证号。")

    def validate_reason(self, field):
        if not field.data:
            raise ValidationError("请填写追回原因。")


class MatchedFundForm(Form):
    source_kind = SelectField("资金来源", choices=[SelectChoice(k.value, k.label) for k in FundSourceKind],
                              default=FundSourceKind.ENTERPRISE.value)
    source_name = StringField("来源名称", filters=[strip], validators=[Length(max=NAME_MAX)])
    name_public = BooleanField("捐赠人同意公开其姓名（仅个人捐赠适用）")
    pledged = MoneyField("承诺金额（元）", optional=True)
    received = MoneyField("到账金额（元）", optional=True)
    pledged_on = LocalDateField("承诺日期", validators=[Optional()])
    received_on = LocalDateField("到账日期", validators=[Optional()])
    note = TextAreaField("备注", filters=[strip], validators=[Length(max=NOTE_MAX)])

    def data_dict(self):
        return {"source_kind": FundSourceKind(self.source_kind.data), "source_name": self.source_name.data,
                "name_public": self.name_public.data, "pledged": self.pledged.amount,
                "received": self.received.amount, "pledged_on": self.pledged_on.data,
                "received_on": self.received_on.data, "note": self.note.data}


def _plan_fields():
    conditions = [SelectChoice("", "（不使用此行）")] + [SelectChoice(c.value, c.label) for c in TrancheCondition]
    fields = {}
    for i in range(1, PLAN_ROWS + 1):
        fields[f"percent_{i}"] = StringField(f"第{i}行 比例（%）", filters=[strip])
        # the condition is checked by parse_plan (第N期的拨付条件无效), so that its message names the row
        fields[f"condition_{i}"] = SelectField(f"第{i}行 拨付条件", choices=conditions, validate_choice=False)
    return fields


class _FundingSettingsBase(Form):
    contract_months = NumberField("合同期限（月）", minimum=1, maximum=MAX_CONTRACT_MONTHS)
    report_every_months = NumberField("进度报告周期（月）", minimum=1, maximum=MAX_REPORT_EVERY)

    def plan_rows(self):
        return [(self[f"percent_{i}"], self[f"condition_{i}"]) for i in range(1, PLAN_ROWS + 1)]

    def used_rows(self):
        return [(p, c) for p, c in self.plan_rows() if p.data or c.data]

    def plan(self):
        """The typed rows as the JSON plan (blank rows skipped)."""
        return [{"percent": p.data, "condition": c.data} for p, c in self.used_rows()]


FundingSettingsForm = type("FundingSettingsForm", (_FundingSettingsBase,), _plan_fields())


def settings_data(call, plan):
    data = {"contract_months": call.contract_months, "report_every_months": call.report_every_months}
    for t in plan:
        data[f"percent_{t.position}"] = f"{t.percent.normalize():f}"
        data[f"condition_{t.position}"] = t.condition.value
    return data
