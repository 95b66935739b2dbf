"""The main navigation (主导航), decided by permissions, not by role names (issue 10).

The application declares the menu once, in order, as ``Entry`` rows — a label, an endpoint, the ``can_*``
permission of the page it opens and the group it belongs to (grantportal/navigation.py, where the app is
assembled: core imports no domain) — and the pages the signed-in user's name may open (their own account:
我的账户, or a citizen's 我的参与), the first one allowed. Before a page renders, a context processor asks each
entry's permission for the signed-in user and hands the template ``nav``, a ``Menu`` of groups of ``Link``;
``templates/_nav.html`` only loops and formats. So a menu appears exactly when its page would let the user in,
and the template runs no query.

A long menu folds (the ``Fold`` the application declares): a user who sees any entry of the fold's
``for_groups`` (the staff) or more than ``above`` entries in all gets their own groups' links first and the
folded group (the public pages) last, as one disclosure (``<details>``); the template then also puts the whole
menu behind a 菜单 button on a phone. Everyone else — an anonymous visitor — keeps the flat menu. No script is
needed either way.

The 500 page shows no navigation and must not touch the database (it may be down, or the failed write left
the session unusable): ``leave_out()`` skips the menu for the rest of the request."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import g, has_request_context, request, url_for
from flask_login import current_user


@dataclass(frozen=True)
class Entry:
    """One menu item of ``group``: shown when ``allowed(user)`` (a ``can_*`` permission) says so. ``count``,
    when given, reads a number already gathered before the view ran (the inbox's unread notices) for a badge."""

    label: str
    endpoint: str
    allowed: Callable
    group: str
    css: str | None = None
    count: Callable[[], int | None] | None = None


@dataclass(frozen=True)
class Fold:
    """``group`` folds into a disclosure for a user who sees an entry of any of ``for_groups``, or more than
    ``above`` entries in all."""

    group: str
    for_groups: frozenset[str]
    above: int

    def applies(self, links):
        return len(links) > self.above or any(group in self.for_groups for group, _link in links)


@dataclass(frozen=True)
class Link:
    """What the template formats: a visible entry with its URL; ``current`` when it is this request's page."""

    label: str
    url: str
    css: str | None = None
    count: int | None = None
    current: bool = False


@dataclass(frozen=True)
class Group:
    """The links of one group, in the declared order; ``folded`` ones render as a ``<details>``."""

    label: str
    links: tuple[Link, ...]
    folded: bool = False

    @property
    def current(self):
        return any(link.current for link in self.links)


@dataclass(frozen=True)
class Menu:
    """The groups in the order they show; ``folded`` when one of them is (the template then groups too).
    ``account``: the URL the signed-in user's name opens (their own account page), or None."""

    groups: tuple[Group, ...] = ()
    account: str | None = None

    @property
    def folded(self):
        return any(group.folded for group in self.groups)

    @property
    def links(self):
        return [link for group in self.groups for link in group.links]

    @property
    def count(self):
        """The links' badges added up, for the 菜单 button that hides them on a phone."""
        return sum(link.count or 0 for link in self.links)

    def __bool__(self):
        return bool(self.groups)


def _link(entry, endpoint):
    return Link(entry.label, url_for(entry.endpoint), entry.css, entry.count() if entry.count else None,
                entry.endpoint == endpoint)


def menu_for(entries, user, fold=None, endpoint=None, account=()):
    """The entries ``user`` may open, as a ``Menu``: grouped, the groups in the order they are first declared
    and the links in the declared order; when ``fold`` applies to the user, its group goes last, folded. The
    first of the ``account`` entries the user may open is where their name links to."""
    links = [(e.group, _link(e, endpoint)) for e in entries if e.allowed(user)]
    folding = fold is not None and fold.applies(links)
    groups = {}  # label → its links, the groups in the order they first appear
    for group, link in links:
        groups.setdefault(group, []).append(link)
    shown = [Group(label, tuple(group_links), folding and label == fold.group) for label, group_links in groups.items()]
    if folding:
        shown = [group for group in shown if not group.folded] + [group for group in shown if group.folded]
    own = next((url_for(e.endpoint) for e in account if e.allowed(user)), None)
    return Menu(tuple(shown), own)


def leave_out():
    """This request's page shows no navigation (the 500 page): nothing is asked of the signed-in user."""
    g.navigation_left_out = True


def init_app(app, entries, fold=None, account=()):
    entries, account = tuple(entries), tuple(account)

    @app.context_processor
    def navigation():
        if not has_request_context() or g.get("navigation_left_out"):
            return {"nav": Menu()}
        return {"nav": menu_for(entries, current_user, fold, request.endpoint, account)}
