"""The 整改 loop: opening a case (officers), its page and evidence (the funded organization's members and staff),
filing a 整改报告 (members of the funded organization only), verifying (officers). Own: org_a's case; other:
org_b's. Both cases wait for verification, with one evidence file each; a wrong id is 404."""
from datetime import timedelta

from grantportal.core.db import db, utcnow
from tests.permissions.monitoring import monitoring_world
from tests.permissions.spec import ALLOW, CONFLICT, DENY, LOGIN, NOT_FOUND, Route, ok, staff_only
from tests.permissions.world import stored_pdf

MISSING = 999_999


def rectification_world(w):
    """``case_a`` / ``case_b``: a 待核查 case on each contract, its report with ``evidence_a`` / ``evidence_b``."""
    from grantportal.monitoring.rectification_models import (
        CaseStatus,
        RectificationCase,
        RectificationEvidence,
        RectificationReport,
    )

    if getattr(w, "case_a", None) is not None:
        return w
    monitoring_world(w)
    for side in ("a", "b"):
        contract = getattr(w, f"contract_{side}")
        member = w.member if side == "a" else w.member_b
        pdf = stored_pdf("整改说明.pdf")
        case = RectificationCase(contract=contract, findings="服务台账不完整", deadline=utcnow() + timedelta(days=15),
                                 status=CaseStatus.REPORTED, opened_by_id=w.officer.id)
        report = RectificationReport(case=case, body="已补齐服务台账。", submitted_by_id=member.id)
        evidence = RectificationEvidence(report=report, file=pdf)
        db.session.add_all([case, report, evidence])
        db.session.flush()
        setattr(w, f"case_{side}", case)
        setattr(w, f"evidence_{side}", evidence)
    db.session.commit()
    return w


def _contract(side):
    return lambda w: {"contract_id": getattr(rectification_world(w), f"contract_{side}").id}


def _case(side):
    return lambda w: {"case_id": getattr(rectification_world(w), f"case_{side}").id}


def _missing_case(w):
    rectification_world(w)
    return {"case_id": MISSING}


def _evidence(side, evidence_id=None):
    def params(w):
        rectification_world(w)
        item = getattr(w, f"evidence_{side}")
        return {"case_id": getattr(w, f"case_{side}").id, "evidence_id": evidence_id or item.id}
    return params


def _member_and_staff(member, staff=ALLOW):
    return {"anonymous": LOGIN, "member": member, "expert": DENY, "officer": staff, "auditor": staff,
            "admin": DENY}


def _member_only(member):
    return {"anonymous": LOGIN, "member": member, "expert": DENY, "officer": DENY, "auditor": DENY, "admin": DENY}


def _everyone_signed_in(outcome):
    return {"anonymous": LOGIN, "member": outcome, "expert": outcome, "officer": outcome, "auditor": outcome,
            "admin": outcome}


def _findings(w):
    return {"findings": "志愿者培训未按计划开展"}


def _report(w):
    return {"body": "已补齐3月份探访记录。"}


ROUTES = [
    Route("rectification.open_case", params=_contract("a"), expect=staff_only(readers=DENY)),
    Route("rectification.open_case", "POST", params=_contract("a"), data=_findings,
          expect=staff_only(readers=DENY, officer=CONFLICT)),  # the project already has a case not closed
    Route("rectification.open_case", params=lambda w: {"contract_id": MISSING}, expect=_everyone_signed_in(NOT_FOUND),
          label="missing"),
    Route("rectification.case", params=_case("a"), expect=_member_and_staff(ALLOW), label="own"),
    Route("rectification.case", params=_case("b"), expect=_member_and_staff(DENY), label="other"),
    Route("rectification.case", params=_missing_case, expect=_everyone_signed_in(NOT_FOUND), label="missing"),
    Route("rectification.report", "POST", params=_case("a"), data=_report, expect=_member_only(CONFLICT),
          label="own"),  # a report already waits for verification
    Route("rectification.report", "POST", params=_case("b"), data=_report, expect=_member_only(DENY),
          label="other"),
    Route("rectification.report", "POST", params=_missing_case, data=_report,
          expect=_everyone_signed_in(NOT_FOUND), label="missing"),
    Route("rectification.verify", "POST", params=_case("a"), data=lambda w: {"verdict": "done"},
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("rectification.verify", "POST", params=_missing_case, data=lambda w: {"verdict": "done"},
          expect=_everyone_signed_in(NOT_FOUND), label="missing"),
    Route("rectification.evidence", params=_evidence("a"), expect=_member_and_staff(ALLOW), label="own"),
    Route("rectification.evidence", params=_evidence("b"), expect=_member_and_staff(DENY), label="other"),
    Route("rectification.evidence", params=_evidence("a", MISSING),
          expect=_member_and_staff(NOT_FOUND, NOT_FOUND), label="missing"),
]
