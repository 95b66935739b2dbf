"""The call form's purchase-method and funding-source part (issue 14), kept apart from ``forms.CallForm`` so that
the call form stays readable: the method with the single-source justification (rules in ``calls/methods.py``),
and the funding sources (专项资金, 福彩公益金, 部门配套, 其他 with its name) whose amounts add up to the call's
total budget (the sum of its levels' budgets). ``CallForm`` mixes this in, calls ``check_purchase`` from its
``validate`` and ``purchase_settings`` from its ``settings``."""
from dataclasses import dataclass
from decimal import Decimal

from wtforms import FieldList, FormField, HiddenField, StringField, TextAreaField

from grantportal.calls.methods import PROCUREMENT_METHODS, RULES
from grantportal.calls.models import CallKind, FundingSourceKind, PurchaseMethod, default_method
from grantportal.core.forms import MoneyField, RowForm, choice, strip, too_long
from grantportal.core.inputs import as_id
from grantportal.core.money import format_yuan

MAX_SOURCES = 10
METHOD_CHOICES = [("", "按征集类型（公益创投；政府购买服务为公开招标）"), *PurchaseMethod.choices()]


@dataclass
class FundingSourceRow:
    id: int | None
    kind: FundingSourceKind
    name: str
    amount: Decimal


class FundingSourceForm(RowForm):
    id = HiddenField()
    kind = choice("资金来源", [("", "— 请选择 —"), *FundingSourceKind.choices()])
    name = StringField("来源名称（选“其他”时填写）", [too_long(60)], filters=[strip])
    amount = MoneyField("金额（元）", optional=True)

    def is_blank(self):
        return not self.kind.data and not self.name.data and not (self.amount.data or "").strip()

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.is_blank():
            return ok
        if not self.kind.data:
            self.kind.errors.append("请选择资金来源。")
        if self.kind.data == FundingSourceKind.OTHER.value and not self.name.data:
            self.name.errors.append("选择“其他”时请填写资金来源名称。")
        if not (self.amount.data or "").strip() and not self.amount.errors:
            self.amount.errors.append("请填写金额。")
        elif self.amount.amount is not None and self.amount.amount <= 0:
            self.amount.errors.append("金额应大于0。")
        return not any(f.errors for f in self)


class PurchaseFields:
    """Fields and checks mixed into ``CallForm`` (a ``RowsForm``)."""

    max_sources = MAX_SOURCES

    purchase_method = choice("采购方式", METHOD_CHOICES, default="")
    single_source_reason = TextAreaField("采用单一来源方式的理由", [too_long(2000)], filters=[strip])
    funding_sources = FieldList(FormField(FundingSourceForm), min_entries=0, max_entries=MAX_SOURCES)

    def chosen_method(self):
        value = self.purchase_method.data or ""
        return PurchaseMethod(value) if value else default_method(CallKind(self.kind.data or CallKind.VENTURE.value))

    def check_purchase(self):
        self._check_method()
        self._check_sources()

    def _check_method(self):
        if self.purchase_method.errors or self.kind.errors:
            return
        kind = CallKind(self.kind.data or CallKind.VENTURE.value)
        method = self.chosen_method()
        if kind == CallKind.PURCHASE and method == PurchaseMethod.VENTURE:
            self.purchase_method.errors.append(
                f"政府购买服务须选择政府采购方式（{'、'.join(m.label for m in PROCUREMENT_METHODS)}）。")
        elif kind == CallKind.VENTURE and method != PurchaseMethod.VENTURE:
            self.purchase_method.errors.append("公益创投征集的采购方式应为“公益创投”。")
        if RULES[method].justification_required and not self.single_source_reason.data \
                and not self.single_source_reason.errors:
            self.single_source_reason.errors.append(
                "采用单一来源方式须说明理由（如只能从唯一供应商处采购的原因），理由将随征集公告公示。")

    def _budget_total(self):
        """The call's total budget as typed (the levels' rows), or the stored one when levels are locked; None
        when a level's budget is not a valid amount (its own message says so)."""
        if "levels" not in self._fields:
            return self.call.total_budget if self.call is not None else None
        total = Decimal("0.00")
        for row in self.levels:
            f = row.form
            if f.is_blank():
                continue
            if f.budget_total.amount is None:
                return None
            total += f.budget_total.amount
        return total

    def _check_sources(self):
        filled = [row.form for row in self.funding_sources if not row.form.is_blank()]
        seen = set()
        for row in filled:
            key = (row.kind.data, row.name.data)
            if row.kind.data and key in seen:
                row.kind.errors.append("该资金来源已填写过，每个来源只填一行。")
            seen.add(key)
        if not filled or any(f.errors for row in filled for f in row):
            return
        total = self._budget_total()
        if total is None:
            return
        sources = sum((row.amount.amount for row in filled), Decimal("0.00"))
        if sources != total:
            self.section_error("funding_sources", f"各资金来源金额合计{format_yuan(sources)}，应等于各层级总预算合计"
                                                  f"{format_yuan(total)}。")

    def purchase_settings(self):
        """The typed values: the call's fields, and the funding-source rows."""
        method = self.chosen_method()
        fields = {"purchase_method": method,
                  "single_source_reason": (self.single_source_reason.data or None)
                  if RULES[method].justification_required else None}
        rows = [FundingSourceRow(as_id(str(f.id.data or "")), FundingSourceKind(f.kind.data), f.name.data or "",
                                 f.amount.amount)
                for f in (r.form for r in self.funding_sources) if not f.is_blank()]
        return fields, rows

