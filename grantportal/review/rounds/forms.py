"""Forms for review rounds (settings, rubric, closing). Every message is Chinese, next to its field; what
was typed is kept."""
import re
from dataclasses import dataclass
from decimal import Decimal

from wtforms import BooleanField, FieldList, FormField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from grantportal.core.forms import (
    Form,
    LocalDateTimeField,
    NumberField,
    RowsForm,
    RubricRowForm,
    check_rubric,
    choice,
    strip,
    too_long,
)
from grantportal.core.inputs import as_id
from grantportal.review.models import Aggregation, EntryRule, PanelMode, RoundKind
from grantportal.review.rounds.operations import default_rubric

MAX_CRITERIA = 20
LOCKED_WHEN_REVIEWED = ("kind", "panel_size", "panel_mode", "expert_fields", "load_limit", "blind", "aggregation",
                        "trim_min_scores", "half_points", "comment_below_percent", "overall_comment_required",
                        "spread_threshold", "entry_rule", "entry_value", "source_round_id", "weight_percent",
                        "criteria")
FIELD_SEPARATORS = r"[,，、;；\s]+"


class CriterionForm(RubricRowForm):
    max_points = NumberField("满分", places=1, minimum=Decimal("0.5"), maximum=Decimal("1000"), optional=True,
                             example="15")
    guidance = TextAreaField("各档评分要点", [too_long(2000)], filters=[strip])


@dataclass
class RoundSettings:
    fields: dict
    criteria: list | None  # [(id or None, name, max points, guidance)]; None: locked


class RoundForm(RowsForm):
    name = StringField("轮次名称", [DataRequired("请填写轮次名称，如“初评”。"), too_long(60)], filters=[strip])
    kind = choice("评审类型", [c for c in RoundKind.choices() if c.value != RoundKind.VOTE.value])  # votes: votes/
    opens_at = LocalDateTimeField("评审开始时间", [Optional()])
    closes_at = LocalDateTimeField("评审截止时间", [Optional()])
    panel_size = NumberField("每组专家人数", minimum=3, maximum=15)
    panel_mode = choice("评审组方式", PanelMode.choices())
    expert_fields = StringField("限定专家专业领域", [too_long(200)], filters=[strip])
    load_limit = NumberField("每位专家本轮最多评审（份）", minimum=1, maximum=1000)
    blind = BooleanField("匿名评审：对专家隐藏申报机构名称及材料的作者信息")
    aggregation = choice("计分方式", Aggregation.choices())
    trim_min_scores = NumberField("评分人数不少于几人时去掉最高分和最低分", minimum=3, maximum=15)
    half_points = BooleanField("允许打半分（0.5分）")
    comment_below_percent = NumberField("某项得分低于满分的百分之几时须填写理由（0为不要求）", minimum=0,
                                             maximum=100)
    overall_comment_required = BooleanField("须填写总体评语")
    spread_threshold = NumberField("分歧提示阈值（分）", places=1, minimum=Decimal("0"), maximum=Decimal("1000"),
                                   example="20")
    entry_rule = choice("入围规则", EntryRule.choices())
    entry_value = NumberField("N 或 X", places=1, minimum=0, optional=True, example="30")
    source_round_id = choice("依据的上一轮", [])
    weight_percent = NumberField("在最终得分中的权重（%）", places=2, minimum=Decimal("0"), maximum=Decimal("100"),
                                 example="60")
    criteria = FieldList(FormField(CriterionForm), min_entries=1, max_entries=MAX_CRITERIA)

    growable = {"criteria": MAX_CRITERIA}
    blank_rows = 1

    def __init__(self, *args, rnd=None, earlier_rounds=(), locked=False, **kw):
        super().__init__(*args, **kw)
        self.rnd, self.locked = rnd, locked
        if locked:
            for name in LOCKED_WHEN_REVIEWED:
                delattr(self, name)
        else:

            self.source_round_id.choices = [SelectChoice("", "— 不适用 —")] + [
                SelectChoice(str(r.id), r.name) for r in earlier_rounds]

    # -- validation ------------------------------------------------------------------------------
    def field_list(self):
        seen = []
        for part in re.split(FIELD_SEPARATORS, self.expert_fields.data or ""):
            if part and part not in seen:
                seen.append(part)
        return seen

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        opens, closes = self.opens_at.data, self.closes_at.data
        if not self.opens_at.errors and not self.closes_at.errors:
            if (opens is None) != (closes is None):
                missing = self.opens_at if opens is None else self.closes_at
                missing.errors.append("请同时填写开始和截止时间（时间未定可都不填）。")
            elif opens is not None and closes <= opens:
                self.closes_at.errors.append("截止时间应晚于开始时间。")
        if not self.locked:
            self._check_settings()
            self._check_criteria()
        return ok and not self.collect_errors()

    def _check_settings(self):
        n = self.panel_size.number
        if n is not None and n % 2 == 0:
            self.panel_size.errors.append("每组专家人数应为奇数（3人、5人、7人……），以免票数相持。")
        if len(",".join(self.field_list())) > 200:
            self.expert_fields.errors.append("专业领域合计不能超过200个字。")
        rule = self.entry_rule.data
        if rule in (EntryRule.TOP_N.value, EntryRule.MIN_SCORE.value):
            if not self.source_round_id.data:
                self.source_round_id.errors.append("请选择作为依据的上一轮评审。")
            value = self.entry_value.number
            if not self.entry_value.errors:
                if value is None:
                    self.entry_value.errors.append("请填写入围名额N或分数线X。")
                elif rule == EntryRule.TOP_N.value and (value != value.to_integral_value() or value < 1):
                    self.entry_value.errors.append("入围名额N应为1以上的整数。")
        if self.source_round_id.data and self.rnd is not None and self.source_round_id.data == str(self.rnd.id):
            self.source_round_id.errors.append("不能以本轮自身作为依据。")

    def _check_criteria(self):
        if not check_rubric(self.criteria):
            self.section_error("criteria", "请至少设置一个评分项。")

    # -- output ----------------------------------------------------------------------------------
    def settings(self):
        fields = {"name": self.name.data, "opens_at": self.opens_at.utc, "closes_at": self.closes_at.utc}
        if self.locked:
            return RoundSettings(fields=fields, criteria=None)
        rule = EntryRule(self.entry_rule.data)
        fields.update({
            "kind": RoundKind(self.kind.data),
            "panel_size": self.panel_size.number,
            "panel_mode": PanelMode(self.panel_mode.data),
            "expert_fields": ",".join(self.field_list()),
            "load_limit": self.load_limit.number,
            "blind": bool(self.blind.data),
            "aggregation": Aggregation(self.aggregation.data),
            "trim_min_scores": self.trim_min_scores.number,
            "half_points": bool(self.half_points.data),
            "comment_below_percent": self.comment_below_percent.number,
            "overall_comment_required": bool(self.overall_comment_required.data),
            "spread_threshold": self.spread_threshold.number,
            "entry_rule": rule,
            "entry_value": None if rule == EntryRule.SCREENED else self.entry_value.number,
            "source_round_id": None if rule == EntryRule.SCREENED else int(self.source_round_id.data),
            "weight_percent": self.weight_percent.number,
        })
        criteria = [(as_id(f.id.data), f.name.data, f.max_points.number,
                     f.guidance.data or "") for f in (r.form for r in self.criteria) if not f.is_blank()]
        return RoundSettings(fields=fields, criteria=criteria)


