"""The matched-fund form (配套资金 / 社会捐助). Messages are Chinese and shown next to their field; what was
typed is kept on error."""
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from grantportal.core.forms import Form, LocalDateField, MoneyField, strip
from grantportal.funding.matched.operations import NAME_MAX, NOTE_MAX, RECORDED_KINDS
from grantportal.funding.models import FundSourceKind


class MatchedFundForm(Form):
    source_kind = SelectField("资金来源", choices=[SelectChoice(k.value, k.label) for k in RECORDED_KINDS],
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
