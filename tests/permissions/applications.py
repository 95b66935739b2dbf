"""Applications (申报) and screening: every route × role, on org_a's objects ("own") and org_b's ("other")."""
from tests.permissions.spec import ALLOW, CONFLICT, DENY, LOGIN, Route, ok, staff_only
from tests.permissions.world import attachment_of


def member_only(member=ALLOW):
    return {"anonymous": LOGIN, "member": member, "expert": DENY, "officer": DENY, "auditor": DENY,
            "admin": DENY}


def readers(member=ALLOW):
    """Members of the applicant organization and staff read; experts and admins never."""
    return {"anonymous": LOGIN, "member": member, "expert": DENY, "officer": ALLOW, "auditor": ALLOW,
            "admin": DENY}


def _app(name):
    return lambda w: {"app_id": getattr(w, name).id}


def _version(name):
    return lambda w: {"version": str(getattr(w, name).version)}


def _signed(name):
    """The submit form: the version and the 诚信承诺书 signed."""
    return lambda w: {"version": str(getattr(w, name).version), "pledge_signer": "陈嘉慧琳", "pledge_agree": "y"}


def _attachment(name):
    def params(w):
        app = getattr(w, name)
        return {"app_id": app.id, "attachment_id": attachment_of(app).id}
    return params


def _form(w):
    return {"level": "city", "category": "养老服务", "title": "社区长者助餐", "budget-0-category": "活动经费",
            "budget-0-item": "食材", "budget-0-amount": "50000", "budget-0-source": "grant", "save": "保存草稿",
            "version": str(w.app_a.version)}


ROUTES = [
    Route("applications.mine", expect=member_only()),
    # org_a already has two applications in the call, the most one organization may make: the form sends the
    # member back to their list, and a new one is refused
    Route("applications.new", params=lambda w: {"call_id": w.call.id}, expect=member_only(ok(302))),
    Route("applications.new", "POST", params=lambda w: {"call_id": w.call.id}, data=_form,
          expect=member_only(CONFLICT)),

    Route("applications.detail", params=_app("app_a_submitted"), expect=readers(), label="own"),
    Route("applications.detail", params=_app("app_b_submitted"), expect=readers(member=DENY), label="other"),
    Route("applications.edit", params=_app("app_a"), expect=member_only(), label="own"),
    Route("applications.edit", params=_app("app_b"), expect=member_only(DENY), label="other"),
    Route("applications.edit", "POST", params=_app("app_a"), data=_form, expect=member_only(ok(302)),
          label="own"),
    Route("applications.edit", "POST", params=_app("app_b"), data=_form, expect=member_only(DENY),
          label="other"),
    Route("applications.submit", "POST", params=_app("app_a"), data=_signed("app_a"), expect=member_only(),
          label="own"),
    Route("applications.submit", "POST", params=_app("app_b"), data=_signed("app_b"),
          expect=member_only(DENY), label="other"),
    Route("applications.withdraw", params=_app("app_a_submitted"), expect=member_only(), label="own"),
    Route("applications.withdraw", params=_app("app_b_submitted"), expect=member_only(DENY), label="other"),
    Route("applications.withdraw", "POST", params=_app("app_a_submitted"), data=_version("app_a_submitted"),
          expect=member_only(ok(302)), label="own"),
    Route("applications.withdraw", "POST", params=_app("app_b_submitted"), data=_version("app_b_submitted"),
          expect=member_only(DENY), label="other"),
    Route("applications.attachment", params=_attachment("app_a"), expect=readers(), label="own"),
    Route("applications.attachment", params=_attachment("app_b"), expect=readers(member=DENY), label="other"),
    Route("applications.remove_attachment", "POST", params=_attachment("app_a"), expect=member_only(ok(302)),
          label="own"),
    Route("applications.remove_attachment", "POST", params=_attachment("app_b"), expect=member_only(DENY),
          label="other"),

    Route("applications.return_for_revision", params=_app("app_a_submitted"), expect=staff_only(readers=DENY)),
    Route("applications.return_for_revision", "POST", params=_app("app_a_submitted"),
          data=lambda w: {"reason": "请补充预算依据。", "revise_until": "2099-01-01T17:00",
                          "version": str(w.app_a_submitted.version)},
          expect=staff_only(readers=DENY, officer=CONFLICT)),  # already in expert review: cannot go back
    Route("applications.screen", params=_app("app_a_submitted"), expect=staff_only(readers=DENY)),
    Route("applications.screen", "POST", params=_app("app_a_submitted"),
          data=lambda w: {"outcome": "failed", "note": "年检材料不全。", "version": str(w.app_a_submitted.version)},
          expect=staff_only(readers=DENY, officer=CONFLICT)),  # no digest of the checks shown: "they changed"
    Route("applications.call_list", params=lambda w: {"call_id": w.call.id}, expect=staff_only()),
    Route("applications.screen_batch", params=lambda w: {"call_id": w.call.id}, expect=staff_only(readers=DENY)),
    Route("applications.screen_batch", "POST", params=lambda w: {"call_id": w.call.id}, data=lambda w: {},
          expect=staff_only(readers=DENY)),  # nothing ticked: the form comes back with its messages
]
