"""Forms of the 整改 loop: the officer opens a case, the organization files its 整改报告 (on a phone), the
officer verifies it. Messages are Chinese and shown next to their field; what was typed is kept on error."""
from wtforms import MultipleFileField, RadioField, TextAreaField
from wtforms.validators import Optional, ValidationError

from grantportal.core.forms import Form, LocalDateTimeField, strip
from grantportal.monitoring.rectification import (
    EVIDENCE_EXTENSIONS,
    FINDINGS_MAX,
    MAX_EVIDENCE,
    NOTE_MAX,
    REPORT_MAX,
)
from grantportal.monitoring.rectification_models import Verdict


def _length(minimum, maximum, what):
    def check(form, field):
        text = field.data or ""
        if len(text) < minimum:
            raise ValidationError(f"请填写{what}（不少于{minimum}个字）。")
        if len(text) > maximum:
            raise ValidationError(f"{what}不能超过{maximum}个字。")
    return check


class OpenCaseForm(Form):
    findings = TextAreaField("整改事项", [_length(5, FINDINGS_MAX, "整改事项")], filters=[strip])
    deadline = LocalDateTimeField("整改期限", [Optional()])


class CaseReportForm(Form):
    body = TextAreaField("整改情况", [_length(5, REPORT_MAX, "整改情况")], filters=[strip])
    evidence = MultipleFileField("证明材料", description=(
        "、".join(e.upper() for e in EVIDENCE_EXTENSIONS) + f"格式，最多{MAX_EVIDENCE}个文件"))


class VerifyForm(Form):
    verdict = RadioField("核查结论", choices=Verdict.choices(), validate_choice=False)
    note = TextAreaField("核查意见", filters=[strip])
    new_deadline = LocalDateTimeField("新的整改期限", [Optional()])

    def validate_verdict(self, field):
        if field.data not in {v.value for v in Verdict}:
            raise ValidationError("请选择核查结论。")

    def validate_note(self, field):
        if len(field.data or "") > NOTE_MAX:
            raise ValidationError(f"核查意见不能超过{NOTE_MAX}个字。")
        if self.verdict.data == Verdict.CONTINUE.value and len(field.data or "") < 5:
            raise ValidationError("要求继续整改时，请写明理由（不少于5个字）。")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        field = self.new_deadline  # Optional() ends its own chain when blank: checked here
        if self.verdict.data == Verdict.CONTINUE.value and field.data is None and not field.errors:
            field.errors = [*field.errors, "要求继续整改时，请填写新的整改期限。"]
            ok = False
        return ok
