"""Forms for the expert pool: new experts, profiles, affiliations, conflicts and officers' reasons."""

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from grantportal.accounts.forms import AccountFields
from grantportal.applications.models import Application
from grantportal.core.db import db
from grantportal.core.forms import (
    CheckboxesField,
    ChoiceField,
    CountField,
    Form,
    LocalDateField,
    RadioChoiceField,
    code,
    strip,
    too_long,
)
from grantportal.core.inputs import as_id
from grantportal.core.timeutil import local_today
from grantportal.core.uscc import UsccError, validate_code
from grantportal.core.wording import quoted
from grantportal.experts.conflicts import active_conflict_exists
from grantportal.experts.operations import AFFILIATION_FIELDS
from grantportal.orgs.forms import PLEASE_CHOOSE, SERVICE_FIELDS
from grantportal.orgs.models import Organization, OrgStatus
from grantportal.orgs.queries import search_condition

AFFILIATION_ROLES = ("员工", "理事", "监事", "顾问", "法定代表人", "其他")
TARGET_ORG, TARGET_APPLICATION = "org", "application"
CANDIDATES_SHOWN = 10


def parse_any_uscc(raw):
    """Any 统一社会信用代码, every part checked (a university, a company, a 社会组织 …).

    ``core.uscc.parse_uscc`` accepts only codes registered with 民政 (department 5); an expert's employer
    may be registered anywhere, so ``core.uscc.validate_code`` checks it without that condition."""
    return validate_code(raw)


class ProfileFields(Form):
    def profile_data(self, *extra):
        return {k: getattr(self, k).data for k in ("title", "employer", "fields", "bio", *extra)}

    title = StringField("职称", [DataRequired("请填写职称，例如 副教授、高级社会工作师。"),
                               too_long(40)], filters=[strip])
    employer = StringField("工作单位", [DataRequired("请填写工作单位。"),
                                    too_long(120)], filters=[strip])
    fields = CheckboxesField("专业领域", choices=[SelectChoice(f, f) for f in SERVICE_FIELDS])
    bio = TextAreaField("个人简介", [Optional(), too_long(2000)], filters=[strip])

    def validate_fields(self, field):
        if not field.data:
            raise ValidationError("请至少选择一个专业领域。")


AVAILABILITY = [SelectChoice("1", "是，接受新的评审任务"), SelectChoice("0", "否，暂不接受新的评审任务")]


class ExpertProfileForm(ProfileFields):
    """What the expert keeps: the profile and whether they take new assignments."""

    available = RadioChoiceField("是否接受新的评审任务", choices=AVAILABILITY)


class OfficerProfileForm(ProfileFields):
    """What the officer keeps: the profile and the most open assignments at once."""

    load_limit = CountField("同时承担评审任务上限", [InputRequired("请填写评审任务上限。"),
                                            NumberRange(1, 500, message="上限应在1至500之间。")], default=20)


# accounts.forms validates e-mail with wtforms' Email(), which needs the email_validator package (not
# installed): a plain pattern here so that an expert's address can be typed
EMAIL_RULE = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="电子邮箱格式不正确。")


class NewExpertForm(AccountFields, OfficerProfileForm):
    """An expert's account (with the initial password typed by the officer) and profile."""

    email = StringField("电子邮箱", [Optional(), EMAIL_RULE, too_long(120)],
                        filters=[strip])


class AffiliationForm(Form):
    def to_data(self):
        return {k: getattr(self, k).data for k in AFFILIATION_FIELDS}

    org_name = StringField("单位或机构名称", [DataRequired("请填写单位或机构名称。"),
                                       too_long(120)], filters=[strip])
    org_uscc = StringField("统一社会信用代码（选填）", [Optional()], filters=[code])
    role = ChoiceField("任职身份", [DataRequired("请选择任职身份。")],
                       choices=[PLEASE_CHOOSE] + [SelectChoice(r, r) for r in AFFILIATION_ROLES])
    started_on = LocalDateField("起始日期", [InputRequired("请填写起始日期。")])
    ended_on = LocalDateField("结束日期（仍在任请留空）", [Optional()])

    def validate_org_uscc(self, field):
        if field.data:
            try:
                field.data = parse_any_uscc(field.data)
            except UsccError as e:
                raise ValidationError(str(e)) from None

    def validate_started_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("起始日期不能晚于今天。")

    def validate_ended_on(self, field):
        if field.data and self.started_on.data and field.data < self.started_on.data:
            raise ValidationError("结束日期不能早于起始日期。")
        if field.data and field.data > local_today():
            raise ValidationError("结束日期不能晚于今天；仍在任请留空。")


