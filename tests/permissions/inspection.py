"""Third-party supervision: agencies, staff and appointments (officers; auditors read); 我的监管项目 (a third party's
staff); a project's supervision page, 实地检查 and evaluations (the appointed agency's staff and the staff; the
officer confirms or returns). ``third_party`` works for agency A, appointed to org_a's project; ``third_party_other``
for agency B, appointed to org_b's: on A's objects B is a third party NOT appointed (403). Own: A's visit and
evaluation on contract_a (submitted); other: B's on contract_b. A wrong id is 404. The monitoring pages an appointed
third party opens (the project's timeline, a 整改 and its verification) have their third-party rows here too."""
from datetime import timedelta

from grantportal.core.db import db, utcnow
from grantportal.core.timeutil import local_today
from grantportal.core.uscc import make_uscc
from grantportal.inspection.models import (
    Appointment,
    CheckResult,
    EvaluationKind,
    IndicatorScore,
    InspectionVisit,
    ThirdPartyEvaluation,
    VisitCheck,
    VisitPhoto,
    WorkStatus,
)
from grantportal.inspection.operations import CHECKLIST
from tests.permissions.monitoring import monitoring_world
from tests.permissions.rectification import rectification_world
from tests.permissions.spec import ALLOW, BAD_REQUEST, CONFLICT, DENY, LOGIN, NOT_FOUND, Route, ok
from tests.permissions.world import stored_pdf

MISSING = 999_999
TARGETS = "直接服务社区长者200人次\n开展活动48场"


def inspection_world(w):
    """Agency A appointed to contract_a, agency B to contract_b (``appointment_a`` / ``appointment_b``); on each a
    submitted visit (with a photo) and a submitted 中期评估 of its agency: ``visit_a`` / ``visit_b``, ``photo_a`` /
    ``photo_b``, ``evaluation_a`` / ``evaluation_b``."""
    if getattr(w, "visit_a", None) is not None:
        return w
    monitoring_world(w)
    today = local_today()
    for side in ("a", "b"):
        contract, agency = getattr(w, f"contract_{side}"), getattr(w, f"agency_{side}")
        user = w.third_party if side == "a" else w.third_party_other
        contract.deliverables = TARGETS
        appointment = Appointment(agency=agency, contract=contract, starts_on=today - timedelta(days=30),
                                  ends_on=today + timedelta(days=365), created_by_id=w.officer.id)
        db.session.add(appointment)
        visit = InspectionVisit(contract=contract, agency=agency, visited_at=utcnow(), place="社区服务站",
                                findings="台账不完整", people_met="张某某（项目负责人）", status=WorkStatus.SUBMITTED,
                                created_by_id=user.id, submitted_at=utcnow(), submitted_by_id=user.id)
        visit.checks = [VisitCheck(position=i, item=item, result=CheckResult.MEETS) for i, item in enumerate(CHECKLIST)]
        photo = VisitPhoto(visit=visit, file=stored_pdf("现场.pdf"))
        evaluation = ThirdPartyEvaluation(contract=contract, agency=agency, kind=EvaluationKind.MIDTERM,
                                          surveyed=100, satisfaction=95, conclusion="良好", created_by_id=user.id,
                                          status=WorkStatus.SUBMITTED, submitted_at=utcnow(), submitted_by_id=user.id)
        evaluation.scores = [IndicatorScore(position=i, indicator=t, score=90)
                             for i, t in enumerate(TARGETS.splitlines())]
        db.session.add_all([visit, photo, evaluation])
        db.session.flush()
        setattr(w, f"appointment_{side}", appointment)
        setattr(w, f"visit_{side}", visit)
        setattr(w, f"photo_{side}", photo)
        setattr(w, f"evaluation_{side}", evaluation)
    db.session.commit()
    return w


def expect(officer=DENY, auditor=DENY, third_party=DENY, third_party_other=DENY, member=DENY):
    """The signed-in outsiders (expert, admin, citizen) get 403; the anonymous visitor the login page."""
    return {"anonymous": LOGIN, "member": member, "expert": DENY, "officer": officer, "auditor": auditor,
            "admin": DENY, "citizen": DENY, "third_party": third_party, "third_party_other": third_party_other}


def missing(outcome=NOT_FOUND):
    return {**{r: outcome for r in ("member", "expert", "officer", "auditor", "admin", "citizen", "third_party",
                                    "third_party_other")}, "anonymous": LOGIN}


def _agency(w):
    return {"agency_id": w.agency_a.id}


def _contract(side, **more):
    return lambda w: {"contract_id": getattr(inspection_world(w), f"contract_{side}").id, **more}


def _visit(side):
    return lambda w: {"visit_id": getattr(inspection_world(w), f"visit_{side}").id}


