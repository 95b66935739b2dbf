"""Forms of objections (异议): filing one during 公示, and the officer's decision."""
from wtforms import MultipleFileField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from grantportal.awards.objections.operations import MAX_FILES, RESPONSE_MAX
from grantportal.core.forms import Form, strip, too_long

MIN_REASON = 10
UPHELD, REJECTED = "upheld", "rejected"


def _one_of_choices(message):
    """WTForms' own choice check speaks English; this one speaks Chinese."""
    def check(form, field):
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError(message)
    return check


class ObjectionForm(Form):
    real_name = StringField("真实姓名", [DataRequired("请填写真实姓名。异议须实名提出，姓名不会公开。"),
                                      too_long(40)], filters=[strip])
    contact = StringField("联系电话或电子邮箱", [DataRequired("请填写联系方式，以便告知处理结果。"),
                                            too_long(80)], filters=[strip])
    reason = TextAreaField("异议的事实和理由", [
        DataRequired("请写明异议的事实和理由（不少于10个字）。"),
        Length(min=MIN_REASON, max=5000, message="异议的事实和理由应为10至5000字。")], filters=[strip])
    evidence = MultipleFileField("证明材料（可选）", description=f"可上传{MAX_FILES}个以内的 PDF、JPG、PNG 文件")


class ResponseForm(Form):
    response = TextAreaField("书面答复", [
        DataRequired("请写明答复的内容（不少于10个字）。"),
        Length(min=10, max=RESPONSE_MAX, message=f"答复应为10至{RESPONSE_MAX}字。")], filters=[strip],
        description="说明与异议有关的事实和情况，可一并说明已采取或将采取的措施。答复仅供项目官员处理异议时参考，不公开。")


class DecisionForm(Form):
    outcome = RadioField("处理结论", [_one_of_choices("请选择处理结论。")], validate_choice=False, choices=[
        SelectChoice(UPHELD, "异议成立（取消该项目的入选资格）"), SelectChoice(REJECTED, "异议不成立（维持公示结果）")])
    investigation = TextAreaField(
        "调查核实情况（内部记录，不公开）",
        [DataRequired("请填写调查核实情况。"), too_long(5000)], filters=[strip])
    public_summary = TextAreaField(
        "处理结果摘要（向社会公开）",
        [DataRequired("请填写向社会公开的处理结果摘要。"), too_long(1000)],
        filters=[strip],
        description="将在结果公示页面公开，不会显示异议人的姓名和联系方式。请勿填写个人电话、身份证号等个人信息"
                    "（公开时系统也会自动遮盖）。")

    @property
    def upheld(self):
        return self.outcome.data == UPHELD
