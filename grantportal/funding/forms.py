"""The form of the call's funding settings: the tranche plan (up to four rows of percent and condition), the
contract term and the reporting interval. Messages are Chinese and shown next to their field (a plan
message next to its row); what was typed is kept on error."""
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from grantportal.calls.tranche_plan import TrancheCondition
from grantportal.core.forms import Form, NumberField, strip
from grantportal.funding.operations import MAX_CONTRACT_MONTHS, MAX_REPORT_EVERY

PLAN_ROWS = 4


def _plan_fields():
    conditions = [SelectChoice("", "（不使用此行）")] + [SelectChoice(c.value, c.label) for c in TrancheCondition]
    fields = {}
    for i in range(1, PLAN_ROWS + 1):
        fields[f"percent_{i}"] = StringField(f"第{i}行 比例（%）", filters=[strip])
        # the condition is checked by parse_plan (第N期的拨付条件无效), so that its message names the row
        fields[f"condition_{i}"] = SelectField(f"第{i}行 拨付条件", choices=conditions, validate_choice=False)
    return fields


class _FundingSettingsBase(Form):
    contract_months = NumberField("合同期限（月）", minimum=1, maximum=MAX_CONTRACT_MONTHS)
    report_every_months = NumberField("进度报告周期（月）", minimum=1, maximum=MAX_REPORT_EVERY)

    def plan_rows(self):
        return [(self[f"percent_{i}"], self[f"condition_{i}"]) for i in range(1, PLAN_ROWS + 1)]

    def used_rows(self):
        return [(p, c) for p, c in self.plan_rows() if p.data or c.data]

    def plan(self):
        """The typed rows as the JSON plan (blank rows skipped)."""
        return [{"percent": p.data, "condition": c.data} for p, c in self.used_rows()]


FundingSettingsForm = type("FundingSettingsForm", (_FundingSettingsBase,), _plan_fields())


def settings_data(call, plan):
    data = {"contract_months": call.contract_months, "report_every_months": call.report_every_months}
    for t in plan:
        data[f"percent_{t.position}"] = f"{t.percent.normalize():f}"
        data[f"condition_{t.position}"] = t.condition.value
    return data
