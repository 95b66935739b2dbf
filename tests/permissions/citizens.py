"""公众登录 and 我的参与 (/citizen/, issue 13): the sign-in pages are the visitor's; a signed-in staff or
organization account is refused (403: "请先退出当前账户") and a signed-in citizen is taken to 我的参与 (302).
Without a phone waiting for its code, the code step sends a visitor back to the first step."""
from tests.permissions.spec import ALLOW, DENY, LOGIN, Route, ok

STAFF_AND_ORGS = {"member": DENY, "expert": DENY, "officer": DENY, "auditor": DENY, "admin": DENY}
SIGN_IN = {"anonymous": ALLOW, **STAFF_AND_ORGS, "citizen": ok(302)}
NO_PHONE_WAITING = {"anonymous": LOGIN, **STAFF_AND_ORGS, "citizen": ok(302)}

ROUTES = [
    Route("citizens.login", expect=SIGN_IN),
    Route("citizens.login", "POST", expect=SIGN_IN),  # the form again, with what is missing
    Route("citizens.code", expect=NO_PHONE_WAITING),
    Route("citizens.code", "POST", expect=NO_PHONE_WAITING),
    Route("citizens.resend", "POST", expect=NO_PHONE_WAITING),
    Route("citizens.home", expect={"anonymous": LOGIN, **STAFF_AND_ORGS, "citizen": ALLOW}),
]