TARGETS = [SelectChoice(TARGET_ORG, "社会组织（对其全部申报回避）"), SelectChoice(TARGET_APPLICATION, "某一申报项目")]


class ConflictForm(Form):
    def target_object(self):
        """{"org": …} or {"application": …}: what the conflict is against (found by ``validate``)."""
        return {"org": self.org} if self.target.data == TARGET_ORG else {"application": self.application}

    """A conflict against an organization (found by name or code) or one application (by its number).

    When several organizations match, ``candidates`` lists them and the person picks one (``org_pick``)."""

    target = RadioChoiceField("回避对象", choices=TARGETS, default=TARGET_ORG)
    org_query = StringField("机构名称或统一社会信用代码", [Optional(), too_long(120)],
                            filters=[strip])
    org_pick = StringField("选择机构")  # rendered by hand: one radio button per candidate
    number = StringField("申报编号", [Optional(), Length(max=32, message="申报编号不超过32位。")],
                         filters=[code])
    reason = TextAreaField("回避事由", [DataRequired("请写明回避事由，例如 曾任该机构理事、与其负责人有亲属关系。"),
                                    too_long(2000)], filters=[strip])

    def __init__(self, *args, profile=None, verified_only=True, **kw):
        super().__init__(*args, **kw)
        self.profile = profile
        self.verified_only = verified_only
        self.candidates = []
        self.org = None
        self.application = None

    def _orgs(self):
        query = db.select(Organization)
        if self.verified_only:
            query = query.where(Organization.status == OrgStatus.VERIFIED)
        return query

    def validate_org_query(self, field):
        if self.target.data != TARGET_ORG:
            return
        pick = (self.org_pick.data or "").strip()
        if as_id(pick):
            self.org = db.session.scalar(self._orgs().where(Organization.id == as_id(pick)))
            if self.org is not None:
                return
        if not field.data:
            raise ValidationError("请填写机构名称或统一社会信用代码。")
        found = db.session.scalars(self._orgs().where(search_condition(field.data))
                                   .order_by(Organization.name, Organization.id).limit(CANDIDATES_SHOWN + 1)).all()
        if not found:
            raise ValidationError(f"未找到与{quoted(field.data)}匹配的" + ("已认证" if self.verified_only else "")
                                  + "社会组织，请核对名称或统一社会信用代码。")
        if len(found) == 1:
            self.org = found[0]
            return
        self.candidates = found[:CANDIDATES_SHOWN]
        more = "（仅列出前10个，可输入更完整的名称或代码）" if len(found) > CANDIDATES_SHOWN else ""
        raise ValidationError(f"找到多个匹配的机构{more}，请在下方选择一个后重新提交。")

    def validate_number(self, field):
        if self.target.data != TARGET_APPLICATION:
            return
        if not field.data:
            raise ValidationError("请填写申报编号，例如 BA100-2026-0001。")
        self.application = db.session.scalar(db.select(Application).where(Application.number == field.data))
        if self.application is None:
            raise ValidationError(f"未找到申报编号为{quoted(field.data)}的申报，请核对。")

    def validate_reason(self, field):
        target = dict(org=self.org, application=self.application)
        if self.profile is None or (self.org is None and self.application is None):
            return
        if self.target.data == TARGET_ORG:
            target["application"] = None
        else:
            target["org"] = None
        if active_conflict_exists(self.profile, **target):
            raise ValidationError("已存在针对该对象的回避记录，无需重复登记。")


class ReasonForm(Form):
    """A reason an officer gives for an action (deactivation, withdrawing a conflict)."""

    reason = TextAreaField("原因", [DataRequired("请填写原因，该原因将记入审计日志。"),
                                  too_long(2000)], filters=[strip])


class SetActiveForm(ReasonForm):
    active = HiddenField()

    def validate_active(self, field):
        if field.data not in ("0", "1"):
            raise ValidationError("请求有误，请返回专家详情页重试。")
