"""Officers' forms for award decisions: result settings, adjusting an award, publishing the 公示, confirming.

Every message is Chinese and shown next to its field; what was typed is kept on error. The tier rules
are checked by ``TierRules`` itself (one grade at a time, so that its message lands next to the field
that caused it)."""
import re

from wtforms import BooleanField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from grantportal.awards.models import AwardStatus
from grantportal.awards.proposals.promotion import REASON_MAX as PROMOTE_REASON_MAX
from grantportal.awards.proposals.promotion import DropCause
from grantportal.awards.proposals.settings import MAX_PUBLICITY_DAYS, MAX_RESERVE_PER_LEVEL, ResultSettings
from grantportal.calls.tier_rules import UNRATED, UNRATED_LABEL, TierRules, TierRulesError
from grantportal.core.forms import CheckboxesField, Form, MoneyField, NumberField, strip, too_long
from grantportal.orgs.models import Grade

# (form-name suffix, TierRules key, label): 5A … 1A, then unrated
GRADE_KEYS = [(g.value.lower(), g.value, g.label) for g in Grade] + [(UNRATED, UNRATED, UNRATED_LABEL)]
NUMBER_RE = re.compile(r"^-?[0-9]{1,6}(\.[0-9]{1,2})?$")
REASON_MAX = 1000


def _grade_fields():
    fields = {}
    for suffix, _key, label in GRADE_KEYS:
        fields[f"bonus_{suffix}"] = NumberField(f"{label}加分", places=2, optional=True, signed=True, example="3")
        fields[f"cap_{suffix}"] = MoneyField(f"{label}资助上限（元）", optional=True)
    return fields


class _ResultSettingsBase(Form):
    tier_first_tiebreak = BooleanField("同分按等级排序（最终得分相同时，评估等级高者在前）")
    reserved_share_percent = NumberField("预留给3A及以上组织的预算比例（%）", places=2, optional=True, signed=True,
                                         example="30")
    waive_documents_for_4a = CheckboxesField("4A及以上组织免交的材料")
    matched_bonus_per_wan = NumberField("配套资金每万元加分", places=2, optional=True, signed=True, example="1")
    matched_bonus_cap = NumberField("配套资金最高加分", places=2, optional=True, signed=True, example="10")
    reserve_per_level = NumberField("每个级别的候补名额", minimum=0, maximum=MAX_RESERVE_PER_LEVEL)
    publicity_days = NumberField("公示期（工作日）", minimum=1, maximum=MAX_PUBLICITY_DAYS)
    publish_scores = BooleanField("公示和结果页面公开最终得分")
    publish_panel = BooleanField("公开评审专家名单（不公开个人评分）")
    promote_reserve = BooleanField("异议成立取消入选后，由同级别候补项目按顺序递补")

    def __init__(self, *args, documents=(), waived=(), **kw):
        """``documents``: the call's document names; ``waived``: the names stored as waived (one since
        renamed or removed stays on offer, so that the officer sees it and can untick it)."""
        super().__init__(*args, **kw)
        names = list(dict.fromkeys([*documents, *waived]))
        self.waive_documents_for_4a.choices = [SelectChoice(n, n) for n in names]
        self.tier_rules = None

    def grade_rows(self):
        """(label, bonus field, cap field) per grade, for the template."""
        return [(label, self[f"bonus_{suffix}"], self[f"cap_{suffix}"]) for suffix, _key, label in GRADE_KEYS]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        self.tier_rules = self._rules()
        return ok and self.tier_rules is not None and not any(f.errors for f in self)

    def _check(self, field, **rule):
        """One rule through ``TierRules``: its messages go next to ``field``."""
        try:
            TierRules(**rule)
        except TierRulesError as e:
            field.errors = [*field.errors, *e.messages]

    def _rules(self):
        bonus, cap = {}, {}
        for suffix, key, _label in GRADE_KEYS:
            b, c = self[f"bonus_{suffix}"], self[f"cap_{suffix}"]
            if b.number is not None:
                self._check(b, bonus_by_grade={key: b.number})
                bonus[key] = b.number
            if c.amount is not None:
                self._check(c, cap_by_grade={key: c.amount})
                cap[key] = c.amount
        pct = self.reserved_share_percent
        if pct.number is not None:
            self._check(pct, reserved_share_percent=pct.number)
        if any(f.errors for f in self):
            return None
        try:
            return TierRules.from_dict({
                "bonus_by_grade": bonus, "cap_by_grade": cap,
                "tier_first_tiebreak": bool(self.tier_first_tiebreak.data),
                "reserved_share_percent": pct.number,
                "waive_documents_for_4a": list(self.waive_documents_for_4a.data or []),
            })
        except TierRulesError as e:
            self.form_errors.extend(e.messages)
            return None

    def settings(self):
        """The typed values for ``operations.update_result_settings`` (after ``validate``)."""
        return ResultSettings(
            tier_rules=self.tier_rules,
            matched_bonus_per_wan=self.matched_bonus_per_wan.number,
            matched_bonus_cap=self.matched_bonus_cap.number,
            reserve_per_level=self.reserve_per_level.number,
            publicity_days=self.publicity_days.number,
            publish_scores=bool(self.publish_scores.data),
            publish_panel=bool(self.publish_panel.data),
            promote_reserve=bool(self.promote_reserve.data),
        )


