"""Forms of the contract's pages: the officer issues the contract (start date, deliverables), returns the signed
scan with a reason or terminates the contract in force with a reason (and the
public words the contract's /verify page shows); the organization uploads the signed,
sealed scan. Messages are Chinese and shown next to their field; what was typed is kept on error."""
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Length

from grantportal.core.forms import Form, LocalDateField, strip
from grantportal.funding.contracts.operations import PUBLIC_REASON_MAX


class IssueContractForm(Form):
    starts_on = LocalDateField("合同起始日期")
    deliverables = TextAreaField("服务内容与成效指标（每行一项）", filters=[strip],
                                 validators=[Length(max=5000, message="不超过5000个字。")])

    def validate_starts_on(self, field):
        if field.data is None and not field.errors:
            raise ValueError("请填写合同起始日期。")


class ReturnForm(Form):
    reason = TextAreaField("退回原因", filters=[strip], validators=[Length(max=1000, message="不超过1000个字。")])


class TerminateForm(Form):
    reason = TextAreaField("终止原因", filters=[strip], validators=[Length(max=1000, message="不超过1000个字。")])
    public_reason = TextAreaField("公开的终止说明", filters=[strip],
                                  validators=[Length(max=PUBLIC_REASON_MAX,
                                                     message=f"不超过{PUBLIC_REASON_MAX}个字。")])


class SignedUploadForm(Form):
    scan = FileField("签字盖章后的合同扫描件")
