"""The citizen sign-in forms: a mainland mobile number, then the SMS code (and, the first time, consent to
the 个人信息保护说明). A number is accepted as people write it: full-width digits, spaces, dashes, +86."""
import re

from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Regexp

from grantportal.core.forms import Form
from grantportal.core.inputs import normalize_phone, trim

MOBILE = re.compile(r"1[3-9][0-9]{9}")
PHONE_MESSAGE = "请填写11位中国大陆手机号码，例如 13812345678。"


def mainland_mobile(value):
    """"+86 138-1234-5678" or "１３８ １２３４ ５６７８" → "13812345678"; what cannot be a mainland mobile number
    stays as typed (trimmed), for the rule to refuse and the page to show again."""
    if not isinstance(value, str):
        return value
    digits = normalize_phone(value).replace("-", "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
    return digits if MOBILE.fullmatch(digits) else trim(value)


def code_digits(value):
    """A code typed with full-width digits or spaces ("１２３ ４５６") → "123456"."""
    return normalize_phone(value) if isinstance(value, str) else value


class PhoneForm(Form):
    phone = StringField("手机号", [DataRequired("请填写手机号。"),
                                   Regexp(rf"^{MOBILE.pattern}$", message=PHONE_MESSAGE)], filters=[mainland_mobile])


class CodeForm(Form):
    code = StringField("短信验证码", [DataRequired("请填写短信验证码。"),
                                      Regexp(r"^[0-9]{6}$", message="验证码为6位数字，请核对短信。")],
                       filters=[code_digits])
    consent = BooleanField("我已阅读并同意《个人信息保护说明》")
