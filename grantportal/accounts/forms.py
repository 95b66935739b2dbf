import re

from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from grantportal.accounts.passwords import password_problem
from grantportal.core.forms import Form, phone_number, strip, too_long
from grantportal.core.roles import Role

USERNAME_RULE = Regexp(r"^[A-Za-z0-9_.@-]{3,40}$", message="登录名为3–40位字母、数字或 _ . @ -。")
# ASCII digits only: the field's filter has already made full-width digits half-width (core.forms.phone_number)
PHONE_RULE = Regexp(r"^1[3-9][0-9]{9}$|^0[0-9]{2,3}-?[0-9]{7,8}$",
                    message="请填写正确的手机号或固定电话（如 0760-88888888）。")


class LoginForm(Form):
    username = StringField("登录名", [DataRequired("请填写登录名。")], filters=[strip])
    password = PasswordField("密码", [DataRequired("请填写密码。")])


class AccountFields(Form):
    username = StringField("登录名", [DataRequired("请填写登录名。"), USERNAME_RULE], filters=[strip])
    name = StringField("姓名", [DataRequired("请填写姓名。"), too_long(40)],
                       filters=[strip])
    phone = StringField("手机号", [DataRequired("请填写手机号。"), PHONE_RULE], filters=[phone_number])
    email = StringField("电子邮箱", [Optional(), Email("电子邮箱格式不正确。"),
                                     Length(max=120, message="电子邮箱不超过120个字符。")], filters=[strip])
    password = PasswordField("密码", [DataRequired("请设置密码。")])
    password2 = PasswordField("确认密码", [DataRequired("请再次输入密码。")])

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.username.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_password2(self, field):
        if field.data != self.password.data:
            raise ValidationError("两次输入的密码不一致。")


class RegisterForm(AccountFields):
    """An organization's account: the e-mail address is required, the registration is confirmed from it."""

    email = StringField("电子邮箱", [DataRequired("请填写电子邮箱，用于确认注册和找回密码。"),
                                     Email("电子邮箱格式不正确。"),
                                     Length(max=120, message="电子邮箱不超过120个字符。")], filters=[strip])


class NewPasswordFields(Form):
    password = PasswordField("新密码", [DataRequired("请设置新密码。")])
    password2 = PasswordField("确认新密码", [DataRequired("请再次输入新密码。")])
    username = ""  # the policy refuses a password containing the login name when the form knows it

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.username)
        if problem:
            raise ValidationError(problem)

    def validate_password2(self, field):
        if field.data != self.password.data:
            raise ValidationError("两次输入的密码不一致。")


class ForgotPasswordForm(Form):
    username = StringField("登录名", [DataRequired("请填写登录名。"), too_long(40)], filters=[strip])


class ResetPasswordForm(NewPasswordFields):
    pass


class EmailChangeForm(Form):
    email = StringField("新的电子邮箱", [DataRequired("请填写新的电子邮箱。"), Email("电子邮箱格式不正确。"),
                                         Length(max=120, message="电子邮箱不超过120个字符。")], filters=[strip])
    current = PasswordField("当前密码", [DataRequired("请填写当前密码以确认是本人操作。")])


class PhoneChangeForm(Form):
    phone = StringField("新的手机号", [DataRequired("请填写新的手机号。"),
                                       Regexp(r"^1[3-9][0-9]{9}$", message="请填写11位手机号码，以接收确认短信。")],
                        filters=[phone_number])
    current = PasswordField("当前密码", [DataRequired("请填写当前密码以确认是本人操作。")])


class ChangePasswordForm(NewPasswordFields):
    current = PasswordField("当前密码", [DataRequired("请填写当前密码。")])


def normal_username(value):
    return re.sub(r"\s", "", value or "").lower()


STAFF_ROLES = [SelectChoice(r.value, r.label) for r in (Role.OFFICER, Role.EXPERT, Role.AUDITOR, Role.ADMIN)]


class StaffAccountForm(AccountFields):
    role = SelectField("角色", choices=STAFF_ROLES, validators=[DataRequired("请选择角色。")], validate_choice=False)

    def validate_role(self, field):
        if field.data not in {c.value for c in STAFF_ROLES}:
            raise ValidationError("请选择列表中的角色。")


class TotpForm(Form):
    code = StringField("动态口令", [DataRequired("请输入6位动态口令。")], filters=[strip])
