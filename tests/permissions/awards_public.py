"""The public results page, filing objections, the objector's pages and the officers' handling of
objections: every route × role. ``awards_world(w, "publicized")`` gives the call a published proposal;
``objection_b`` is member_b's (so "member", i.e. member_a, is refused it); ``own_objection`` is one filed
by the matrix's member against org_b's award."""
from grantportal.awards.models import Objection, ObjectionFile
from grantportal.core.db import db
from tests.permissions.spec import ALLOW, DENY, LOGIN, NOT_FOUND, ROLES, Route, ok, public, staff_only
from tests.permissions.world import awards_world, stored_pdf

DRAFT_FOR_STAFF = {"anonymous": NOT_FOUND, "member": NOT_FOUND, "expert": NOT_FOUND, "officer": ALLOW,
                   "auditor": ALLOW, "admin": NOT_FOUND}
NOT_STAFF = {"anonymous": LOGIN, "member": ALLOW, "expert": ALLOW, "officer": DENY, "auditor": DENY,
             "admin": ALLOW}  # the admin is not staff: like any signed-in person, may file (under their name)
FILED = {**NOT_STAFF, "member": ok(303), "expert": ok(303), "admin": ok(303)}  # to the objection just filed
OBJECTOR_OR_STAFF = {"anonymous": LOGIN, "member": ALLOW, "expert": DENY, "officer": ALLOW, "auditor": ALLOW,
                     "admin": DENY}
OTHERS_OBJECTION = {**OBJECTOR_OR_STAFF, "member": DENY}
NO_RESULTS = {r: NOT_FOUND for r in ROLES}  # no published results (or no such call): 404 for everyone
SIGNED_IN = {r: (LOGIN if r == "anonymous" else ALLOW) for r in ROLES}
ORG_OBJECTED_TO = {r: {"anonymous": LOGIN, "member": ALLOW}.get(r, DENY) for r in ROLES}


def own_objection(w):
    """An objection filed by the world's member (member_a) against org_b's award, with one file."""
    awards_world(w, "publicized")
    if getattr(w, "objection_a", None) is None:
        w.objection_a = Objection(award=w.award_b, filed_by=w.member, real_name="李明", contact="13900001111",
                                  reason="该项目的预算明细与实际服务规模明显不符，请核实。")
        w.objection_file_a = ObjectionFile(objection=w.objection_a, file=stored_pdf("现场照片说明.pdf"))
        db.session.add_all([w.objection_a, w.objection_file_a])
        db.session.commit()
    return w.objection_a


def _results(status):
    def params(w):
        awards_world(w, status)
        return {"call_id": w.call.id}
    return params


def _award(status):
    def params(w):
        awards_world(w, status)
        return {"award_id": w.award_a.id}
    return params


def _objection(which):
    def params(w):
        obj = own_objection(w) if which == "own" else awards_world(w).objection_b
        return {"objection_id": obj.id}
    return params


def _file(which):
    def params(w):
        own = own_objection(w)
        if which == "own":
            return {"objection_id": own.id, "file_id": w.objection_file_a.id}
        if which == "other":
            return {"objection_id": w.objection_b.id, "file_id": w.objection_file_b.id}
        return {"objection_id": own.id, "file_id": w.objection_file_b.id}  # another objection's file
    return params


def _objection_data(w):
    return {"real_name": "赵敏", "contact": "zhaomin@example.cn",
            "reason": "该项目与本机构去年的获资助项目内容雷同，请核实。"}


def _response_data(w):
    return {"response": "本项目服务对象为东区独居长者，与去年项目的服务内容不同，详见申报书第三部分。"}


def _decision_data(w):
    return {"outcome": "rejected", "investigation": "经核实，两个项目服务对象和内容不同。",
            "public_summary": "经核实，异议反映的问题不属实，维持公示结果。"}


