"""Forms of 随手拍 supervision reports: the citizen's report, the officer's steps (assign, ask the organization,
the finding, closing) and the organization's answer. Each message is Chinese and shown next to its field; what
was typed is kept when something is refused."""
from wtforms import MultipleFileField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from grantportal.core.forms import ChoiceField, Form, RadioChoiceField, strip, too_long
from grantportal.supervision.models import CloseKind, Finding
from grantportal.supervision.operations import (
    ANSWER_MAX,
    CLOSE_REASON_MAX,
    MAX_PHOTOS,
    PLACE_MAX,
    QUESTION_MAX,
    SUMMARY_MAX,
    TEXT_MAX,
    TEXT_MIN,
    ReportData,
)

CLOSE_CHOICES = [SelectChoice(CloseKind.ABUSIVE.value, "内容不当（辱骂、广告、与本项目无关等）"),
                 SelectChoice(CloseKind.DUPLICATE.value, "重复报告（同一事项已有报告在处理或已办结）")]


class ReportForm(Form):
    text = TextAreaField("您看到的情况", [
        DataRequired(f"请描述您看到的情况（不少于{TEXT_MIN}个字）。"),
        Length(min=TEXT_MIN, max=TEXT_MAX, message=f"请用{TEXT_MIN}至{TEXT_MAX}个字描述您看到的情况。")],
        filters=[strip])
    place = StringField("地点（可选）", [too_long(PLACE_MAX)], filters=[strip])
    photos = MultipleFileField("照片（可选）", description=f"最多{MAX_PHOTOS}张，JPG或PNG格式")

    def to_data(self):
        return ReportData(text=self.text.data, place=self.place.data or None)


class AssignForm(Form):
    assignee = ChoiceField("负责核查的项目官员")

    def offer(self, officers):
        self.assignee.choices = [SelectChoice(str(o.id), o.name) for o in officers]
        return self


class AskForm(Form):
    question = TextAreaField("需要机构说明的情况", [DataRequired("请写明需要机构说明的情况。"), too_long(QUESTION_MAX)],
                             filters=[strip],
                             description="机构将看到报告的内容、地点和照片，以及这里填写的内容；不会看到报告人的身份和手机号。")


class FindingForm(Form):
    finding = RadioChoiceField("核查结论", choices=[SelectChoice(f.value, f.label) for f in Finding])
    public_summary = TextAreaField(
        "处理情况摘要（向社会公开）", [DataRequired("请填写向社会公开的处理情况摘要。"), too_long(SUMMARY_MAX)],
        filters=[strip],
        description="将在项目执行公开页面公开，不显示报告人的身份。请勿填写姓名、电话、身份证号等个人信息"
                    "（公开时系统也会自动遮盖电话、身份证号和电子邮箱）。")

    @property
    def chosen(self):
        return Finding(self.finding.data)


class CloseForm(Form):
    kind = RadioChoiceField("关闭原因", choices=CLOSE_CHOICES)
    reason = TextAreaField("理由（将告知报告人）", [DataRequired("请写明关闭的理由，将告知报告人。"),
                                              too_long(CLOSE_REASON_MAX)], filters=[strip])

    @property
    def chosen(self):
        return CloseKind(self.kind.data)


class AnswerForm(Form):
    answer = TextAreaField("书面答复", [DataRequired("请填写书面答复。"), too_long(ANSWER_MAX)], filters=[strip],
                           description="请如实说明情况及已采取或将采取的措施。答复仅项目官员可见，不会公开。")