ResultSettingsForm = type("ResultSettingsForm", (_ResultSettingsBase,), _grade_fields())


def settings_data(call):
    """A call's stored result settings as form data (stored tier rules that cannot be read show as blank)."""
    try:
        rules = TierRules.from_dict({k: v for k, v in (call.tier_rules or {}).items() if k != "min_grade"})
    except TierRulesError:
        rules = TierRules()
    data = {
        "tier_first_tiebreak": rules.tier_first_tiebreak,
        "reserved_share_percent": rules.reserved_share_percent,
        "waive_documents_for_4a": list(rules.waive_documents_for_4a),
        "matched_bonus_per_wan": call.matched_bonus_per_wan,
        "matched_bonus_cap": call.matched_bonus_cap,
        "reserve_per_level": call.reserve_per_level,
        "publicity_days": call.publicity_days,
        "publish_scores": call.publish_scores,
        "publish_panel": call.publish_panel,
        "promote_reserve": call.promote_reserve,
    }
    for suffix, key, _label in GRADE_KEYS:
        grade = None if key == UNRATED else Grade(key)
        data[f"bonus_{suffix}"] = rules.bonus_by_grade.get(grade)
        data[f"cap_{suffix}"] = rules.cap_by_grade.get(grade)
    return data


ADJUSTABLE = (AwardStatus.SELECTED, AwardStatus.RESERVE, AwardStatus.NOT_SELECTED)


class AdjustForm(Form):
    status = SelectField("入选状态", choices=[SelectChoice(s.value, s.label) for s in ADJUSTABLE],
                         invalid_choice_message="请从列表中选择。")
    amount = MoneyField("资助金额（元）", optional=True)
    reserve_position = NumberField("候补顺序", minimum=1, maximum=9999, optional=True)
    reason = TextAreaField("调整理由", [DataRequired("请填写调整理由。"),
                                    too_long(REASON_MAX)],
                           filters=[strip])

    @property
    def chosen_status(self):
        return AwardStatus(self.status.data)


class PublishForm(Form):
    days = NumberField("公示期（工作日）", minimum=1, maximum=MAX_PUBLICITY_DAYS)
    preview = SubmitField("计算截止时间")
    confirm = SubmitField("确认发布公示")




class PromoteForm(Form):
    """递补 after the final result (``promotion.drop_and_promote``): why the selected project dropped out."""
    cause = SelectField("情形", choices=[SelectChoice("", "— 请选择 —")] + [SelectChoice(c.value, c.label)
                                                                       for c in DropCause],
                        validators=[DataRequired("请选择情形。")], invalid_choice_message="请从列表中选择。")
    reason = TextAreaField("原因", [DataRequired("请写明原因。"), too_long(PROMOTE_REASON_MAX)], filters=[strip])

    @property
    def chosen_cause(self):
        return DropCause(self.cause.data)
