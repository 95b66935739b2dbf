"""The upload form of a call's files."""
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from grantportal.calls.models import CallFileKind
from grantportal.core.forms import Form, choice, strip, too_long


class CallFileForm(Form):
    kind = choice("文件类别", [(k.value, k.label) for k in CallFileKind], default=CallFileKind.GUIDE.value)
    title = StringField("文件名称", [DataRequired("请填写文件名称，如“2027年度项目申报指南”。"), too_long(80)],
                        filters=[strip])
    file = FileField("选择文件")

    def validate_file(self, field):
        if not getattr(field.data, "filename", None):
            raise ValidationError("请选择要上传的文件（PDF、Word 或 Excel）。")
