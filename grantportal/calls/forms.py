"""The call form: the call's own fields plus repeating rows for levels, stages, documents and the
rubric. Every message is Chinese, shown next to its field; everything typed is kept on error."""
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from grantportal.calls.models import OPTIONAL_STAGES, Call, CallKind, CallStatus, Level, StageKind
from grantportal.core.db import db
from grantportal.core.forms import (
    Form,
    LocalDateField,
    LocalDateTimeField,
    MoneyField,
    NumberField,
    RowForm,
    choice,
    strip,
    too_long,
)
from grantportal.core.inputs import as_id
from grantportal.core.timeutil import local_today, to_local
from grantportal.orgs.models import Grade

STAGE_KINDS = list(StageKind)
DEFAULT_RUBRIC = [("需求分析", 15), ("项目设计", 25), ("创新性", 15), ("可行性", 15), ("团队能力", 10),
                  ("预算合理性", 10), ("可持续性", 10)]
RUBRIC_TOTAL = 100
MAX_DOCUMENTS = 30
MAX_CRITERIA = 20
MAX_CATEGORIES = 30
BLANK_ROWS = 2  # blank rows offered below the filled ones
GROWABLE = {"documents": MAX_DOCUMENTS, "criteria": MAX_CRITERIA}


def _digits(value):
    return as_id(str(value)) if value else None


class LevelForm(RowForm):
    id = HiddenField()
    level = choice("资助层级", [("", "— 请选择 —"), *Level.choices()])
    budget_total = MoneyField("该层级总预算（元）", optional=True)
    min_grant = MoneyField("单个项目资助下限（元）", optional=True)
    max_grant = MoneyField("单个项目资助上限（元）", optional=True)
    min_match_percent = NumberField("自筹配套比例不低于（%）", places=2, minimum=0, maximum=Decimal("99.99"),
                                    optional=True, example="40", what="百分比", out_of_range="自筹配套比例应小于100%。")

    def is_blank(self):
        return not any((f.data or "").strip() for f in
                       (self.budget_total, self.min_grant, self.max_grant, self.min_match_percent))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.is_blank():
            return ok
        if not self.level.data:
            self.level.errors.append("请选择资助层级。")
        for f in (self.budget_total, self.min_grant, self.max_grant):
            if not (f.data or "").strip() and not f.errors:
                f.errors.append("请填写金额。")
        total, low, high = self.budget_total.amount, self.min_grant.amount, self.max_grant.amount
        if total is not None and total <= 0:
            self.budget_total.errors.append("总预算应大于0。")
        if high is not None and high <= 0:
            self.max_grant.errors.append("资助上限应大于0。")
        if low is not None and high is not None and low > high:
            self.max_grant.errors.append("单个项目资助上限不能低于下限。")
        if high is not None and total is not None and high > total:
            self.max_grant.errors.append("单个项目资助上限不能超过该层级总预算。")
        return not any(f.errors for f in self)


class StageForm(RowForm):
    enabled = BooleanField("本届设置此阶段")
    opens_at = LocalDateTimeField("开始时间", [Optional()])
    closes_at = LocalDateTimeField("结束时间", [Optional()])


class DocumentForm(RowForm):
    id = HiddenField()
    name = StringField("材料名称", [too_long(80)], filters=[strip])
    description = StringField("说明", [too_long(200)], filters=[strip])
    required = choice("是否必须提交", [("1", "必须提交"), ("0", "可选")], default="1")

    def is_blank(self):
        return not self.name.data and not self.description.data


class CriterionForm(RowForm):
    id = HiddenField()
    name = StringField("评分项", [too_long(40)], filters=[strip])
    max_points = NumberField("满分", minimum=1, maximum=100, optional=True)
    guidance = StringField("评分要点", [too_long(400)], filters=[strip])

    def is_blank(self):
        return not self.name.data and not (self.max_points.data or "").strip() and not self.guidance.data


# What a valid form hands to the operations: plain values, no form objects.
@dataclass
class LevelRow:
    id: int | None
    level: Level
    budget_total: Decimal
    min_grant: Decimal
    max_grant: Decimal
    min_match_percent: Decimal


@dataclass
class StageRow:
    kind: StageKind
    enabled: bool
    opens_at: object
    closes_at: object


@dataclass
class DocumentRow:
    id: int | None
    name: str
    description: str
    required: bool


@dataclass
class CriterionRow:
    id: int | None
    name: str
    max_points: int
    guidance: str


@dataclass
class CallSettings:
    fields: dict
    stages: list
    documents: list
    levels: list | None = None  # None: locked, leave as they are
    criteria: list | None = None
    extra: dict = field(default_factory=dict)


