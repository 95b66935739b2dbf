"""Forms of the panel pages: adding an expert by hand and replacing a panel member, each with a reason that
goes into the audit log."""
from wtforms import TextAreaField
from wtforms.validators import DataRequired

from grantportal.core.forms import Form, choice, strip, too_long


class ReasonForm(Form):
    reason = TextAreaField("理由", [DataRequired("请填写理由，将记入审计日志。"), too_long(500)], filters=[strip])


class AddExpertForm(ReasonForm):
    expert_id = choice("专家", [])


class ReplaceForm(ReasonForm):
    expert_id = choice("替换为", [])
