from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from grantportal.core.forms import Form, strip, too_long
from grantportal.documents.queries import verification_code


class CorrectionForm(Form):
    reason = TextAreaField("更正原因", filters=[strip],
                           validators=[DataRequired("请写明更正原因。"), Length(5, 1000, "更正原因为5至1000个字。")])


class RectificationForm(Form):
    reason = TextAreaField("整改事项和理由", filters=[strip],
                           validators=[DataRequired("请写明整改事项和理由。"),
                                       Length(5, 2000, "整改事项和理由为5至2000个字。")])


class VerifyForm(Form):
    """The public verification form: the code printed on the document (spaces, hyphens, full-width characters
    and lower case tolerated) and, optionally, the electronic file to compare with the issued one."""
    code = StringField("核验码", filters=[verification_code],
                       validators=[DataRequired("请输入文书上印制的核验码。"), too_long(40)])
    file = FileField("文书电子文件（可选）")