class CallForm(Form):
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
    levels = FieldList(FormField(LevelForm), min_entries=len(Level), max_entries=len(Level))
    stages = FieldList(FormField(StageForm), min_entries=len(STAGE_KINDS), max_entries=len(STAGE_KINDS))
    documents = FieldList(FormField(DocumentForm), min_entries=1, max_entries=MAX_DOCUMENTS)
    criteria = FieldList(FormField(CriterionForm), min_entries=1, max_entries=MAX_CRITERIA)

    def __init__(self, *args, call=None, locked=False, documents_in_use=(), **kw):
        super().__init__(*args, **kw)
        self.call = call
        self.locked = locked
        self.documents_in_use = set(documents_in_use)
        self.section_errors = {}
        if locked:  # levels' limits, the rubric and the numbering stay as they are
            for name in ("levels", "criteria", "code"):
                delattr(self, name)

    # -- helpers -----------------------------------------------------------------------------
    def _section_error(self, section, message):
        self.section_errors.setdefault(section, []).append(message)
        self.form_errors.append(message)

    def category_list(self):
        seen = []
        for line in (self.service_categories.data or "").splitlines():
            line = line.strip()
            if line and line not in seen:
                seen.append(line)
        return seen

    def grow(self, section):
        """'增加一行': one more blank row, if the section allows it. Returns False at the limit."""
        rows = getattr(self, section, None)
        if section not in GROWABLE or rows is None or len(rows) >= GROWABLE[section]:
            return False
        rows.append_entry()
        return True

    def pad(self):
        """A few blank rows below the filled ones."""
        for section, limit in GROWABLE.items():
            rows = getattr(self, section, None)
            if rows is None:
                continue
            blanks = sum(1 for r in rows if r.form.is_blank())
            while blanks < BLANK_ROWS and len(rows) < limit:
                rows.append_entry()
                blanks += 1

    # -- validation --------------------------------------------------------------------------
    def validate_code(self, field):
        year = self.year.data if (self.year.data or "").isascii() and (self.year.data or "").isdigit() else None
        if not year:
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
        if "criteria" in self._fields:
            self._check_criteria()
        if self.reference_date.data is None and not self.reference_date.errors \
                and self.stages[0].form.closes_at.data is None:
            self.reference_date.errors.append("请填写基准日，或填写申报截止时间（默认以截止日期为基准日）。")
        return ok and not self._collect_errors()

    def _collect_errors(self):
        """Errors added after the field-by-field pass, rows included (FieldList caches its own)."""
        found = bool(self.form_errors)
        for f in self:
            if isinstance(f, FieldList):
                f.errors = [entry.errors for entry in f.entries]
                if not any(f.errors):
                    f.errors = []
            found = found or bool(f.errors)
        return found

    def _check_levels(self):
        seen = set()
        filled = [row.form for row in self.levels if not row.form.is_blank()]
        if not filled:
            self._section_error("levels", "至少设置一个资助层级，并填写其总预算和单个项目资助上下限。")
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
                    f"不能早于上一阶段“{previous[0].label}”的结束时间（{previous[1]:%Y-%m-%d %H:%M}）。")
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

    def _check_criteria(self):
        seen = set()
        total = 0
        filled = [row.form for row in self.criteria if not row.form.is_blank()]
        for f in filled:
            if not f.name.data:
                f.name.errors.append("请填写评分项名称。")
            elif f.name.data in seen:
                f.name.errors.append("评分项名称重复。")
            seen.add(f.name.data)
            if not (f.max_points.data or "").strip() and not f.max_points.errors:
                f.max_points.errors.append("请填写该项满分。")
            total += f.max_points.number or 0
        if not filled:
            self._section_error("criteria", "请设置评分标准。")
        elif total != RUBRIC_TOTAL and not any(f.max_points.errors for f in filled):
            self._section_error("criteria", f"各项满分合计应为{RUBRIC_TOTAL}分，目前为{total}分。")

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
        }
        if "code" in self._fields:
            fields["code"] = self.code.data.upper()
        documents = [DocumentRow(_digits(r.form.id.data), r.form.name.data, r.form.description.data or "",
                                 r.form.required.data == "1")
                     for r in self.documents if not r.form.is_blank()]
        result = CallSettings(fields=fields, stages=stages, documents=documents)
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


def new_call_data(today=None):
    """What a new call's form starts with: the defaults from DESIGN.md."""
    today = today or local_today()
    return {
        "year": today.year,
        "kind": CallKind.VENTURE.value,
        "min_years_registered": 1,
        "max_applications_per_org": 1,
        "require_inspection": True,
        "require_no_sanctions": True,
        "levels": [{"level": lv.value} for lv in Level],
        "stages": [{"enabled": kind not in OPTIONAL_STAGES} for kind in STAGE_KINDS],
        "documents": [{"name": "项目申报书", "required": "1"}],
        "criteria": [{"name": n, "max_points": p} for n, p in DEFAULT_RUBRIC],
    }


def call_data(call):
    """A stored call as form data (for editing)."""
    by_kind = {s.kind: s for s in call.stages}
    stages = []
    for kind in STAGE_KINDS:
        s = by_kind.get(kind)
        stages.append({"enabled": s.enabled if s else kind not in OPTIONAL_STAGES,
                       "opens_at": s.opens_at if s else None, "closes_at": s.closes_at if s else None})
    levels = [{"id": lv.id, "level": lv.level.value, "budget_total": lv.budget_total, "min_grant": lv.min_grant,
               "max_grant": lv.max_grant, "min_match_percent": lv.min_match_percent} for lv in call.levels]
    used = {lv.level for lv in call.levels}
    levels += [{"level": lv.value} for lv in Level if lv not in used]
    return {
        "name": call.name, "edition": call.edition, "year": call.year, "code": call.code,
        "kind": call.kind.value, "summary": call.summary, "service_categories": call.service_categories,
        "reference_date": call.reference_date,
        "min_grade": call.min_grade.value if call.min_grade else "",
        "min_years_registered": call.min_years_registered,
        "require_inspection": call.require_inspection, "require_no_sanctions": call.require_no_sanctions,
        "max_applications_per_org": call.max_applications_per_org,
        "levels": levels,
        "stages": stages,
        "documents": [{"id": d.id, "name": d.name, "description": d.description,
                       "required": "1" if d.required else "0"} for d in call.documents],
        "criteria": [{"id": c.id, "name": c.name, "max_points": c.max_points, "guidance": c.guidance}
                     for c in call.criteria],
    }


class CloseForm(Form):
    confirm = BooleanField("我已确认结束此征集：结束后不能再申报，也不能再修改征集设置。",
                           [DataRequired("请勾选确认后再结束征集。")])
