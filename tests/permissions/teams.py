"""Permission rows for grassroots teams (草根团队, teams/) and a team's application through its supporting
organization. "member" is the owner of org_a: team_a asks org_a to support it ("own"), team_b asks org_b ("other").
No matrix role leads a team: the leader's own pages are tested in tests/teams/."""
from tests.permissions.spec import BAD_REQUEST, DENY, LOGIN, Route, ok

NOBODY = {"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": DENY, "auditor": DENY, "admin": DENY}


def member_gets(outcome):
    return {**NOBODY, "member": outcome}


def _team(name):
    return lambda w: {"team_id": getattr(w, name).id}


def _app(name):
    return lambda w: {"app_id": getattr(w, name).id}


def _version(name):
    return lambda w: {"version": str(getattr(w, name).version)}


ROUTES = [
    # the leader's pages: an organization's member is told to apply as the organization
    Route("teams.register", expect=NOBODY),
    Route("teams.register", "POST", expect=NOBODY),
    Route("teams.mine", expect=NOBODY),
    Route("teams.mine", "POST", expect=NOBODY),
    # the supporting organization's list and decisions
    Route("teams.supported", expect=member_gets(ok())),
    Route("teams.confirm", "POST", params=_team("team_a"), label="own", expect=member_gets(ok(302))),
    Route("teams.confirm", "POST", params=_team("team_b"), label="other", expect=NOBODY),
    # no reason given: the list again with the message next to the field
    Route("teams.decline", "POST", params=_team("team_a"), label="own", expect=member_gets(BAD_REQUEST)),
    Route("teams.decline", "POST", params=_team("team_b"), label="other", expect=NOBODY),
    # a team's application: only its leader forwards it; the supporting organization returns it (a reason needed)
    Route("applications.forward", "POST", params=_app("app_team_a"), data=_version("app_team_a"), label="own",
          expect=NOBODY),
    Route("applications.return_to_team", "POST", params=_app("app_team_a"), data=_version("app_team_a"),
          label="own", expect=member_gets(BAD_REQUEST)),
    Route("applications.return_to_team", "POST", params=_app("app_team_b"), data=_version("app_team_b"),
          label="other", expect=NOBODY),
]
