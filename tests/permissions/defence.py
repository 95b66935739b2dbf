"""Permission rows for defence days (答辩日, issue 14): officers draw the running order, schedule slots and record
attendance; auditors read the page; organizations, experts and admins have no access. A round that is not a
defence round, or an id that does not exist, is 404 for everyone signed in."""
from tests.permissions.spec import CONFLICT, DENY, LOGIN, NOT_FOUND, ROLES, Route, ok, staff_only

STAFF = staff_only()
OFFICER_REDIRECTED = staff_only(readers=DENY, officer=ok(302))
OFFICER_CONFLICT = staff_only(readers=DENY, officer=CONFLICT)  # no application of the world has passed screening
OFFICER_FORM = staff_only(readers=DENY, officer=ok(200))  # the form shown again with its errors
MISSING = {r: (LOGIN if r == "anonymous" else NOT_FOUND) for r in ROLES}


def _defence_round(w):
    """A defence round of the world's call (made here: world.py is shared)."""
    if getattr(w, "defence_round", None) is None:
        from grantportal.core.db import db
        from grantportal.review.models import RoundKind
        from tests import factories as f

        w.defence_round = f.ReviewRoundFactory(call=w.call, name="答辩复评", kind=RoundKind.DEFENCE)
        db.session.commit()
    return w.defence_round


def defence(w):
    return {"round_id": _defence_round(w).id}


def not_defence(w):
    return {"round_id": w.round.id}


def missing_round(w):
    return {"round_id": 999_999}


def slot(w):
    """A slot of org_a's application in the defence round."""
    from datetime import timedelta

    from grantportal.core.db import db, utcnow
    from grantportal.review.models import DefenceSlot

    rnd = _defence_round(w)
    record = DefenceSlot(round_id=rnd.id, application_id=w.app_a_submitted.id, starts_at=utcnow() + timedelta(days=2),
                         minutes=20, venue="市民政局三楼会议室", created_by_id=w.officer.id)
    db.session.add(record)
    db.session.commit()
    return {"slot_id": record.id}


def missing_slot(w):
    return {"slot_id": 999_999}


def day_data(w):
    return {"day": "", "first_start": "", "minutes": "", "venue": ""}  # refused next to its fields: nothing saved


ROUTES = [
    Route("defence.day", params=defence, expect=STAFF),
    Route("defence.day", params=not_defence, expect=MISSING, label="not-defence"),
    Route("defence.day", params=missing_round, expect=MISSING, label="missing"),
    Route("defence.draw", "POST", params=defence, expect=OFFICER_CONFLICT),
    Route("defence.draw", "POST", params=missing_round, expect=MISSING, label="missing"),
    Route("defence.schedule", "POST", params=defence, data=day_data, expect=OFFICER_FORM),
    Route("defence.schedule", "POST", params=missing_round, data=day_data, expect=MISSING, label="missing"),
    Route("defence.attendance", "POST", params=slot, data=lambda w: {"status": "present"}, expect=OFFICER_REDIRECTED),
    Route("defence.attendance", "POST", params=missing_slot, data=lambda w: {"status": "present"}, expect=MISSING,
          label="missing"),
]
