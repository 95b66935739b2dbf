"""Permission rows for review rounds, draws, panels and the progress dashboard (Issue 3).
Officers act; auditors read; organizations, experts and admins have no access."""
from tests.permissions.spec import CONFLICT, DENY, Route, ok, staff_only

OFFICER_ONLY = staff_only(readers=DENY)
OFFICER_CONFLICT = staff_only(readers=DENY, officer=CONFLICT)
OFFICER_REDIRECTED = staff_only(readers=DENY, officer=ok(302))
STAFF = staff_only()


def call(w):
    return {"call_id": w.call.id}


def rnd(w):
    return {"round_id": w.round.id}


def panel(w):
    return {"round_id": w.round.id, "application_id": w.app_a_submitted.id}


def assignment(w):
    return {"assignment_id": w.assignment_b.id}


def draw(w):
    """A logged draw for the world's round (made here: world.py is shared)."""
    from grantportal.core.db import db
    from grantportal.review.models import Draw

    record = Draw(round_id=w.round.id, application_id=w.app_b_submitted.id, seed="0" * 32, size=1,
                  candidates=[[w.expert_b.id, 0]], excluded=[[w.expert_conflicted.id, "回避：曾任该机构理事"]],
                  picked=[w.expert_b.id], public_order=[w.expert_conflicted.id, w.expert_b.id],
                  created_by_id=w.officer.id)
    db.session.add(record)
    db.session.commit()
    return {"draw_id": record.id}


def add_data(w):
    return {"expert_id": str(w.expert_b.id), "reason": "熟悉该领域"}


ROUTES = [
    Route("rounds.index", params=call, expect=STAFF),
    Route("rounds.create", params=call, expect=OFFICER_ONLY),
    Route("rounds.create", "POST", params=call, expect=OFFICER_ONLY),
    Route("rounds.detail", params=rnd, expect=STAFF),
    Route("rounds.edit", params=rnd, expect=OFFICER_ONLY),
    Route("rounds.edit", "POST", params=rnd, expect=OFFICER_ONLY),
    Route("rounds.open_round", "POST", params=rnd, expect=OFFICER_CONFLICT),  # already open
    Route("rounds.close", params=rnd, expect=OFFICER_ONLY),
    Route("rounds.close", "POST", params=rnd, expect=OFFICER_ONLY),
    Route("rounds.reopen", params=rnd, expect=OFFICER_CONFLICT),  # still open: nothing to reopen
    Route("rounds.reopen", "POST", params=rnd, expect=OFFICER_CONFLICT),
    Route("rounds.delete", "POST", params=rnd, expect=OFFICER_CONFLICT),  # open, not 筹备中
    # no application has passed screening into the round
    Route("panels.draw_all", "POST", params=rnd, expect=OFFICER_CONFLICT),
    Route("panels.draw_one", "POST", params=panel, expect=OFFICER_CONFLICT),
    Route("panels.draw_detail", params=draw, expect=STAFF),
    Route("panels.panel", params=panel, expect=STAFF),
    Route("panels.add_expert", "POST", params=panel, data=add_data, expect=OFFICER_REDIRECTED),
    Route("panels.replace", params=assignment, expect=OFFICER_ONLY),
    Route("panels.replace", "POST", params=assignment, data=lambda w: {"reason": "专家出差"}, expect=OFFICER_ONLY),
    Route("rounds.dashboard", params=rnd, expect=STAFF),
    Route("rounds.remind", "POST", params=rnd, expect=OFFICER_REDIRECTED),
]
