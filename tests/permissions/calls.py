"""Permission rows for the calls domain (项目征集)."""
from tests.permissions.spec import ALLOW, CONFLICT, DENY, NOT_FOUND, Route, ok, public, staff_only


def published(w):
    return {"call_id": w.call.id}


def draft(w):
    return {"call_id": w.call_draft.id}


OFFICER_ONLY = staff_only(readers=DENY)
OFFICER_CONFLICT = staff_only(readers=DENY, officer=CONFLICT)
OFFICER_REDIRECTED = staff_only(readers=DENY, officer=ok(302))
DRAFT_FOR_STAFF = {"anonymous": NOT_FOUND, "member": NOT_FOUND, "expert": NOT_FOUND, "officer": ALLOW,
                   "auditor": ALLOW, "admin": NOT_FOUND}

ROUTES = [
    Route("calls.public_list", expect=public()),
    Route("calls.public_detail", params=published, expect=public(), label="published"),
    Route("calls.public_detail", params=draft, expect=DRAFT_FOR_STAFF, label="draft"),
    Route("calls.manage", expect=staff_only()),
    Route("calls.create", expect=OFFICER_ONLY),
    Route("calls.create", "POST", expect=OFFICER_ONLY),
    Route("calls.edit", params=draft, expect=OFFICER_ONLY, label="draft"),
    Route("calls.edit", "POST", params=draft, expect=OFFICER_ONLY, label="draft"),
    Route("calls.edit", params=published, expect=OFFICER_ONLY, label="published"),
    Route("calls.edit", "POST", params=published, expect=OFFICER_ONLY, label="published"),
    Route("calls.publish", params=draft, expect=OFFICER_ONLY, label="draft"),
    Route("calls.publish", "POST", params=draft, expect=OFFICER_REDIRECTED, label="draft"),
    Route("calls.publish", params=published, expect=OFFICER_CONFLICT, label="published"),  # only drafts
    Route("calls.close", params=published, expect=OFFICER_ONLY, label="published"),
    Route("calls.close", "POST", params=published, expect=OFFICER_ONLY, label="published"),
    Route("calls.close", "POST", params=published, data=lambda w: {"confirm": "y"}, expect=OFFICER_REDIRECTED,
          label="published-confirmed"),
    Route("calls.close", params=draft, expect=OFFICER_CONFLICT, label="draft"),  # only published calls close
    Route("calls.create", params=lambda w: {"from": w.call.id}, expect=OFFICER_ONLY, label="copy"),
    Route("calls.create", params=lambda w: {"from": 2 ** 40}, expect=staff_only(readers=DENY, officer=NOT_FOUND),
          label="copy-unknown"),
    # the call's files (申报指南, 申报书模板)
    Route("files.manage", params=published, expect=staff_only(), label="published"),
    Route("files.manage", "POST", params=published, expect=OFFICER_ONLY, label="published"),  # no file: form again
    Route("files.remove", "POST", params=lambda w: {"call_id": w.call.id, "file_id": w.call_file.id},
          expect=OFFICER_REDIRECTED),
    Route("files.download", params=lambda w: {"call_id": w.call.id, "file_id": w.call_file.id}, expect=public(),
          label="published"),
    Route("files.download", params=lambda w: {"call_id": w.call_draft.id, "file_id": w.call_draft_file.id},
          expect=DRAFT_FOR_STAFF, label="draft"),
    Route("files.download", params=lambda w: {"call_id": w.call.id, "file_id": w.call_draft_file.id},
          expect={role: NOT_FOUND for role in DRAFT_FOR_STAFF}, label="other-call"),
]
