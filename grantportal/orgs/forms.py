"""Forms for organizations: registration and profile, invitations, and the officers' records."""
import re

from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from grantportal.accounts.forms import PHONE_RULE, AccountFields
from grantportal.core.db import db
from grantportal.core.forms import (
    BatchForm,
    CheckboxesField,
    ChoiceField,
    CountField,
    DistrictField,
    Form,
    LocalDateField,
    code,
    phone_number,
    strip,
    too_long,
)
from grantportal.core.timeutil import local_today
from grantportal.core.uscc import UsccError, parse_uscc
from grantportal.orgs.models import Grade, InspectionResult, Organization, OrgKind, SanctionKind

SERVICE_FIELDS = ("养老服务", "助残服务", "青少年服务", "儿童服务", "社区治理", "社会救助", "医疗卫生",
                  "文化教育", "环境保护", "志愿服务", "其他")
DUPLICATE_CODE = "该统一社会信用代码已登记。如您是该机构的工作人员，请联系机构账户负责人邀请您加入。"
PLEASE_CHOOSE = SelectChoice("", "请选择")
CERTIFICATE_HINT = "上传登记证书扫描件，PDF、JPG 或 PNG 格式，不超过 10 MB。"


def code_taken(code, org=None):
    """Whether another organization already registered this code (the unique constraint backs this up)."""
    query = db.select(Organization.id).where(Organization.uscc == code)
    if org is not None:
        query = query.where(Organization.id != org.id)
    return db.session.scalar(query) is not None


ACCOUNT_NUMBER = re.compile(r"[0-9]{8,30}")


def _account_number(value):
    """An account number as printed on a bank card or 开户许可证: spaces and hyphens dropped."""
    return re.sub(r"[\s\-]", "", value) if isinstance(value, str) else value


def _date(label, required=True):
    rules = [InputRequired(f"请填写{label}。")] if required else [Optional()]
    return LocalDateField(label, rules)


def _not_future(form, field):
    if field.data and field.data > local_today():
        raise ValidationError("日期不能晚于今天。")


class OrgContactForm(Form):
    """What an organization may change at any time (after verification too)."""

    contact_name = StringField("联系人", [DataRequired("请填写联系人姓名。"),
                                        too_long(40)], filters=[strip])
    contact_phone = StringField("联系电话", [DataRequired("请填写联系电话。"), PHONE_RULE], filters=[phone_number])
    district = DistrictField("所在镇街", [DataRequired("请选择机构所在的镇街。")])
    address = StringField("办公地址", [DataRequired("请填写办公地址。"), too_long(200)],
                          filters=[strip])
    charter_scope = TextAreaField("章程业务范围", [DataRequired("请填写章程规定的业务范围。"),
                                              too_long(4000)], filters=[strip])
    service_fields = CheckboxesField("服务领域", choices=[SelectChoice(f, f) for f in SERVICE_FIELDS])
    bank_name = StringField("开户银行", [too_long(80)], filters=[strip])
    bank_account = StringField("银行账号", [too_long(40)], filters=[_account_number])
    bank_account_name = StringField("账户名称", [too_long(120)], filters=[strip])

    def validate_service_fields(self, field):
        if not field.data:
            raise ValidationError("请至少选择一个服务领域。")

    def validate_bank_name(self, field):
        given = [f for f in (self.bank_name, self.bank_account, self.bank_account_name) if f.data]
        if given and not field.data:
            raise ValidationError("请填写开户银行全称（含支行），例如 中国工商银行中山分行营业部。")

    def validate_bank_account(self, field):
        if field.data and not ACCOUNT_NUMBER.fullmatch(field.data):
            raise ValidationError("银行账号应为8至30位数字。")
        if not field.data and (self.bank_name.data or self.bank_account_name.data):
            raise ValidationError("请填写银行账号。")

    def validate_bank_account_name(self, field):
        if not field.data and (self.bank_name.data or self.bank_account.data):
            raise ValidationError("请填写账户名称（应与机构名称一致）。")


class OrgProfileForm(OrgContactForm):
    """The full profile: registration, and edits while the organization awaits verification."""

    uscc = StringField("统一社会信用代码", [DataRequired("请填写统一社会信用代码。")],
                       filters=[code])
    name = StringField("机构名称", [DataRequired("请填写机构名称。"), too_long(120)],
                       filters=[strip])
    registration_authority = StringField("登记管理机关", [DataRequired("请填写登记管理机关，例如 中山市民政局。"),
                                                      too_long(80)], filters=[strip])
    registered_on = LocalDateField("成立登记日期", [InputRequired("请填写成立登记日期。"), _not_future])
    legal_rep = StringField("法定代表人", [DataRequired("请填写法定代表人姓名。"),
                                      too_long(40)], filters=[strip])
    certificate = FileField("登记证书")

    def __init__(self, *args, org=None, certificate_required=True, **kw):
        super().__init__(*args, **kw)
        self.org = org
        self.certificate_required = certificate_required
        self.uscc_info = None

    def validate_uscc(self, field):
        try:
            self.uscc_info = parse_uscc(field.data)
        except UsccError as e:
            raise ValidationError(str(e)) from None
        if code_taken(self.uscc_info.code, self.org):
            raise ValidationError(DUPLICATE_CODE)

    def validate_certificate(self, field):
        if self.certificate_required and not getattr(field.data, "filename", None):
            raise ValidationError("请上传登记证书扫描件。")

    @property
    def kind(self):
        return OrgKind(self.uscc_info.kind) if self.uscc_info else None


