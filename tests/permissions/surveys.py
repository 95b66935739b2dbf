"""Satisfaction surveys (issue 13): a project's surveys page is the staff's, opening and closing one the officer's;
answering is the citizen's (an anonymous visitor is sent to 公众登录; staff and organization accounts are refused);
the results and the printable QR page are the staff's and the project's organization's. ``own``: an open survey on
org_a's project; ``other``: one on org_b's project."""
from tests.permissions.monitoring import monitoring_world
from tests.permissions.spec import ALLOW, DENY, LOGIN, Route, ok, staff_only


def surveys_world(w):
    """``survey_a`` (open on contract_a) and ``survey_b`` (open on contract_b)."""
    from datetime import timedelta

    from grantportal.core.db import db, utcnow
    from grantportal.surveys.models import DEFAULT_QUESTIONS, Survey

    if getattr(w, "survey_a", None) is not None:
        return w
    monitoring_world(w)
    now = utcnow()
    for side in ("a", "b"):
        survey = Survey(contract_id=getattr(w, f"contract_{side}").id, title="服务满意度调查",
                        questions=[dict(q) for q in DEFAULT_QUESTIONS], opens_at=now - timedelta(days=1),
                        closes_at=now + timedelta(days=7), created_by_id=w.officer.id)
        db.session.add(survey)
        setattr(w, f"survey_{side}", survey)
    db.session.commit()
    return w


def _contract(side="a"):
    return lambda w: {"contract_id": getattr(monitoring_world(w), f"contract_{side}").id}


def _survey(side):
    return lambda w: {"survey_id": getattr(surveys_world(w), f"survey_{side}").id}


def _citizen_only(citizen):
    return {"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": DENY, "auditor": DENY, "admin": DENY,
            "citizen": citizen}


def _staff_and_org(member):
    return {"anonymous": LOGIN, "member": member, "expert": DENY, "officer": ALLOW, "auditor": ALLOW, "admin": DENY,
            "citizen": DENY}


def _new_survey(w):
    from datetime import timedelta

    from grantportal.core.timeutil import local_today

    today = local_today()
    return {"title": "长者饭堂服务满意度调查", "opens_at": f"{today.isoformat()}T08:00",
            "closes_at": f"{(today + timedelta(days=14)).isoformat()}T18:00"}


ANSWER = {"attitude": "5", "timeliness": "4", "usefulness": "4", "professionalism": "5", "overall": "5",
          "comment": "服务很好"}

ROUTES = [
    Route("surveys.project", params=_contract("a"), expect=_staff_and_org(ALLOW), label="own"),
    Route("surveys.project", params=_contract("b"), expect=_staff_and_org(DENY), label="other"),
    Route("surveys.project", "POST", params=_contract("a"), data=_new_survey,
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("surveys.results", params=_survey("a"), expect=_staff_and_org(ALLOW), label="own"),
    Route("surveys.results", params=_survey("b"), expect=_staff_and_org(DENY), label="other"),
    Route("surveys.poster", params=_survey("a"), expect=_staff_and_org(ALLOW), label="own"),
    Route("surveys.poster", params=_survey("b"), expect=_staff_and_org(DENY), label="other"),
    Route("surveys.close", "POST", params=_survey("a"), data=lambda w: {"reason": "服务点装修，暂停服务。"},
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("surveys.answer", params=_survey("a"), expect=_citizen_only(ALLOW)),
    Route("surveys.mine", expect=_citizen_only(ALLOW)),
    Route("surveys.answer", "POST", params=_survey("a"), data=lambda w: ANSWER, expect=_citizen_only(ok(303))),
]
