"""The permission matrix: what each role may do on each route, with its own or another's object.

Each domain lists its routes in ``tests/permissions/<domain>.py`` as ``ROUTES = [Route(...), ...]``.
``test_matrix.py`` checks that every rule in ``app.url_map`` (endpoint × method) has at least one row,
so a route added without a row fails the suite, and runs every row for every role against a fresh
world (``world.py``).

Each row says what every role gets, as one exact status (an ``Outcome``): ALLOW is 200; a permitted action
that redirects is ``ok(302)`` / ``ok(303)``; CONFLICT (409) and BAD_REQUEST (400) are for a permitted user
refused by the object's workflow state or by what the request lacks; DENY 403, LOGIN a redirect to the
login page, NOT_FOUND 404.

Roles: anonymous, member (owner of org_a), expert, officer, auditor, admin, citizen. A row's ``params``
picks the objects (own: org_a's; other: org_b's), so "member" on another's object is a separate row.

Staff are officers and auditors. The system administrator (admin) manages accounts and reads the audit
log; everywhere else they are a signed-in outsider: 403 where a member or expert gets 403, 404 where
the public gets 404, and what the public gets on public pages.

A citizen (公众, signed in by SMS code) is the other signed-in outsider: a row that does not name the citizen
gives them what it gives the admin, so every route is tried with a citizen too. Rows where the admin acts
as administrator (accounts, the audit log), the citizens' own pages and the account page (a citizen has no
password) say what the citizen gets.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcome:
    """What one role gets on one row: exactly this status. ``allowed`` says the role got past the permission
    check (the generated CSRF and conflicted-expert tests pick such roles); ``to`` is a part of the redirect's
    Location that must be there (the login page for LOGIN); an allowed redirect never goes to the login page."""
    status: int
    allowed: bool
    to: str = ""
    name: str = ""

    def __repr__(self):
        return self.name or f"ok({self.status})"


def ok(status=200):
    """Allowed, answered with ``status``: 200 (a page, or a form shown again with its errors), 302/303 (done,
    redirected)."""
    return Outcome(status, allowed=True, name="ALLOW" if status == 200 else f"ok({status})")


ALLOW = ok(200)
CONFLICT = Outcome(409, allowed=True, name="CONFLICT")  # allowed, but the workflow state (or a stale version) refuses
BAD_REQUEST = Outcome(400, allowed=True, name="BAD_REQUEST")  # allowed, but the request lacks what the action needs
DENY = Outcome(403, allowed=False, name="DENY")
LOGIN = Outcome(302, allowed=False, to="/login", name="LOGIN")  # sent to the login page
NOT_FOUND = Outcome(404, allowed=False, name="NOT_FOUND")  # e.g. a draft call is invisible to the public

ROLES = ("anonymous", "member", "expert", "officer", "auditor", "admin", "citizen")
# Tried only on the rows that name them: the staff of a third-party agency (第三方机构, inspection/) appointed to
# org_a's project (``third_party``) and of another agency appointed to org_b's (``third_party_other``). On other
# rows a third party is a signed-in outsider, as the administrator is.
OPTIONAL_ROLES = ("third_party", "third_party_other")


@dataclass
class Route:
    endpoint: str
    method: str = "GET"
    params: object = None  # callable(world) -> dict of URL values, or None
    expect: dict = field(default_factory=dict)  # role -> outcome; every role must be given
    data: object = None  # callable(world) -> form data for POSTs (optional)
    label: str = ""  # e.g. "own" / "other"
    published: bool = False  # shows only what is published to everyone (公示): titles are not a conflict leak

    def __post_init__(self):
        if "citizen" not in self.expect and "admin" in self.expect:
            self.expect = {**self.expect, "citizen": self.expect["admin"]}  # the other signed-in outsider
        missing = set(ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"{self.endpoint}: no expectation for {sorted(missing)}")

    @property
    def roles(self):
        """The roles this row is tried with: every role, and the optional ones it names."""
        return ROLES + tuple(r for r in OPTIONAL_ROLES if r in self.expect)

    @property
    def id(self):
        return f"{self.endpoint}[{self.method}{'-' + self.label if self.label else ''}]"


def staff_only(readers=ALLOW, officer=ALLOW, admin=DENY):
    """Officer-only writes (readers=DENY) or staff reads (readers=ALLOW: the auditor). The admin is not
    staff and is refused unless a row says otherwise."""
    return {"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": officer,
            "auditor": readers, "admin": admin, "citizen": DENY}


def public(outcome=ALLOW):
    return {r: outcome for r in ROLES}
