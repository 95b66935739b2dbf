"""Permission rows for the organizations domain (社会组织).

"member" is the owner of org_a; "own" rows use org_a's objects, "other" rows org_b's."""
from tests.permissions.spec import ALLOW, CONFLICT, DENY, LOGIN, NOT_FOUND, Route, ok, public, staff_only

MEMBER_ONLY = {"anonymous": LOGIN, "member": ALLOW, "expert": DENY, "officer": DENY, "auditor": DENY,
               "admin": DENY}
MEMBER_REDIRECTED = {**MEMBER_ONLY, "member": ok(302)}
NOBODY_SIGNED_IN = {"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": DENY, "auditor": DENY,
                    "admin": DENY}
OFFICER_ONLY = staff_only(readers=DENY)
STAFF_READ = staff_only(readers=ALLOW)
SIGNED_OUT_ONLY = {"anonymous": ALLOW, "member": DENY, "expert": DENY, "officer": DENY, "auditor": DENY,
                   "admin": DENY}


def own(w):
    return {"org_id": w.org_a.id}


def other(w):
    return {"org_id": w.org_b.id}


ROUTES = [
    # organization accounts
    Route("orgs.mine", expect=MEMBER_ONLY),
    Route("orgs.register", expect=MEMBER_REDIRECTED),  # a member who already has an organization is redirected
    Route("orgs.register", "POST", expect=MEMBER_REDIRECTED),
    Route("orgs.edit", expect=MEMBER_ONLY),
    Route("orgs.edit", "POST", expect=MEMBER_ONLY),
    Route("orgs.certificate", params=own, label="own",
          expect={"anonymous": LOGIN, "member": ALLOW, "expert": DENY, "officer": ALLOW, "auditor": ALLOW,
                  "admin": DENY}),
    Route("orgs.certificate", params=other, label="other",
          expect={"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": ALLOW, "auditor": ALLOW,
                  "admin": DENY}),
    Route("orgs.documents", expect=MEMBER_ONLY),
    Route("orgs.documents", "POST", expect=MEMBER_ONLY),  # nothing chosen: the form again with its messages
    Route("orgs.document_file", params=lambda w: {"document_id": w.org_doc_a.id}, label="own",
          expect={"anonymous": LOGIN, "member": ALLOW, "expert": DENY, "officer": ALLOW, "auditor": ALLOW,
                  "admin": DENY}),
    Route("orgs.document_file", params=lambda w: {"document_id": w.org_doc_b.id}, label="other",
          expect={"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": ALLOW, "auditor": ALLOW,
                  "admin": DENY}),
    Route("orgs.remove_document", "POST", params=lambda w: {"document_id": w.org_doc_a.id}, label="own",
          expect=MEMBER_REDIRECTED),
    Route("orgs.remove_document", "POST", params=lambda w: {"document_id": w.org_doc_b.id}, label="other",
          expect=NOBODY_SIGNED_IN),
    Route("orgs.invite", "POST", expect=MEMBER_ONLY),
    Route("orgs.revoke_invitation", "POST", params=lambda w: {"invitation_id": w.invitation_a.id}, label="own",
          expect=MEMBER_REDIRECTED),
    Route("orgs.revoke_invitation", "POST", params=lambda w: {"invitation_id": w.invitation_b.id}, label="other",
          expect=NOBODY_SIGNED_IN),
    # the owner's own membership: past the permission check, then 409 (an owner cannot be removed), so the
    # row stays for the other roles; removing a real member is tested in tests/orgs
    Route("orgs.remove_member", "POST", params=lambda w: {"member_id": w.member.membership.id}, label="own",
          expect={**MEMBER_ONLY, "member": CONFLICT}),
    Route("orgs.remove_member", "POST", params=lambda w: {"member_id": w.member_b2.id}, label="other",
          expect=NOBODY_SIGNED_IN),
    Route("orgs.accept_invitation", params=lambda w: {"token": w.invitation_token_a}, expect=SIGNED_OUT_ONLY),
    Route("orgs.accept_invitation", "POST", params=lambda w: {"token": w.invitation_token_a},
          expect=SIGNED_OUT_ONLY),
    Route("orgs.accept_invitation", params=lambda w: {"token": "no-such-token"}, label="unknown",
          expect={**SIGNED_OUT_ONLY, "anonymous": NOT_FOUND}),
    # officers; auditors read
    Route("orgs.manage", expect=STAFF_READ),
    Route("orgs.manage_detail", params=own, label="own", expect=STAFF_READ),
    Route("orgs.manage_detail", params=other, label="other", expect=STAFF_READ),
    Route("orgs.verify", "POST", params=lambda w: {"org_id": w.org_pending.id},
          expect=staff_only(readers=DENY, officer=ok(302))),
    Route("orgs.verify_batch", expect=OFFICER_ONLY),
    Route("orgs.verify_batch", "POST", data=lambda w: {}, expect=OFFICER_ONLY),  # nothing ticked: form again
    Route("orgs.return_org", params=lambda w: {"org_id": w.org_pending.id}, expect=OFFICER_ONLY),
    Route("orgs.return_org", "POST", params=lambda w: {"org_id": w.org_pending.id}, expect=OFFICER_ONLY),
    Route("orgs.add_rating", params=own, expect=OFFICER_ONLY),
    Route("orgs.add_rating", "POST", params=own, expect=OFFICER_ONLY),
    Route("orgs.rating_validity", params=lambda w: {"announced_on": "2025-06-30"}, expect=OFFICER_ONLY),
    Route("orgs.lower_rating", params=lambda w: {"rating_id": w.rating_a.id}, expect=OFFICER_ONLY),
    Route("orgs.lower_rating", "POST", params=lambda w: {"rating_id": w.rating_a.id}, expect=OFFICER_ONLY),
    Route("orgs.revoke_rating", params=lambda w: {"rating_id": w.rating_a.id}, expect=OFFICER_ONLY),
    Route("orgs.revoke_rating", "POST", params=lambda w: {"rating_id": w.rating_a.id}, expect=OFFICER_ONLY),
    Route("orgs.add_inspection", params=own, expect=OFFICER_ONLY),
    Route("orgs.add_inspection", "POST", params=own, expect=OFFICER_ONLY),
    Route("orgs.add_sanction", params=own, expect=OFFICER_ONLY),
    Route("orgs.add_sanction", "POST", params=own, expect=OFFICER_ONLY),
    Route("orgs.lift_sanction", params=lambda w: {"sanction_id": w.sanction_a.id}, expect=OFFICER_ONLY),
    Route("orgs.lift_sanction", "POST", params=lambda w: {"sanction_id": w.sanction_a.id}, expect=OFFICER_ONLY),
    # public directory: verified organizations only
    Route("orgs.directory", expect=public()),
    Route("orgs.public_detail", params=own, label="verified", expect=public()),
    Route("orgs.public_detail", params=lambda w: {"org_id": w.org_pending.id}, label="pending",
          expect=public(NOT_FOUND)),
]
