"""随手拍 supervision reports (issue 13): filing from a project's page and the reporter's own pages are the
citizen's (an anonymous visitor is sent to 公众登录; staff and organization accounts are refused); the queue and a
report's page are the staff's, its steps the officer's; the project's organization sees and answers a report
only once asked. ``own``: the world citizen's report on org_a's project, assigned and asked to org_a; ``other``:
another citizen's report on org_b's project, waiting to be assigned."""
from tests.permissions.monitoring import monitoring_world
from tests.permissions.spec import ALLOW, CONFLICT, DENY, LOGIN, Route, ok, staff_only


def supervision_world(w):
    """``report_own`` (by the world's citizen on contract_a, assigned to the officer, org_a asked to answer, one
    photo ``report_photo_own``) and ``report_other`` (by another citizen on contract_b, pending, one photo)."""
    import io

    from PIL import Image

    from grantportal.core.db import db, utcnow
    from grantportal.core.files import StoredFile
    from grantportal.core.storage import get_storage
    from grantportal.supervision.models import SupervisionPhoto, SupervisionReport, SupervisionStatus
    from tests import factories as f

    if getattr(w, "report_own", None) is not None:
        return w
    monitoring_world(w)
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, format="JPEG")
    now = utcnow()
    other_citizen = f.CitizenFactory().user
    w.report_own = SupervisionReport(contract_id=w.contract_a.id, filed_by_id=w.citizen.id, filed_at=now,
                                     text="项目活动现场无人值守，宣传栏的服务时间与实际不符。", place="幸福社区",
                                     status=SupervisionStatus.ASSIGNED, assigned_to_id=w.officer.id,
                                     assigned_at=now, org_question="请说明活动安排。", org_asked_at=now,
                                     org_asked_by_id=w.officer.id)
    w.report_other = SupervisionReport(contract_id=w.contract_b.id, filed_by_id=other_citizen.id, filed_at=now,
                                       text="另一个项目的活动场地长期关闭，未见开展服务。",
                                       status=SupervisionStatus.PENDING)
    for report in (w.report_own, w.report_other):
        record = StoredFile(storage_key=get_storage().save(out.getvalue()), original_name="现场.jpg",
                            extension="jpg", content_type="image/jpeg", size=len(out.getvalue()), sha256="0" * 64)
        report.photos.append(SupervisionPhoto(file=record))
        db.session.add(report)
    db.session.commit()
    w.report_photo_own, w.report_photo_other = w.report_own.photos[0], w.report_other.photos[0]
    return w


def _contract(w):
    return {"contract_id": monitoring_world(w).contract_a.id}


def _report(side):
    return lambda w: {"report_id": getattr(supervision_world(w), f"report_{side}").id}


def _photo(side):
    def params(w):
        supervision_world(w)
        return {"report_id": getattr(w, f"report_{side}").id, "photo_id": getattr(w, f"report_photo_{side}").id}
    return params


def _citizen_only(citizen):
    """A citizen's page: anonymous visitors are sent to 公众登录, other accounts refused."""
    return {"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": DENY, "auditor": DENY, "admin": DENY,
            "citizen": citizen}


def _member_only(member):
    return {"anonymous": LOGIN, "member": member, "expert": DENY, "officer": DENY, "auditor": DENY, "admin": DENY,
            "citizen": DENY}


def _photo_expect(member, citizen):
    return {"anonymous": LOGIN, "member": member, "expert": DENY, "officer": ALLOW, "auditor": ALLOW, "admin": DENY,
            "citizen": citizen}


REPORT_FORM = {"text": "活动室门口的公示栏已经一个月没有更新活动安排。", "place": "幸福社区活动室"}

ROUTES = [
    Route("supervision.new", params=_contract, expect=_citizen_only(ALLOW)),
    Route("supervision.new", "POST", params=_contract, data=lambda w: REPORT_FORM, expect=_citizen_only(ok(303))),
    Route("supervision.mine", expect=_citizen_only(ALLOW)),
    Route("supervision.detail", params=_report("own"), expect=_citizen_only(ALLOW), label="own"),
    Route("supervision.detail", params=_report("other"), expect=_citizen_only(DENY), label="other"),
    Route("supervision.photo", params=_photo("own"), expect=_photo_expect(ALLOW, ALLOW), label="own"),
    Route("supervision.photo", params=_photo("other"), expect=_photo_expect(DENY, DENY), label="other"),
    Route("supervision.queue", expect=staff_only(readers=ALLOW)),
    Route("supervision.manage", params=_report("own"), expect=staff_only(readers=ALLOW)),
    Route("supervision.assign", "POST", params=_report("other"), data=lambda w: {"assignee": str(w.officer.id)},
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("supervision.ask_org", "POST", params=_report("other"), data=lambda w: {"question": "请说明情况。"},
          expect=staff_only(readers=DENY, officer=CONFLICT)),  # not assigned yet
    Route("supervision.conclude", "POST", params=_report("own"),
          data=lambda w: {"finding": "partly", "public_summary": "经核查，宣传栏已更新。"},
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("supervision.close", "POST", params=_report("other"),
          data=lambda w: {"kind": "abusive", "reason": "与本项目无关。"},
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("supervision.org_list", expect=_member_only(ALLOW)),
    Route("supervision.answer", params=_report("own"), expect=_member_only(ALLOW), label="own"),
    Route("supervision.answer", "POST", params=_report("own"), data=lambda w: {"answer": "已安排专人值守。"},
          expect=_member_only(ok(303)), label="own"),
    Route("supervision.answer", params=_report("other"), expect=_member_only(DENY), label="other"),
]
