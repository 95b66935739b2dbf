"""The call form: the call's own fields plus repeating rows (``row_forms``) for levels, stages, documents
and the rubric; a valid form gives the typed ``settings.CallSettings``. Every message is Chinese, shown next
to its field; everything typed is kept on error."""
from decimal import Decimal

import sqlalchemy as sa
from wtforms import BooleanField, FieldList, FormField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from grantportal.calls import catalogue_link
from grantportal.calls.method_forms import PurchaseFields
from grantportal.calls.models import OPTIONAL_STAGES, Call, CallKind, CallStatus, Level, StageKind
from grantportal.calls.row_forms import CriterionForm, DocumentForm, LevelForm, StageForm
from grantportal.calls.settings import CallSettings, CriterionRow, DocumentRow, LevelRow, StageRow
from grantportal.core.db import db
from grantportal.core.forms import (
    CheckboxesField,
    Form,
    LocalDateField,
    MoneyField,
    NumberField,
    RowsForm,
    check_rubric,
    choice,
    strip,
    too_long,
)
from grantportal.core.inputs import as_id
from grantportal.core.timeutil import to_local
from grantportal.core.wording import quoted
from grantportal.orgs.models import Grade

STAGE_KINDS = list(StageKind)
RUBRIC_TOTAL = 100
MAX_DOCUMENTS = 30
MAX_CRITERIA = 20
MAX_CATEGORIES = 30


def _digits(value):
    return as_id(str(value)) if value else None