class InvitationForm(Form):
    invitee_name = StringField("被邀请人姓名", [DataRequired("请填写被邀请人姓名。"),
                                          too_long(40)], filters=[strip])


class StandingDocumentForm(Form):
    """An organization's standing document (常用材料): its name (as calls name the document they ask for), its
    validity and the file; a new upload under the same name replaces the old one."""
    name = StringField("材料名称", [DataRequired("请填写材料名称，如“上年度财务审计报告”。"), too_long(80)],
                       filters=[strip], description="与征集“申报材料”中的名称一致时，申报时将自动使用本材料。")
    valid_until = LocalDateField("有效期至", [Optional()], description="没有有效期（如机构章程）的可不填。")
    file = FileField("选择文件")

    def validate_file(self, field):
        if not getattr(field.data, "filename", None):
            raise ValidationError("请选择要上传的文件（PDF 或图片）。")


class AcceptInvitationForm(AccountFields):
    pass


class BatchVerifyForm(BatchForm):
    """The officer verifies, in one step, the registrations ticked on the batch page."""
    items = CheckboxesField("认证通过的机构", [DataRequired("请至少选择一家机构。")])
    confirm = BooleanField("我已逐一核对以上机构的登记证书扫描件，与登记信息一致",
                           [DataRequired("请勾选确认后再提交。")])


class ReturnForm(Form):
    reason = TextAreaField("退回原因", [DataRequired("请填写退回原因，机构将看到这段说明。"),
                                    too_long(2000)], filters=[strip])


def _grade_choices():
    return [PLEASE_CHOOSE] + Grade.choices()


class RatingForm(Form):
    grade = ChoiceField("评估等级", [DataRequired("请选择评估等级。")], choices=_grade_choices())
    announced_on = _date("公告日期")
    valid_from = _date("有效期起", required=False)
    valid_until = _date("有效期止", required=False)
    validity_reason = TextAreaField("有效期调整理由（有效期与按公告日期计算的结果不同时必填）",
                                    [Optional(), too_long(500)], filters=[strip])
    note = StringField("备注（如公告文号）", [Optional(), too_long(200)], filters=[strip])

    def validate_valid_until(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError("有效期止不能早于有效期起。")


class LowerRatingForm(Form):
    grade = ChoiceField("降为等级", [DataRequired("请选择降低后的等级。")], choices=_grade_choices())
    on = _date("降级生效日期")
    reason = TextAreaField("降级原因", [DataRequired("请填写降级原因（如年检不合格、受到行政处罚）。"),
                                    too_long(2000)], filters=[strip])

    def __init__(self, *args, record=None, **kw):
        super().__init__(*args, **kw)
        self.record = record
        if record is not None:
            self.grade.choices = [PLEASE_CHOOSE] + [SelectChoice(g.value, g.label) for g in Grade
                                                     if g.rank < record.grade.rank]

    def validate_on(self, field):
        r = self.record
        if r is not None and field.data and not (r.valid_from < field.data <= r.valid_until):
            raise ValidationError("降级日期须在原等级有效期内（晚于有效期起始日，且不晚于有效期截止日）。")


class RevokeRatingForm(Form):
    on = _date("撤销生效日期")
    reason = TextAreaField("撤销原因", [DataRequired("请填写撤销原因。"), too_long(2000)],
                           filters=[strip])

    def __init__(self, *args, record=None, **kw):
        super().__init__(*args, **kw)
        self.record = record

    def validate_on(self, field):
        r = self.record
        if r is not None and field.data and field.data > r.valid_until:
            raise ValidationError("撤销日期不能晚于原等级有效期截止日。")


class InspectionForm(Form):
    year = CountField("年检年度", [InputRequired("请填写年检年度。"),
                                 NumberRange(1990, 2100, message="请填写四位年份，例如 2025。")],
                      message="请填写四位数字年份，例如 2025。")
    result = ChoiceField("年检结论", [DataRequired("请选择年检结论。")],
                         choices=[PLEASE_CHOOSE] + InspectionResult.choices())
    note = StringField("备注", [Optional(), too_long(200)], filters=[strip])

    def __init__(self, *args, org=None, **kw):
        super().__init__(*args, **kw)
        self.org = org

    def validate_year(self, field):
        if self.org is not None and field.data and any(i.year == field.data for i in self.org.inspections):
            raise ValidationError(f"{field.data}年度的年检结论已录入，每个年度只能录入一次。")


class SanctionForm(Form):
    kind = ChoiceField("类别", [DataRequired("请选择类别。")], choices=[PLEASE_CHOOSE] + SanctionKind.choices())
    decided_on = _date("决定（列入）日期")
    reason = TextAreaField("事由", [DataRequired("请填写事由及决定文号。"), too_long(2000)],
                           filters=[strip])


class LiftSanctionForm(Form):
    lifted_on = _date("解除（移出）日期")

    def __init__(self, *args, sanction=None, **kw):
        super().__init__(*args, **kw)
        self.sanction = sanction

    def validate_lifted_on(self, field):
        if self.sanction is not None and field.data and field.data < self.sanction.decided_on:
            raise ValidationError("解除日期不能早于决定日期。")

