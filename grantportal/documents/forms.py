from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from grantportal.core.forms import Form, strip


class CorrectionForm(Form):
    reason = TextAreaField("更正原因", filters=[strip],
                           validators=[DataRequired("请写明更正原因。"), Length(5, 1000, "更正原因为5至1000个字。")])


class RectificationForm(Form):
    reason = TextAreaField("整改事项和理由", filters=[strip],
                           validators=[DataRequired("请写明整改事项和理由。"),
                                       Length(5, 2000, "整改事项和理由为5至2000个字。")])