ROUTES = [
    Route("proposals.public", params=_results("publicized"), expect=public(), label="publicized", published=True),
    Route("proposals.public", params=_results("final"), expect=public(), label="final", published=True),
    Route("proposals.public", params=lambda w: {"call_id": w.call.id}, expect=public(), label="not-yet"),
    Route("proposals.public", params=lambda w: {"call_id": w.call_draft.id}, expect=DRAFT_FOR_STAFF, label="draft"),
    Route("proposals.scores", params=_results("publicized"), expect=public(), label="publicized", published=True),
    Route("proposals.scores", params=_results("final"), expect=public(), label="final", published=True),
    Route("proposals.scores", params=lambda w: {"call_id": w.call.id}, expect=NO_RESULTS, label="not-yet"),
    Route("proposals.scores", params=_results("draft"), expect=NO_RESULTS, label="draft-proposal"),
    Route("proposals.scores", params=lambda w: {"call_id": w.call_draft.id}, expect=NO_RESULTS, label="draft"),
    Route("proposals.scores", params=lambda w: {"call_id": 999999}, expect=NO_RESULTS, label="unknown"),
    Route("proposals.scores_csv", params=_results("final"), expect=public(), label="final", published=True),
    Route("proposals.scores_csv", params=lambda w: {"call_id": w.call.id}, expect=NO_RESULTS, label="not-yet"),
    Route("proposals.scores_csv", params=_results("draft"), expect=NO_RESULTS, label="draft-proposal"),
    Route("proposals.scores_csv", params=lambda w: {"call_id": w.call_draft.id}, expect=NO_RESULTS, label="draft"),
    Route("proposals.scores_csv", params=lambda w: {"call_id": 999999}, expect=NO_RESULTS, label="unknown"),
    *[row for endpoint in ("proposals.draw", "proposals.draw_csv", "proposals.draw_json_download") for row in (
        Route(endpoint, params=_results("publicized"), expect=public(), label="publicized", published=True),
        Route(endpoint, params=_results("final"), expect=public(), label="final", published=True),
        Route(endpoint, params=lambda w: {"call_id": w.call.id}, expect=NO_RESULTS, label="not-yet"),
        Route(endpoint, params=_results("draft"), expect=NO_RESULTS, label="draft-proposal"),
        Route(endpoint, params=lambda w: {"call_id": w.call_draft.id}, expect=NO_RESULTS, label="draft"),
        Route(endpoint, params=lambda w: {"call_id": 999999}, expect=NO_RESULTS, label="unknown"))],

    Route("objections.new", params=_award("publicized"), expect=NOT_STAFF, published=True),
    Route("objections.new", "POST", params=_award("publicized"), data=_objection_data, expect=FILED,
          published=True),
    Route("objections.new", params=_award("draft"), label="draft",
          expect={**{r: NOT_FOUND for r in ROLES}, "anonymous": LOGIN}),

    Route("objections.mine", expect=SIGNED_IN),
    Route("objections.detail", params=_objection("own"), expect=OBJECTOR_OR_STAFF, label="own"),
    Route("objections.detail", params=_objection("other"), expect=OTHERS_OBJECTION, label="other"),
    Route("objections.evidence", params=_file("own"), expect=OBJECTOR_OR_STAFF, label="own"),
    Route("objections.evidence", params=_file("other"), expect=OTHERS_OBJECTION, label="other"),
    Route("objections.evidence", params=_file("mismatch"), label="mismatch",
          expect={**OBJECTOR_OR_STAFF, "member": NOT_FOUND, "officer": NOT_FOUND, "auditor": NOT_FOUND}),

    # the written response of the organization objected to: objection_b is against org_a's award (the member's)
    Route("objections.respond", params=_objection("other"), expect=ORG_OBJECTED_TO, label="to-own-org"),
    Route("objections.respond", params=_objection("own"), expect={**ORG_OBJECTED_TO, "member": DENY},
          label="to-other-org"),
    Route("objections.respond", "POST", params=_objection("other"), data=_response_data,
          expect={**ORG_OBJECTED_TO, "member": ok(303)}, label="to-own-org"),

    Route("objections.index", params=lambda w: {"call_id": awards_world(w).call.id}, expect=staff_only()),
    Route("objections.decide", params=_objection("other"), expect=staff_only()),
    Route("objections.decide", "POST", params=_objection("other"), data=_decision_data,
          expect=staff_only(readers=DENY, officer=ok(303))),
]
