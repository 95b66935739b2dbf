"""Award decisions, the officer's side: result settings, the proposal, generate, adjust, publish, confirm.
Staff (officers, auditors) read every page; only officers act (auditors get 403 on every POST; admins on
everything)."""
from tests.permissions.spec import ALLOW, CONFLICT, DENY, Route, ok, staff_only
from tests.permissions.world import awards_world


def _call(w):
    return {"call_id": w.call.id}


def _draft_call(w):
    return {"call_id": awards_world(w, "draft").call.id}


def _publicized_call(w):
    return {"call_id": awards_world(w, "publicized").call.id}


def _draft_award(w):
    return {"award_id": awards_world(w, "draft").award_a.id}


def _final_award(w):
    """A finally selected award with no contract (递补: proposals.promote)."""
    from grantportal.awards.models import FinalStatus
    from grantportal.core.db import db

    awards_world(w, "final")
    w.award_b.final_status = FinalStatus.SELECTED
    db.session.commit()
    return {"award_id": w.award_b.id}


SETTINGS = {"publicity_days": "5", "reserve_per_level": "3", "bonus_5a": "3", "publish_panel": "y",
            "promote_reserve": "y"}
ADJUST = {"status": "selected", "amount": "40000", "reason": "压缩宣传费用，按专家意见核减。"}

PROMOTE = {"cause": "withdrew", "reason": "机构书面声明放弃入选。"}

ROUTES = [
    Route("proposals.promote", params=_final_award, expect=staff_only(readers=ALLOW)),
    Route("proposals.promote", "POST", params=_final_award, data=lambda w: PROMOTE,
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("proposals.settings", params=_call, expect=staff_only(readers=ALLOW)),
    Route("proposals.settings", "POST", params=_call, data=lambda w: SETTINGS,
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("proposals.show", params=_call, expect=staff_only(readers=ALLOW), label="none"),
    Route("proposals.show", params=_draft_call, expect=staff_only(readers=ALLOW), label="draft"),
    Route("proposals.show", params=_publicized_call, expect=staff_only(readers=ALLOW), label="publicized"),
    Route("proposals.generate", "POST", params=_call, expect=staff_only(readers=DENY, officer=ok(303))),
    Route("proposals.adjust", params=_draft_award, expect=staff_only(readers=ALLOW)),
    Route("proposals.adjust", "POST", params=_draft_award, data=lambda w: ADJUST,
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("proposals.publish", params=_draft_call, expect=staff_only(readers=ALLOW)),
    Route("proposals.publish", "POST", params=_draft_call, data=lambda w: {"days": "5"},
          expect=staff_only(readers=DENY, officer=CONFLICT)),  # the application deadline has not passed
    # the world's proposal was made up without the reviews behind it, so its scores differ from the ranking:
    # republishing is what an officer must do (tests/awards/proposals/test_stage_guards.py has the 409)
    Route("proposals.republish", "POST", params=_publicized_call,
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("proposals.confirm", params=_publicized_call, expect=staff_only(readers=ALLOW)),
    Route("proposals.confirm", "POST", params=_publicized_call,  # the 公示 has not ended
          expect=staff_only(readers=DENY, officer=CONFLICT)),
]
