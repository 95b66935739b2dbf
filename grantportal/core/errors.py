"""The one refusal: an operation declines a change the rules or the object's state do not allow.

``message`` is Chinese, written for the person who tried; ``field`` names the form field it belongs to
(``core.forms.refusal`` puts it there), or None for a page message; ``status`` is the HTTP status when there
is no form to show it on (409: the state does not allow it now). Domains subclass it by name
(``AwardRefused``, ``RoundRefused`` …) so that a view catches its own domain's refusals. A refusal that
finds several entries missing at once (an expert's review submitted without some scores) names them in
``fields``: form field name → its own message, each put next to its field as well.
"""


class Refused(Exception):
    status = 409

    def __init__(self, message, field=None, status=None, fields=None):
        super().__init__(message)
        self.message, self.field = message, field
        self.fields = dict(fields or {})
        if status is not None:
            self.status = status


def stale_message(what, kept="请复制您填写的内容，刷新页面后重新修改。"):
    """The one wording for an optimistic-lock refusal: ``what`` (e.g. "该申报书") was changed since the page
    was opened, nothing was saved, and how to go on."""
    return f"{what}已在其他页面或由其他人修改，您看到的不是最新内容。为避免覆盖较新的内容，本次修改未保存。{kept}"
