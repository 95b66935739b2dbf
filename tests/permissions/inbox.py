"""The inbox (站内消息): every signed-in user has one; another user's notice is a 404."""
from tests.permissions.spec import ALLOW, DENY, LOGIN, NOT_FOUND, Route, ok

SIGNED_IN = {"anonymous": LOGIN, "member": ALLOW, "expert": ALLOW, "officer": ALLOW, "auditor": ALLOW,
             "admin": ALLOW}
DONE = {role: (LOGIN if role == "anonymous" else ok(302)) for role in SIGNED_IN}
OWNER_ONLY = {**{role: NOT_FOUND for role in SIGNED_IN}, "anonymous": LOGIN, "member": ok(302)}

ROUTES = [
    Route("inbox.index", expect=SIGNED_IN),
    Route("inbox.read_all", "POST", expect=DONE),
    Route("inbox.read", "POST", params=lambda w: {"notice_id": w.notice_a.id}, expect=OWNER_ONLY, label="own"),
    Route("inbox.read", "POST", params=lambda w: {"notice_id": w.notice_b.id}, label="other",
          expect={**OWNER_ONLY, "member": NOT_FOUND}),
]

# 申报回执: whoever may see the application; an application without a received submission has none (404)
RECEIPT = {"anonymous": LOGIN, "member": ok(200), "expert": DENY, "officer": ok(200), "auditor": ok(200),
           "admin": DENY}
ROUTES += [
    Route("applications.receipt", params=lambda w: {"app_id": w.app_a_submitted.id}, expect=RECEIPT, label="own"),
    Route("applications.receipt", params=lambda w: {"app_id": w.app_b_submitted.id}, label="other",
          expect={**RECEIPT, "member": DENY, "officer": NOT_FOUND, "auditor": NOT_FOUND}),
    Route("applications.receipt", params=lambda w: {"app_id": w.app_a.id}, label="draft",
          expect={**RECEIPT, "officer": NOT_FOUND, "auditor": NOT_FOUND, "member": NOT_FOUND}),
]
