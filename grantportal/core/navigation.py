"""The main navigation (主导航), decided by permissions, not by role names (issue 10).

The application declares the menu once, in order, as ``Entry`` rows — a label, an endpoint and the
``can_*`` permission of the page it opens (grantportal/navigation.py, where the app is assembled: core
imports no domain). Before a page renders, a context processor asks each entry's permission for the
signed-in user and hands the template ``nav``, a plain list of ``Link``; ``templates/_nav.html`` only loops
and formats. So a menu appears exactly when its page would let the user in, and the template runs no query.

The 500 page shows no navigation and must not touch the database (it may be down, or the failed write left
the session unusable): ``leave_out()`` skips the menu for the rest of the request."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import g, has_request_context, url_for
from flask_login import current_user


@dataclass(frozen=True)
class Entry:
    """One menu item: shown when ``allowed(user)`` (a ``can_*`` permission) says so. ``count``, when given,
    reads a number already gathered before the view ran (the inbox's unread notices) for a badge."""

    label: str
    endpoint: str
    allowed: Callable
    css: str | None = None
    count: Callable[[], int | None] | None = None


@dataclass(frozen=True)
class Link:
    """What the template formats: a visible entry with its URL."""

    label: str
    url: str
    css: str | None = None
    count: int | None = None


def links_for(entries, user):
    """The entries ``user`` may open, in the declared order, as links."""
    return [Link(e.label, url_for(e.endpoint), e.css, e.count() if e.count else None)
            for e in entries if e.allowed(user)]


def leave_out():
    """This request's page shows no navigation (the 500 page): nothing is asked of the signed-in user."""
    g.navigation_left_out = True


def init_app(app, entries):
    entries = tuple(entries)

    @app.context_processor
    def navigation():
        if not has_request_context() or g.get("navigation_left_out"):
            return {"nav": []}
        return {"nav": links_for(entries, current_user)}
