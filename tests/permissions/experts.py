"""Permission rows for the expert pool (专家库) and the expert's own pages.

"expert" is the world's expert (profile ``expert_profile``); "own" rows use that expert's objects, "other"
rows expert_b's. Officers keep the pool; auditors read it; nobody else sees an expert's record."""
from tests import factories as f
from tests.permissions.spec import ALLOW, DENY, LOGIN, NOT_FOUND, Route, ok, staff_only

OFFICER_ONLY = staff_only(readers=DENY)
OFFICER_REDIRECTED = staff_only(readers=DENY, officer=ok(302))
STAFF_READ = staff_only()
EXPERT_ONLY = {"anonymous": LOGIN, "member": DENY, "expert": ALLOW, "officer": DENY, "auditor": DENY,
               "admin": DENY}
EXPERT_REDIRECTED = {**EXPERT_ONLY, "expert": ok(302)}
NOBODY_SIGNED_IN = {"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": DENY, "auditor": DENY,
                    "admin": DENY}


def _profile(name):
    return lambda w: {"profile_id": getattr(w, name).expert_profile.id}


def own_profile(w):
    return {"profile_id": w.expert_profile.id}


def _affiliation(owner):
    def params(w):
        user = getattr(w, owner)
        return {"affiliation_id": f.ExpertAffiliationFactory(expert=user.expert_profile).id}
    return params


def _conflict(w):
    return {"conflict_id": w.expert_conflicted.expert_profile.conflicts[0].id}


def _profile_form(w):
    return {"title": "教授", "employer": "中山大学", "fields": ["养老服务"], "bio": "", "available": "1",
            "load_limit": "10"}


def _affiliation_form(w):
    return {"org_name": "中山大学", "org_uscc": "", "role": "员工", "started_on": "2015-09-01", "ended_on": ""}


def _conflict_form(w):
    return {"target": "org", "org_query": w.org_b.uscc, "reason": "曾为该机构提供督导服务"}


ROUTES = [
    # officers (auditors read)
    Route("experts.pool", expect=STAFF_READ),
    Route("experts.new", expect=OFFICER_ONLY),
    Route("experts.new", "POST", expect=OFFICER_ONLY),
    Route("experts.detail", params=own_profile, label="own", expect=STAFF_READ),
    Route("experts.detail", params=_profile("expert_b"), label="other", expect=STAFF_READ),
    Route("experts.edit", params=own_profile, expect=OFFICER_ONLY),
    Route("experts.edit", "POST", params=own_profile, data=_profile_form, expect=OFFICER_REDIRECTED),
    Route("experts.set_active", params=_profile("expert_b"), expect=OFFICER_ONLY),
    Route("experts.set_active", "POST", params=_profile("expert_b"),
          data=lambda w: {"active": "0", "reason": "长期出差"}, expect=OFFICER_REDIRECTED),
    Route("experts.set_conflict", params=_profile("expert_b"), expect=OFFICER_ONLY),
    Route("experts.set_conflict", "POST", params=_profile("expert_b"), data=_conflict_form,
          expect=OFFICER_REDIRECTED),
    Route("experts.withdraw_conflict", params=_conflict, expect=OFFICER_ONLY),
    Route("experts.withdraw_conflict", "POST", params=_conflict, data=lambda w: {"reason": "经核实已离任五年"},
          expect=OFFICER_REDIRECTED),
    # the expert's own pages
    Route("experts.profile", expect=EXPERT_ONLY),
    Route("experts.profile", "POST", data=_profile_form, expect=EXPERT_REDIRECTED),
    Route("experts.add_affiliation", expect=EXPERT_ONLY),
    Route("experts.add_affiliation", "POST", data=_affiliation_form, expect=EXPERT_REDIRECTED),
    Route("experts.edit_affiliation", params=_affiliation("expert"), label="own", expect=EXPERT_ONLY),
    Route("experts.edit_affiliation", params=_affiliation("expert_b"), label="other", expect=NOBODY_SIGNED_IN),
    Route("experts.edit_affiliation", "POST", params=_affiliation("expert"), data=_affiliation_form, label="own",
          expect=EXPERT_REDIRECTED),
    Route("experts.edit_affiliation", "POST", params=_affiliation("expert_b"), data=_affiliation_form,
          label="other", expect=NOBODY_SIGNED_IN),
    # the roles run in order: once the expert has deleted their affiliation, staff find nothing there (404);
    # staff are refused (403) on the "other" row, whose affiliation nobody deletes
    Route("experts.delete_affiliation", "POST", params=_affiliation("expert"), label="own",
          expect={**EXPERT_REDIRECTED, "officer": NOT_FOUND, "auditor": NOT_FOUND, "admin": NOT_FOUND}),
    Route("experts.delete_affiliation", "POST", params=_affiliation("expert_b"), label="other",
          expect=NOBODY_SIGNED_IN),
    Route("experts.conflicts", expect=EXPERT_ONLY),
    Route("experts.declare_conflict", expect=EXPERT_ONLY),
    Route("experts.declare_conflict", "POST", data=_conflict_form, expect=EXPERT_REDIRECTED),
]
