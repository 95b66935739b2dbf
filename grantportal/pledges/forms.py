"""Forms of public pledges: the citizen's pledge, the organization's confirmation of receipt and the officer's
return. Each message is Chinese and shown next to its field; what was typed is kept when something is refused.
The amounts are read by ``core.forms.MoneyField`` (ASCII digits, two places at most, never negative); their range
and the fields that depend on a choice (a company's name and code, the public name) are the operation's rules."""
from wtforms import FileField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from grantportal.core.forms import Form, LocalDateField, MoneyField, RadioChoiceField, code, strip, too_long
from grantportal.core.wording import quoted
from grantportal.pledges.models import ANONYMOUS_NAME, DonorKind
from grantportal.pledges.operations import (
    COMPANY_NAME_MAX,
    NOTE_MAX,
    PUBLIC_NAME_MAX,
    REASON_MAX,
    PledgeData,
    ReceiptData,
)

NAMED, ANONYMOUS = "named", "anonymous"


class PledgeForm(Form):
    donor_kind = RadioChoiceField("认捐人", choices=[SelectChoice(DonorKind.INDIVIDUAL.value, "本人（个人认捐）"),
                                                  SelectChoice(DonorKind.COMPANY.value, "代表企业认捐")],
                                  default=DonorKind.INDIVIDUAL.value)
    company_name = StringField("企业名称", [too_long(COMPANY_NAME_MAX)], filters=[strip])
    company_uscc = StringField("企业统一社会信用代码", filters=[code])
    amount = MoneyField("认捐金额（元）")
    display = RadioChoiceField("公开方式", choices=[SelectChoice(NAMED, "以下面填写的名称公开"),
                                                SelectChoice(ANONYMOUS, f"匿名，公开显示为{quoted(ANONYMOUS_NAME)}")],
                               default=NAMED)
    public_name = StringField("公开显示的名称", [too_long(PUBLIC_NAME_MAX)], filters=[strip])

    def to_data(self):
        return PledgeData(amount=self.amount.amount, donor_kind=DonorKind(self.donor_kind.data),
                          company_name=self.company_name.data, company_uscc=self.company_uscc.data,
                          anonymous=self.display.data == ANONYMOUS, public_name=self.public_name.data)


class ReceiptForm(Form):
    received_on = LocalDateField("到账日期", [Optional()])
    amount = MoneyField("到账金额（元）")
    evidence = FileField("到账凭证", description="银行回单、收据或转账记录，PDF、JPG或PNG格式")
    note = TextAreaField("说明（可选）", [too_long(NOTE_MAX)], filters=[strip],
                         description="如到账金额与认捐金额不同，请说明原因。仅项目官员可见。")

    def to_data(self):
        return ReceiptData(received_on=self.received_on.data, amount=self.amount.amount, note=self.note.data)


class ReturnForm(Form):
    reason = TextAreaField("退回理由（将告知承接机构）",
                           [DataRequired("请写明退回的理由，将告知承接机构。"), too_long(REASON_MAX)], filters=[strip])
