"""Forms of the grassroots teams' pages. Every message is Chinese, shown next to its field."""
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Regexp, ValidationError

from grantportal.accounts.forms import PHONE_RULE
from grantportal.core.forms import DistrictField, Form, code, phone_number, strip, too_long
from grantportal.core.uscc import UsccError, parse_uscc

# 社区社会组织备案编号: forms differ between 镇街 (e.g. 石岐备〔2024〕第012号, SQ-2024-012), so the rule is loose —
# letters, digits, Chinese characters and the usual brackets and dashes, 4 to 40 of them
FILING_RULE = Regexp(r"^[0-9A-Za-z\u4e00-\u9fff\-—〔〕\[\]（）()第号·/]{4,40}$",
                     message="备案编号应为4至40位，可含汉字、字母、数字和〔〕、-，例如 石岐社备〔2024〕012号。")


def _uscc(form, field):
    try:
        parse_uscc(field.data)
    except UsccError as e:
        raise ValidationError(str(e)) from None


class SupportingOrgForm(Form):
    supporting_uscc = StringField("支持机构统一社会信用代码",
                                  [DataRequired("请填写支持机构（挂靠单位）的统一社会信用代码。"), _uscc],
                                  filters=[code])


class TeamForm(SupportingOrgForm):
    name = StringField("团队名称", [DataRequired("请填写团队名称。"), too_long(120)], filters=[strip])
    filing_number = StringField("社区社会组织备案编号",
                                [DataRequired("请填写备案编号；未备案的团队请先到所在镇街备案。"), FILING_RULE],
                                filters=[strip])
    district = DistrictField("所在镇街", [DataRequired("请选择团队所在的镇街。")])
    leader_name = StringField("团队负责人", [DataRequired("请填写团队负责人姓名。"), too_long(40)], filters=[strip])
    leader_phone = StringField("负责人手机号码", [DataRequired("请填写负责人手机号码。"), PHONE_RULE],
                               filters=[phone_number])

    def to_data(self):
        return {"name": self.name.data, "filing_number": self.filing_number.data, "district": self.district.chosen,
                "leader_name": self.leader_name.data, "leader_phone": self.leader_phone.data,
                "supporting_uscc": self.supporting_uscc.data}


class DeclineForm(Form):
    reason = TextAreaField("拒绝理由", [DataRequired("请填写拒绝理由，团队负责人将看到这段说明。"), too_long(2000)],
                           filters=[strip])
