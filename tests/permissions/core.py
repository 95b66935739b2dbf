from tests.permissions.spec import ALLOW, DENY, LOGIN, NOT_FOUND, Route, ok, public

ROUTES = [
    Route("static", params=lambda w: {"filename": "css/site.css"}, expect=public()),
    Route("disclosure.index", expect=public()),
    Route("health.healthz", expect=public()),
    Route("health.readyz", expect=public()),
    # /metrics: the address decides, not the role (the test client is 127.0.0.1, in METRICS_ALLOW's default);
    # from any other address every role gets a 404 (tests/core/test_metrics.py)
    Route("metrics.metrics", expect=public()),
    Route("disclosure.results", expect=public()),
    Route("disclosure.help", expect=public()),
    Route("disclosure.search_page", params=lambda w: {"q": "机构"}, expect=public(), published=True),
    Route("accounts.login", expect=public()),
    Route("accounts.login", "POST", expect=public()),
    Route("accounts.logout", "POST", expect={"anonymous": LOGIN, "member": ok(302), "expert": ok(302),
                                             "officer": ok(302), "auditor": ok(302), "admin": ok(302)}),
    Route("accounts.register", expect={"anonymous": ALLOW, "member": DENY, "expert": DENY, "officer": DENY,
                                       "auditor": DENY, "admin": DENY}),
    Route("accounts.register", "POST", expect={"anonymous": ALLOW, "member": DENY, "expert": DENY,
                                               "officer": DENY, "auditor": DENY, "admin": DENY}),
    # 我的账户: every account with a password; a citizen has none (their page is 我的参与)
    Route("accounts.account", expect={"anonymous": LOGIN, "member": ALLOW, "expert": ALLOW, "officer": ALLOW,
                                      "auditor": ALLOW, "admin": ALLOW, "citizen": DENY}),
    Route("accounts.account", "POST", expect={"anonymous": LOGIN, "member": ALLOW, "expert": ALLOW,
                                              "officer": ALLOW, "auditor": ALLOW, "admin": ALLOW, "citizen": DENY}),
    Route("audit.index", expect={"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": ALLOW,
                                 "auditor": ALLOW, "admin": ALLOW, "citizen": DENY}),
]

# the audit chain (core/audit_chain.py): the auditor's check on everyone else, officers and administrators included
AUDITOR_ONLY = {"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": DENY, "auditor": ALLOW, "admin": DENY,
                "citizen": DENY}
ROUTES += [
    Route("audit.chain", expect=AUDITOR_ONLY),
    Route("audit.chain_heads", expect=AUDITOR_ONLY),
    Route("audit.verify_chain", "POST", expect={**AUDITOR_ONLY, "auditor": ok(302)}),
]

ADMIN_ONLY = {"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": DENY, "auditor": DENY, "admin": ALLOW,
              "citizen": DENY}
ROUTES += [
    Route("accounts.users", expect=ADMIN_ONLY),
    Route("accounts.new_user", expect=ADMIN_ONLY),
    Route("accounts.new_user", "POST", expect=ADMIN_ONLY),
    Route("accounts.toggle_user", "POST", params=lambda w: {"user_id": w.member.id},
          expect={**ADMIN_ONLY, "admin": ok(302)}),
]
ROUTES += [
    Route("accounts.reset_user_totp", "POST", params=lambda w: {"user_id": w.officer.id},
          expect={**ADMIN_ONLY, "admin": ok(302)}),
    # without a pending password step everyone is sent back to the login page
    Route("accounts.second_factor", expect=public(LOGIN)),
    Route("accounts.second_factor", "POST", expect=public(LOGIN)),
]

WITH_PASSWORD = {"anonymous": LOGIN, "member": ALLOW, "expert": ALLOW, "officer": ALLOW, "auditor": ALLOW,
                 "admin": ALLOW, "citizen": DENY}
ONLY_ANONYMOUS_404 = {"anonymous": NOT_FOUND, "member": DENY, "expert": DENY, "officer": DENY, "auditor": DENY,
                      "admin": DENY}
BOGUS_TOKEN = lambda w: {"token": "not-a-token"}  # noqa: E731  (every role sees an unknown link as not found)
ROUTES += [
    Route("accounts.forgot_password", expect=public()),
    Route("accounts.forgot_password", "POST", expect=public()),  # the form again, with what is missing
    Route("accounts.reset_password", params=BOGUS_TOKEN, expect=public(NOT_FOUND)),
    Route("accounts.reset_password", "POST", params=BOGUS_TOKEN, expect=public(NOT_FOUND)),
    Route("accounts.confirm_registration", params=BOGUS_TOKEN, expect=ONLY_ANONYMOUS_404),
    Route("accounts.confirm_registration", "POST", params=BOGUS_TOKEN, expect=ONLY_ANONYMOUS_404),
    Route("accounts.confirm_contact", params=BOGUS_TOKEN, expect=public(NOT_FOUND)),
    Route("accounts.confirm_contact", "POST", params=BOGUS_TOKEN, expect=public(NOT_FOUND)),
    Route("accounts.change_email", "POST", expect=WITH_PASSWORD),  # the account page again, with what is missing
    Route("accounts.change_phone", "POST", expect=WITH_PASSWORD),
    Route("accounts.send_reset", "POST", params=lambda w: {"user_id": w.member.id},
          expect={**ADMIN_ONLY, "admin": ok(302)}),
]
