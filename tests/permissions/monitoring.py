"""Implementation monitoring: the organization's projects, reports and photos (own: org_a's; other: org_b's),
the officer's monitoring list, report review, schedule, evaluation, reminders and closure. Staff read every
page; only officers act; only the funded organization's members file reports."""
from datetime import date

from grantportal.core.db import db
from tests.permissions.spec import ALLOW, CONFLICT, DENY, LOGIN, Route, ok, staff_only
from tests.permissions.world import awards_world


def monitoring_world(w):
    """Active contracts for award_a (org_a) and award_b (org_b) from 2026-01-01 with their report schedule;
    ``report_a`` / ``report_b`` their first reports; ``photo_a`` / ``photo_b`` a photo on each."""
    import io

    from PIL import Image

    from grantportal.awards.models import FinalStatus
    from grantportal.core.files import StoredFile
    from grantportal.core.storage import get_storage
    from grantportal.funding.contracts.operations import prepare_contract
    from grantportal.funding.models import ContractStatus
    from grantportal.monitoring.models import ReportPhoto
    from grantportal.monitoring.operations import reports_of, schedule_reports

    if getattr(w, "contract_a", None) is not None:
        return w
    awards_world(w, "final")
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, format="PNG")
    for side, award in (("a", w.award_a), ("b", w.award_b)):
        award.final_status = FinalStatus.SELECTED
        contract = prepare_contract(award, w.officer, date(2026, 1, 1))
        contract.status = ContractStatus.ACTIVE
        schedule_reports(contract, w.officer)
        report = reports_of(contract)[0]
        record = StoredFile(storage_key=get_storage().save(out.getvalue()), original_name="活动照片.png",
                            extension="png", content_type="image/png", size=len(out.getvalue()), sha256="0" * 64)
        photo = ReportPhoto(report=report, file=record)
        db.session.add(photo)
        db.session.flush()
        setattr(w, f"contract_{side}", contract)
        setattr(w, f"report_{side}", report)
        setattr(w, f"photo_{side}", photo)
    db.session.commit()
    return w


def _contract(side):
    return lambda w: {"contract_id": getattr(monitoring_world(w), f"contract_{side}").id}


def _report(side):
    return lambda w: {"report_id": getattr(monitoring_world(w), f"report_{side}").id}


def _photo(side):
    def params(w):
        monitoring_world(w)
        return {"report_id": getattr(w, f"report_{side}").id, "photo_id": getattr(w, f"photo_{side}").id}
    return params


def _member_and_staff(member):
    return {"anonymous": LOGIN, "member": member, "expert": DENY, "officer": ALLOW, "auditor": ALLOW,
            "admin": DENY}


def _member_only(member):
    return {"anonymous": LOGIN, "member": member, "expert": DENY, "officer": DENY, "auditor": DENY, "admin": DENY}


def _report_form(w):
    return {"activities": "开展社区探访。", "served_count": "12", "outcomes": "", "save": "y"}


ROUTES = [
    Route("monitoring.mine", expect=_member_only(ALLOW)),
    Route("monitoring.manage", expect=staff_only(readers=ALLOW)),
    Route("monitoring.remind", "POST", expect=staff_only(readers=DENY, officer=ok(303))),
    Route("monitoring.timeline", params=_contract("a"), expect=_member_and_staff(ALLOW), label="own"),
    Route("monitoring.timeline", params=_contract("b"), expect=_member_and_staff(DENY), label="other"),
    Route("monitoring.report", params=_report("a"), expect=_member_and_staff(ALLOW), label="own"),
    Route("monitoring.report", params=_report("b"), expect=_member_and_staff(DENY), label="other"),
    Route("monitoring.report", "POST", params=_report("a"), data=_report_form, expect=_member_only(CONFLICT),
          label="own"),  # the form sends no version: "changed elsewhere", nothing saved
    Route("monitoring.report", "POST", params=_report("b"), data=_report_form, expect=_member_only(DENY),
          label="other"),
    Route("monitoring.photo", params=_photo("a"), expect=_member_and_staff(ALLOW), label="own"),
    Route("monitoring.photo", params=_photo("b"), expect=_member_and_staff(DENY), label="other"),
    Route("monitoring.review_report", "POST", params=_report("a"), data=lambda w: {"accept": "y"},
          expect=staff_only(readers=DENY, officer=CONFLICT)),  # no version sent, as above
    Route("monitoring.schedule", "POST", params=_contract("a"), expect=staff_only(readers=DENY, officer=ok(303))),
    Route("monitoring.evaluate", params=_contract("a"), expect=staff_only(readers=ALLOW)),
    Route("monitoring.evaluate", "POST", params=_contract("a"),
          data=lambda w: {"stage": "midterm", "grade": "good", "comments": "良好"},
          expect=staff_only(readers=DENY, officer=CONFLICT)),  # no midterm report submitted yet
    Route("monitoring.close", "POST", params=_contract("a"),  # no acceptance review yet
          expect=staff_only(readers=DENY, officer=CONFLICT)),
]
