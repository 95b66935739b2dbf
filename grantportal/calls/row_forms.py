"""The repeating rows of the call form: a level's budget and grant limits, a stage's dates, a document to
submit, a criterion of the rubric. A row left blank is skipped; each row checks only itself, the call
form checks the rows together."""
from decimal import Decimal

from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import Optional

from grantportal.calls.models import Level
from grantportal.core.forms import (
    LocalDateTimeField,
    MoneyField,
    NumberField,
    RowForm,
    RubricRowForm,
    choice,
    strip,
    too_long,
)


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


class CriterionForm(RubricRowForm):
    max_points = NumberField("满分", minimum=1, maximum=100, optional=True)
    guidance = StringField("评分要点", [too_long(400)], filters=[strip])
