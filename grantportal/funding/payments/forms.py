"""Forms of the payments page: a payment (拨付) of a tranche and a recovery (追回). Messages are Chinese and
shown next to their field; what was typed is kept on error."""
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from grantportal.core.forms import Form, LocalDateField, MoneyField, strip
from grantportal.funding.payments.operations import VOUCHER_MAX

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