class CallForm(PurchaseFields, RowsForm):
    name = StringField("征集名称", [DataRequired("请填写征集名称。"), too_long(120)], filters=[strip])
    edition = StringField("届次", [Optional(), too_long(40)], filters=[strip])
    year = NumberField("年度", minimum=2000, maximum=2100, example="2026")
    code = StringField("编号前缀", [DataRequired("请填写编号前缀。"), Regexp(
        r"^[A-Za-z][A-Za-z0-9]{1,11}$", message="编号前缀为2–12位半角字母或数字，以字母开头，例如 BA100。")],
        filters=[strip])
    kind = choice("征集类型", CallKind.choices(), default=CallKind.VENTURE.value)
    summary = TextAreaField("征集公告摘要", [too_long(5000)], filters=[strip])
    service_categories = TextAreaField("服务领域", filters=[strip])
    reference_date = LocalDateField("资格认定基准日", [Optional()])
    min_grade = choice("最低评估等级", [("", "不限等级"), *[(g.value, f"{g.label}及以上") for g in Grade]])
    min_years_registered = NumberField("登记成立满（年）", minimum=0, maximum=50)
    require_inspection = BooleanField("须通过最近一次年度检查", default=True)
    require_no_sanctions = BooleanField("须无处罚、异常名录和失信记录", default=True)
    max_applications_per_org = NumberField("每个机构最多申报（个）", minimum=1, maximum=50)
    # grassroots teams (teams/): whether they may apply through a supporting organization, and their cap
    teams_allowed = BooleanField("允许草根团队通过支持机构申报", default=False)
    team_cap = MoneyField("草根团队申请资助上限（元）", optional=True)
    rectification_days = NumberField("整改期限（工作日）", minimum=1, maximum=90, optional=True, example="15")
    rectification_overdue_terminates = BooleanField("整改逾期的，终止合同并追回已拨付资金", default=False)
    integrity_pledge = TextAreaField("诚信承诺书", [too_long(3000)], filters=[strip])
    levels = FieldList(FormField(LevelForm), min_entries=len(Level), max_entries=len(Level))
    stages = FieldList(FormField(StageForm), min_entries=len(STAGE_KINDS), max_entries=len(STAGE_KINDS))
    documents = FieldList(FormField(DocumentForm), min_entries=1, max_entries=MAX_DOCUMENTS)
    criteria = FieldList(FormField(CriterionForm), min_entries=1, max_entries=MAX_CRITERIA)
    # the year's service catalogue items the call buys under (calls.catalogue_link)
    catalogue_items = CheckboxesField("购买服务目录事项")

    growable = {"documents": MAX_DOCUMENTS, "criteria": MAX_CRITERIA}
    growable = {**growable, "funding_sources": PurchaseFields.max_sources}  # method_forms
    blank_rows = 2  # blank rows offered below the filled ones

    def __init__(self, *args, call=None, locked=False, documents_in_use=(), **kw):
        super().__init__(*args, **kw)
        self.call = call
        self.locked = locked
        self.documents_in_use = set(documents_in_use)
        self._offer_catalogue_items()
        if locked:  # levels' limits, the rubric and the numbering stay as they are
            for name in ("levels", "criteria", "code"):
                delattr(self, name)

    # -- helpers -----------------------------------------------------------------------------
    def category_list(self):
        seen = []
        for line in (self.service_categories.data or "").splitlines():
            line = line.strip()
            if line and line not in seen:
                seen.append(line)
        return seen

    def _offer_catalogue_items(self):
        typed = self.year.data or ""
        year = int(typed) if str(typed).isascii() and str(typed).isdigit() and len(str(typed)) == 4 else None
        self.catalogue_items.choices = catalogue_link.choices_for(year, self.chosen_catalogue_items())

    def chosen_catalogue_items(self):
        return sorted({i for i in (as_id(str(v)) for v in self.catalogue_items.data or []) if i is not None})

    # -- validation --------------------------------------------------------------------------
    def validate_code(self, field):
        typed = self.year.data or ""
        year = typed if typed.isascii() and typed.isdigit() and len(typed) == 4 else None
        if not year:  # the year's own check says what is wrong with it
            return
        query = sa.select(Call.id).where(sa.func.upper(Call.code) == field.data.upper(), Call.year == int(year))
        if self.call is not None:
            query = query.where(Call.id != self.call.id)
        if db.session.scalar(query.limit(1)):
            raise ValidationError("同一年度已有征集使用此编号前缀，请换一个。")

    def validate_service_categories(self, field):
        categories = self.category_list()
        if len(categories) > MAX_CATEGORIES:
            raise ValidationError(f"服务领域最多{MAX_CATEGORIES}项。")
        long = [c for c in categories if len(c) > 40]
        if long:
            raise ValidationError(f"每个服务领域不能超过40个字：“{long[0][:20]}…”。")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if "levels" in self._fields:
            self._check_levels()
        self._check_stages()
        self._check_documents()
        self._check_catalogue_items()
        if "criteria" in self._fields:
            self._check_criteria()
        self.check_purchase()  # purchase method and funding sources (method_forms)
        self._check_team_cap()
        if self.reference_date.data is None and not self.reference_date.errors \
                and self.stages[0].form.closes_at.data is None:
            self.reference_date.errors.append("请填写基准日，或填写申报截止时间（默认以截止日期为基准日）。")
        return ok and not self.collect_errors()

    def _check_levels(self):
        seen = set()
        filled = [row.form for row in self.levels if not row.form.is_blank()]
        if not filled:
            self.section_error("levels", "至少设置一个资助层级，并填写其总预算和单个项目资助上下限。")
        for row in filled:
            if row.level.data and row.level.data in seen:
                row.level.errors.append("该层级已填写过，每个层级只填一行。")
            seen.add(row.level.data)

    def _check_stages(self):
        previous = None
        for kind, row in zip(STAGE_KINDS, self.stages):
            f = row.form
            enabled = f.enabled.data or kind not in OPTIONAL_STAGES
            opens, closes = f.opens_at.data, f.closes_at.data
            if f.opens_at.errors or f.closes_at.errors:
                continue
            if kind == StageKind.APPLY and self.call is not None and self.call.status != CallStatus.DRAFT:
                for fld, value in ((f.opens_at, opens), (f.closes_at, closes)):
                    if value is None:
                        fld.errors.append("征集已发布，申报开始和截止时间不能为空。")
            if not enabled:
                continue
            if (opens is None) != (closes is None):
                missing = f.opens_at if opens is None else f.closes_at
                if not missing.errors:
                    missing.errors.append("请同时填写开始和结束时间（时间未定可都不填）。")
                continue
            if opens is None:
                continue
            if closes <= opens:
                f.closes_at.errors.append("结束时间应晚于开始时间。")
            if previous is not None and opens < previous[1]:
                f.opens_at.errors.append(
                    f"不能早于上一阶段{quoted(previous[0].label)}的结束时间（{previous[1]:%Y-%m-%d %H:%M}）。")
            previous = (kind, closes)

    def _check_documents(self):
        seen = set()
        for row in self.documents:
            f = row.form
            if f.is_blank():
                if _digits(f.id.data) in self.documents_in_use:
                    f.name.errors.append("已有申报单位按此项上传了材料，不能删除；可修改名称或改为可选。")
                continue
            if not f.name.data:
                f.name.errors.append("请填写材料名称。")
            elif f.name.data in seen:
                f.name.errors.append("材料名称重复。")
            seen.add(f.name.data)

    def _check_team_cap(self):
        if self.team_cap.errors or self.team_cap.amount is None:
            return
        if self.team_cap.amount <= 0:
            self.team_cap.errors.append("草根团队申请上限须大于0；不设上限请留空。")
        elif not self.teams_allowed.data:
            self.team_cap.errors.append("设置草根团队申请上限前，请先勾选“允许草根团队通过支持机构申报”。")

    def _check_catalogue_items(self):
        if self.catalogue_items.errors or self.year.errors or self.kind.errors:
            return
        problem = catalogue_link.link_problem(CallKind(self.kind.data), self.year.number,
                                              self.chosen_catalogue_items())
        if problem:
            self.catalogue_items.errors.append(problem)

    def _check_criteria(self):
        filled = check_rubric(self.criteria)
        total = sum(f.max_points.number or 0 for f in filled)
        if not filled:
            self.section_error("criteria", "请设置评分标准。")
        elif total != RUBRIC_TOTAL and not any(f.max_points.errors for f in filled):
            self.section_error("criteria", f"各项满分合计应为{RUBRIC_TOTAL}分，目前为{total}分。")

    # -- output ------------------------------------------------------------------------------
    def settings(self):
        """The typed values, for the operations (call only after ``validate``)."""
        stages = []
        for kind, row in zip(STAGE_KINDS, self.stages):
            f = row.form
            stages.append(StageRow(kind, bool(f.enabled.data) or kind not in OPTIONAL_STAGES,
                                   f.opens_at.utc, f.closes_at.utc))
        reference = self.reference_date.data
        if reference is None:
            reference = to_local(stages[0].closes_at).date()
        fields = {
            "name": self.name.data,
            "edition": self.edition.data or None,
            "year": self.year.number,
            "kind": CallKind(self.kind.data),
            "summary": self.summary.data or "",
            "service_categories": "\n".join(self.category_list()),
            "reference_date": reference,
            "min_grade": Grade(self.min_grade.data) if self.min_grade.data else None,
            "min_years_registered": self.min_years_registered.number,
            "require_inspection": bool(self.require_inspection.data),
            "require_no_sanctions": bool(self.require_no_sanctions.data),
            "max_applications_per_org": self.max_applications_per_org.number,
            "teams_allowed": bool(self.teams_allowed.data),
            "team_cap": self.team_cap.amount if self.teams_allowed.data else None,
        }
        fields["rectification_overdue_terminates"] = bool(self.rectification_overdue_terminates.data)
        if self.rectification_days.number is not None:  # blank: kept (15 for a new call)
            fields["rectification_days"] = self.rectification_days.number
        fields["integrity_pledge"] = self.integrity_pledge.data or None  # blank: the default (calls/integrity.py)
        if "code" in self._fields:
            fields["code"] = self.code.data.upper()
        documents = [DocumentRow(_digits(r.form.id.data), r.form.name.data, r.form.description.data or "",
                                 r.form.required.data == "1")
                     for r in self.documents if not r.form.is_blank()]
        result = CallSettings(fields=fields, stages=stages, documents=documents)
        purchase, sources = self.purchase_settings()  # purchase method and funding sources (method_forms)
        result.fields.update(purchase)
        result.extra["funding_sources"] = sources
        result.extra["catalogue_items"] = self.chosen_catalogue_items()
        if "levels" in self._fields:
            result.levels = [
                LevelRow(_digits(f.id.data), Level(f.level.data), f.budget_total.amount, f.min_grant.amount,
                         f.max_grant.amount, (f.min_match_percent.number or Decimal(0)).quantize(Decimal("0.01")))
                for f in (r.form for r in self.levels) if not f.is_blank()]
        if "criteria" in self._fields:
            result.criteria = [
                CriterionRow(_digits(f.id.data), f.name.data, f.max_points.number, f.guidance.data or "")
                for f in (r.form for r in self.criteria) if not f.is_blank()]
        return result


class CloseForm(Form):
    confirm = BooleanField("我已确认结束此征集：结束后不能再申报，也不能再修改征集设置。",
                           [DataRequired("请勾选确认后再结束征集。")])
