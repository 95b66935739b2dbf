"""Public pledges (公众认捐, issue 13): pledging from a project's page and the pledger's own pages are the citizen's (an
anonymous visitor is sent to 公众登录; staff and organization accounts are refused); the pledges to an organization's
projects and confirming receipt are its members'; the evidence is the organization's and the staff's; the queue and
a pledge's page are the staff's, verifying and returning the officer's. ``own``: the world citizen's pledges on
org_a's project (``pledge_own`` 已认捐, ``pledge_received`` 待核实 with evidence); ``other``: another citizen's
pledge on org_b's project (待核实 with evidence)."""
from tests.permissions.monitoring import monitoring_world
from tests.permissions.spec import ALLOW, BAD_REQUEST, DENY, LOGIN, Route, ok, staff_only


def pledges_world(w):
    """``pledge_own`` (by the world's citizen on contract_a, 已认捐), ``pledge_received`` (by the world's citizen
    on contract_a, 待核实, with evidence) and ``pledge_other`` (by another citizen on contract_b, 待核实, with
    evidence)."""
    from datetime import timedelta
    from decimal import Decimal

    from grantportal.core.db import db, utcnow
    from grantportal.core.timeutil import local_today
    from grantportal.pledges.models import DonorKind, Pledge, PledgeStatus
    from tests import factories as f
    from tests.permissions.world import stored_pdf

    if getattr(w, "pledge_own", None) is not None:
        return w
    monitoring_world(w)
    now = utcnow() - timedelta(days=2)
    other_citizen = f.CitizenFactory().user

    def pledge(contract, by, status, **more):
        item = Pledge(contract_id=contract.id, pledged_by_id=by.id, pledged_at=now, amount=Decimal("2000.00"),
                      donor_kind=DonorKind.INDIVIDUAL, anonymous=False, public_name="陈先生", status=status, **more)
        db.session.add(item)
        return item

    def received(by):
        return dict(received_on=local_today(), received_amount=Decimal("2000.00"), receipt_at=now,
                    receipt_by_id=by.id, evidence_file=stored_pdf("银行回单.pdf"))

    w.pledge_own = pledge(w.contract_a, w.citizen, PledgeStatus.PLEDGED)
    w.pledge_received = pledge(w.contract_a, w.citizen, PledgeStatus.RECEIVED, **received(w.member))
    w.pledge_other = pledge(w.contract_b, other_citizen, PledgeStatus.RECEIVED, **received(w.member_b))
    db.session.commit()
    return w


def _contract(w):
    return {"contract_id": monitoring_world(w).contract_a.id}


def _pledge(name):
    return lambda w: {"pledge_id": getattr(pledges_world(w), f"pledge_{name}").id}


def _citizen_only(citizen):
    """A citizen's page: anonymous visitors are sent to 公众登录, other accounts refused."""
    return {"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": DENY, "auditor": DENY, "admin": DENY,
            "citizen": citizen}


def _member_only(member):
    return {"anonymous": LOGIN, "member": member, "expert": DENY, "officer": DENY, "auditor": DENY, "admin": DENY,
            "citizen": DENY}


def _evidence_expect(member):
    return {"anonymous": LOGIN, "member": member, "expert": DENY, "officer": ALLOW, "auditor": ALLOW, "admin": DENY,
            "citizen": DENY}


def _receipt_form():
    from grantportal.core.timeutil import local_today

    return {"received_on": local_today().isoformat(), "amount": "2000"}


PLEDGE_FORM = {"amount": "500", "donor_kind": "individual", "display": "named", "public_name": "陈先生"}

ROUTES = [
    Route("pledges.new", params=_contract, expect=_citizen_only(ALLOW)),
    Route("pledges.new", "POST", params=_contract, data=lambda w: PLEDGE_FORM, expect=_citizen_only(ok(303))),
    Route("pledges.mine", expect=_citizen_only(ALLOW)),
    Route("pledges.detail", params=_pledge("own"), expect=_citizen_only(ALLOW), label="own"),
    Route("pledges.detail", params=_pledge("other"), expect=_citizen_only(DENY), label="other"),
    Route("pledges.withdraw", "POST", params=_pledge("own"), expect=_citizen_only(ok(303)), label="own"),
    Route("pledges.withdraw", "POST", params=_pledge("other"), expect=_citizen_only(DENY), label="other"),
    Route("pledges.org_list", expect=_member_only(ALLOW)),
    Route("pledges.receipt", params=_pledge("own"), expect=_member_only(ALLOW), label="own"),
    Route("pledges.receipt", params=_pledge("other"), expect=_member_only(DENY), label="other"),
    # allowed, but a confirmation without its evidence is refused next to the field
    Route("pledges.receipt", "POST", params=_pledge("own"),
          data=lambda w: _receipt_form(), expect=_member_only(BAD_REQUEST),
          label="own"),
    Route("pledges.receipt", "POST", params=_pledge("other"),
          data=lambda w: _receipt_form(), expect=_member_only(DENY), label="other"),
    Route("pledges.evidence", params=_pledge("received"), expect=_evidence_expect(ALLOW), label="own"),
    Route("pledges.evidence", params=_pledge("other"), expect=_evidence_expect(DENY), label="other"),
    Route("pledges.queue", expect=staff_only(readers=ALLOW)),
    Route("pledges.manage", params=_pledge("received"), expect=staff_only(readers=ALLOW)),
    Route("pledges.verify", "POST", params=_pledge("received"), expect=staff_only(readers=DENY, officer=ok(303))),
    Route("pledges.send_back", "POST", params=_pledge("received"),
          data=lambda w: {"reason": "凭证上的付款人与认捐编号不符。"},
          expect=staff_only(readers=DENY, officer=ok(303))),
]
