"""The permission matrix: what each role may do on each route, with its own or another's object.

Each domain lists its routes in ``tests/permissions/<domain>.py`` as ``ROUTES = [Route(...), ...]``.
``test_matrix.py`` checks that every rule in ``app.url_map`` (endpoint × method) has at least one row,
so a route added without a row fails the suite, and runs every row for every role against a fresh
world (``world.py``).

Roles: anonymous, member (owner of org_a), expert, officer, auditor, admin. A row's ``params``
picks the objects (own: org_a's; other: org_b's), so "member" on another's object is a separate row.

Staff are officers and auditors. The system administrator (admin) manages accounts and reads the audit
log; everywhere else they are a signed-in outsider: 403 where a member or expert gets 403, 404 where
the public gets 404, and what the public gets on public pages.
"""
from dataclasses import dataclass, field

ALLOW = "allow"  # got past the permission check: any status but 401/403/404/405/5xx or a login redirect
DENY = "deny"  # 403
LOGIN = "login"  # 302 to the login page
NOT_FOUND = "not_found"  # 404 (e.g. a draft call is invisible to the public)

ROLES = ("anonymous", "member", "expert", "officer", "auditor", "admin")


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
        missing = set(ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"{self.endpoint}: no expectation for {sorted(missing)}")

    @property
    def id(self):
        return f"{self.endpoint}[{self.method}{'-' + self.label if self.label else ''}]"


def staff_only(readers=ALLOW, officer=ALLOW, admin=DENY):
    """Officer-only writes (readers=DENY) or staff reads (readers=ALLOW: the auditor). The admin is not
    staff and is refused unless a row says otherwise."""
    return {"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": officer,
            "auditor": readers, "admin": admin}


def public(outcome=ALLOW):
    return {r: outcome for r in ROLES}