def new_round_data(call, stage=None, position=0):
    """What a new round's form starts with: DESIGN.md's defaults and a copy of the call's rubric."""

    return {
        "name": "初评" if position == 0 else f"第{position + 1}轮评审",
        "kind": RoundKind.FIRST.value if position == 0 else RoundKind.DEFENCE.value,
        "opens_at": stage.opens_at if stage else None,
        "closes_at": stage.closes_at if stage else None,
        "panel_size": 5, "panel_mode": PanelMode.PER_APPLICATION.value, "expert_fields": "",
        "load_limit": 30, "blind": False, "aggregation": Aggregation.TRIMMED.value, "trim_min_scores": 5,
        "half_points": False, "comment_below_percent": 60, "overall_comment_required": True,
        "spread_threshold": Decimal("20"), "entry_rule": EntryRule.SCREENED.value, "entry_value": None,
        "source_round_id": "", "weight_percent": Decimal("100") if position == 0 else Decimal("0"),
        "criteria": [{"name": n, "max_points": p, "guidance": g} for n, p, g in default_rubric(call)],
    }


def round_data(rnd):
    return {
        "name": rnd.name, "kind": rnd.kind.value, "opens_at": rnd.opens_at, "closes_at": rnd.closes_at,
        "panel_size": rnd.panel_size, "panel_mode": rnd.panel_mode.value,
        "expert_fields": "，".join(rnd.field_list), "load_limit": rnd.load_limit, "blind": rnd.blind,
        "aggregation": rnd.aggregation.value, "trim_min_scores": rnd.trim_min_scores,
        "half_points": rnd.half_points, "comment_below_percent": rnd.comment_below_percent,
        "overall_comment_required": rnd.overall_comment_required, "spread_threshold": rnd.spread_threshold,
        "entry_rule": rnd.entry_rule.value, "entry_value": rnd.entry_value,
        "source_round_id": str(rnd.source_round_id) if rnd.source_round_id else "",
        "weight_percent": rnd.weight_percent,
        "criteria": [{"id": c.id, "name": c.name, "max_points": c.max_points, "guidance": c.guidance}
                     for c in rnd.criteria],
    }


class CloseRoundForm(Form):
    confirm = BooleanField("我已确认结束本轮评审：结束后专家不能再评分或修改评分。",
                           [DataRequired("请勾选确认后再结束评审。")])
    exclude_reason = TextAreaField("排除未提交评审的理由", [Optional(), too_long(500)], filters=[strip],
                                   description="仍有评审未提交时必填：这些评审不再计入本轮，理由记入审计日志。")


class ReopenRoundForm(Form):
    reason = TextAreaField("重新开启的理由", [DataRequired("请填写重新开启评审的理由。"), too_long(500)],
                           filters=[strip])
    closes_at = LocalDateTimeField("新的评审截止时间", [Optional()],
                                   description="原截止时间已过时必填（北京时间）。")
