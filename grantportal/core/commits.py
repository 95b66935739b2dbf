"""Commit-or-refuse: the one way a view ends its write.

A view runs its operations inside one of these and the request commits once. When an operation refuses
(``core.errors.Refused``), or another request changed the row first (``StaleDataError`` from a versioned
row), everything the request wrote is rolled back and the refusal is answered in Chinese:

- ``commit_or_abort()`` for a button with no form to show a message on: the error page with the refusal's
  status (409 when the state does not allow it now) and message::

      with commit_or_abort():
          ops.move_round(rnd, current_user, "open")

- ``commit_or_refusal(form)`` for a form page: the message goes next to its field (``Refused.field``) or,
  when it has none, is kept on ``attempt.message`` for the page; the view then re-renders the form with what
  the user typed::

      with commit_or_refusal(form) as attempt:
          ops.add_expert(rnd, application, expert, form.reason.data, current_user)
      if attempt.ok:
          flash(...)
          return redirect(...)
      return page(form, message=attempt.message, status=attempt.status)
"""
from contextlib import contextmanager
from dataclasses import dataclass

from flask import abort, has_request_context
from flask_login import current_user
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from grantportal.core.db import db
from grantportal.core.errors import Refused, stale_message
from grantportal.core.forms import refusal

STALE = Refused(stale_message("该内容", kept="请刷新页面，核对后重新操作。"))


@dataclass
class Attempt:
    """What became of a write: ``ok`` once committed; otherwise the refusal, the page message (None when the
    message was put next to its field) and the HTTP status to answer with."""

    refused: Refused | None = None
    message: str | None = None

    @property
    def ok(self):
        return self.refused is None

    @property
    def status(self):
        return 200 if self.refused is None else self.refused.status


def load_signed_in_user():
    """Reload the signed-in user after a rollback expired it, so that the page answering the refusal (its
    navigation names the user) renders without a query; nothing happens when it is loaded already."""
    if not has_request_context():
        return
    user = current_user._get_current_object()
    state = inspect(user, raiseerr=False)
    if state is not None and state.expired_attributes and state.session is not None:
        state.session.refresh(user)


@contextmanager
def commit_or_refusal(form=None, stale=STALE, taken=None):
    """``taken``: the refusal to answer when a unique constraint stops the write because another request
    created the same row at the same moment (without it, such an error is a bug and propagates)."""
    attempt = Attempt()

    def refuse(refused):
        db.session.rollback()
        load_signed_in_user()
        attempt.refused, attempt.message = refused, refusal(form, refused)

    try:
        yield attempt
        db.session.commit()
    except Refused as e:
        refuse(e)
    except StaleDataError:
        refuse(stale)
    except IntegrityError:
        if taken is None:
            raise
        refuse(taken)


@contextmanager
def commit_or_abort(stale=STALE, taken=None):
    with commit_or_refusal(stale=stale, taken=taken) as attempt:
        yield attempt
    if not attempt.ok:
        abort(attempt.status, attempt.refused.message)