def _evaluation(side):
    return lambda w: {"evaluation_id": getattr(inspection_world(w), f"evaluation_{side}").id}


def _photo(side, photo_id=None):
    def params(w):
        inspection_world(w)
        return {"visit_id": getattr(w, f"visit_{side}").id, "photo_id": photo_id or getattr(w, f"photo_{side}").id}
    return params


def _missing(name):
    def params(w):
        inspection_world(w)
        return {name: MISSING}
    return params


def _agency_data(w):
    return {"name": "中山市第三方评估中心", "uscc": make_uscc("1", "442000", 82001, department="9"),
            "contact_name": "王主任", "contact_phone": "0760-88000000"}


def _staff_data(w):
    return {"username": "inspector_new", "name": "郑核查", "phone": "13800000009", "password": "Hecha-2026!xy",
            "password2": "Hecha-2026!xy"}


def _appointment_data(w):
    today = local_today()
    call_id = monitoring_world(w).contract_a.award.proposal.call_id  # a call with funded projects
    return {"call_id": str(call_id), "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=90)).isoformat()}


def _appointment(w):
    return {"appointment_id": inspection_world(w).appointment_a.id}


def _ended_appointment(w):
    """appointment_a, ended early already."""
    appointment = inspection_world(w).appointment_a
    appointment.ended_on, appointment.end_reason, appointment.ended_by_id = local_today(), "已提前结束", w.officer.id
    db.session.commit()
    return {"appointment_id": appointment.id}


def _end_data(w):
    return {"ended_on": local_today().isoformat(), "reason": "该机构人员变动，无法继续履行监管职责。"}


def _visit_data(w):
    data = {"visited_at": "2026-03-12T09:30", "place": "社区服务站", "findings": "", "people_met": "", "save": "1"}
    for i in range(len(CHECKLIST)):
        data[f"checks-{i}-result"] = "meets"
    return data


def _evaluation_data(w):
    return {"scores-0-score": "90", "scores-1-score": "85", "conclusion": "良好", "save": "1"}


def _both_staff(w):
    return {"contract_id": rectification_world(inspection_world(w)).contract_a.id}


def _case_a(w):
    return {"case_id": rectification_world(inspection_world(w)).case_a.id}


READ = expect(officer=ALLOW, auditor=ALLOW, third_party=ALLOW)

ROUTES = [
    # the officer's agencies
    Route("inspection.agencies", expect=expect(officer=ALLOW, auditor=ALLOW)),
    Route("inspection.create_agency", "POST", data=_agency_data, expect=expect(officer=ok(303))),
    Route("inspection.agency", params=_agency, expect=expect(officer=ALLOW, auditor=ALLOW)),
    Route("inspection.agency", params=lambda w: {"agency_id": MISSING}, expect=missing(), label="missing"),
    Route("inspection.add_staff", "POST", params=_agency, data=_staff_data, expect=expect(officer=ok(303))),
    Route("inspection.add_staff", "POST", params=lambda w: {"agency_id": MISSING}, data=_staff_data,
          expect=missing(), label="missing"),
    Route("inspection.appoint", "POST", params=_agency, data=_appointment_data, expect=expect(officer=ok(303))),
    Route("inspection.appoint", "POST", params=_agency, data=lambda w: {"starts_on": "2026-01-01"},
          expect=expect(officer=BAD_REQUEST), label="incomplete"),
    Route("inspection.appoint", "POST", params=lambda w: {"agency_id": MISSING}, data=_appointment_data,
          expect=missing(), label="missing"),
    # 提前结束 an appointment: the officer; the auditor reads the agency page but ends nothing
    Route("inspection.end_appointment", params=_appointment, expect=expect(officer=ALLOW)),
    Route("inspection.end_appointment", params=_missing("appointment_id"), expect=missing(), label="missing"),
    Route("inspection.end_appointment", "POST", params=_appointment, data=_end_data, expect=expect(officer=ok(303))),
    Route("inspection.end_appointment", "POST", params=_appointment, data=lambda w: {"ended_on": "2026-01-01"},
          expect=expect(officer=BAD_REQUEST), label="no-reason"),
    Route("inspection.end_appointment", "POST", params=_ended_appointment, data=_end_data,
          expect=expect(officer=CONFLICT), label="ended"),
    Route("inspection.end_appointment", "POST", params=_missing("appointment_id"), data=_end_data,
          expect=missing(), label="missing"),
    # the third party's projects
    Route("inspection.mine", expect=expect(third_party=ALLOW, third_party_other=ALLOW)),
    Route("inspection.project", params=_contract("a"), expect=READ, label="own"),
    Route("inspection.project", params=_contract("b"),
          expect=expect(officer=ALLOW, auditor=ALLOW, third_party_other=ALLOW), label="other"),
    Route("inspection.project", params=_missing("contract_id"), expect=missing(), label="missing"),
    # 实地检查
    Route("inspection.new_visit", params=_contract("a"), expect=expect(third_party=ALLOW), label="own"),
    Route("inspection.new_visit", "POST", params=_contract("a"), data=_visit_data,
          expect=expect(third_party=ok(303)), label="own"),
    Route("inspection.new_visit", "POST", params=_contract("b"), data=_visit_data,
          expect=expect(third_party_other=ok(303)), label="other"),
    Route("inspection.new_visit", params=_missing("contract_id"), expect=missing(), label="missing"),
    Route("inspection.visit", params=_visit("a"), expect=READ, label="own"),
    Route("inspection.visit", params=_visit("b"),
          expect=expect(officer=ALLOW, auditor=ALLOW, third_party_other=ALLOW), label="other"),
    Route("inspection.visit", params=_missing("visit_id"), expect=missing(), label="missing"),
    # submitted: waiting for the officer, no longer editable
    Route("inspection.visit", "POST", params=_visit("a"), data=_visit_data, expect=expect(third_party=CONFLICT),
          label="own"),
    Route("inspection.visit", "POST", params=_missing("visit_id"), data=_visit_data, expect=missing(),
          label="missing"),
    Route("inspection.decide_visit", "POST", params=_visit("a"), data=lambda w: {"confirm": "1"},
          expect=expect(officer=ok(303))),
    Route("inspection.decide_visit", "POST", params=_visit("a"), data=lambda w: {"send_back": "1"},
          expect=expect(officer=BAD_REQUEST), label="no-reason"),
    Route("inspection.decide_visit", "POST", params=_missing("visit_id"), data=lambda w: {"confirm": "1"},
          expect=missing(), label="missing"),
    Route("inspection.photo", params=_photo("a"), expect=READ, label="own"),
    Route("inspection.photo", params=_photo("b"),
          expect=expect(officer=ALLOW, auditor=ALLOW, third_party_other=ALLOW), label="other"),
    Route("inspection.photo", params=_photo("a", MISSING),
          expect=expect(officer=NOT_FOUND, auditor=NOT_FOUND, third_party=NOT_FOUND), label="missing"),
    # evaluations
    Route("inspection.new_evaluation", params=_contract("a", kind="final"), expect=expect(third_party=ALLOW),
          label="own"),
    Route("inspection.new_evaluation", params=_contract("a", kind="nonsense"), expect=expect(third_party=NOT_FOUND),
          label="bad-kind"),
    Route("inspection.new_evaluation", "POST", params=_contract("a", kind="final"), data=_evaluation_data,
          expect=expect(third_party=ok(303)), label="own"),
    Route("inspection.new_evaluation", "POST", params=_contract("a", kind="midterm"), data=_evaluation_data,
          expect=expect(third_party=CONFLICT), label="again"),  # the agency's 中期评估 exists: edit it instead
    Route("inspection.new_evaluation", params=_missing("contract_id"), expect=missing(), label="missing"),
    Route("inspection.evaluation", params=_evaluation("a"), expect=READ, label="own"),
    Route("inspection.evaluation", params=_evaluation("b"),
          expect=expect(officer=ALLOW, auditor=ALLOW, third_party_other=ALLOW), label="other"),
    Route("inspection.evaluation", params=_missing("evaluation_id"), expect=missing(), label="missing"),
    Route("inspection.evaluation", "POST", params=_evaluation("a"), data=_evaluation_data,
          expect=expect(third_party=CONFLICT), label="own"),
    Route("inspection.evaluation", "POST", params=_missing("evaluation_id"), data=_evaluation_data,
          expect=missing(), label="missing"),
    Route("inspection.decide_evaluation", "POST", params=_evaluation("a"), data=lambda w: {"confirm": "1"},
          expect=expect(officer=ok(303))),
    Route("inspection.decide_evaluation", "POST", params=_missing("evaluation_id"), data=lambda w: {"confirm": "1"},
          expect=missing(), label="missing"),
    # the monitoring pages of an appointed third party
    Route("monitoring.timeline", params=_both_staff,
          expect=expect(officer=ALLOW, auditor=ALLOW, third_party=ALLOW, member=ALLOW), label="third-party"),
    Route("rectification.case", params=_case_a,
          expect=expect(officer=ALLOW, auditor=ALLOW, third_party=ALLOW, member=ALLOW), label="third-party"),
    # 继续整改 without a reason: both verifiers pass the permission and are sent back to the form (the officer
    # would close the case before the third party's turn with 整改完成; tests/inspection verify it for real)
    Route("rectification.verify", "POST", params=_case_a, data=lambda w: {"verdict": "continue"},
          expect=expect(officer=BAD_REQUEST, third_party=BAD_REQUEST), label="third-party"),
]
