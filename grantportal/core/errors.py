"""The one refusal: an operation declines a change the rules or the object's state do not allow.

``message`` is Chinese, written for the person who tried; ``field`` names the form field it belongs to
(``core.forms.refusal`` puts it there), or None for a page message; ``status`` is the HTTP status when there
is no form to show it on (409: the state does not allow it now). Domains subclass it by name
(``AwardRefused``, ``RoundRefused`` …) so that a view catches its own domain's refusals.
"""


class Refused(Exception):
    status = 409

    def __init__(self, message, field=None, status=None):
        super().__init__(message)
        self.message, self.field = message, field
        if status is not None:
            self.status = status
