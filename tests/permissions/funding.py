"""Money of selected projects: payments and recoveries (officers record; staff read), the organization's
read-only view of its contract's money (own organization only), matched funds (own organization and
officers record; staff read), the call's funding summary and settings (staff read; officers change)."""
from datetime import date

from grantportal.core.timeutil import local_today
from tests.permissions.spec import ALLOW, CONFLICT, DENY, LOGIN, Route, ok, public, staff_only
from tests.permissions.world import awards_world


def funding_world(w):
    """Final results for the world's call with award_a (org_a) and award_b (org_b) 入选, each with an active
    contract (``contract_a``, ``contract_b``) and one matched fund (``fund_a``, ``fund_b``)."""
    if getattr(w, "contract_a", None) is not None:
        return w
    from decimal import Decimal

    from grantportal.awards.models import FinalStatus
    from grantportal.core.db import db
    from grantportal.funding.contracts.operations import prepare_contract
    from grantportal.funding.models import ContractStatus, FundSourceKind, MatchedFund

    awards_world(w, "final")
    for name in ("a", "b"):
        award = getattr(w, f"award_{name}")
        award.final_status = FinalStatus.SELECTED
        contract = prepare_contract(award, w.officer, date(2026, 1, 1))
        contract.status = ContractStatus.ACTIVE
        fund = MatchedFund(award=award, source_kind=FundSourceKind.ENTERPRISE, source_name="中山某公司",
                           name_public=True, pledged=Decimal("10000"), received=Decimal("0"),
                           recorded_by_id=w.officer.id)
        db.session.add(fund)
        setattr(w, f"contract_{name}", contract)
        setattr(w, f"fund_{name}", fund)
    db.session.commit()
    return w


def _contract(name):
    return lambda w: {"contract_id": getattr(funding_world(w), f"contract_{name}").id}


def _award(name):
    return lambda w: {"award_id": getattr(funding_world(w), f"award_{name}").id}


def _fund(name):
    return lambda w: {"fund_id": getattr(funding_world(w), f"fund_{name}").id}


def _call(w):
    return {"call_id": funding_world(w).call.id}


def _payment(w):
    return {"tranche": str(w.contract_a.tranches[0].id), "paid_on": local_today().isoformat(), "amount": "100",
            "voucher_number": "FK-1"}


def _recovery(w):
    return {"recovered_on": local_today().isoformat(), "amount": "100", "voucher_number": "SH-1", "reason": "违约"}


FUND = {"source_kind": "enterprise", "source_name": "中山某公司", "pledged": "1000", "received": ""}
SETTINGS = {"percent_1": "60", "condition_1": "signed", "percent_2": "40", "condition_2": "acceptance_passed",
            "contract_months": "12", "report_every_months": "3"}


def own_org(other=False, readers=ALLOW, officer=ALLOW, member=ALLOW):
    """The organization's members (own: ``member``; another organization's project: 403) and staff (the admin
    is not staff: 403)."""
    return {"anonymous": LOGIN, "member": DENY if other else member, "expert": DENY, "officer": officer,
            "auditor": readers, "admin": DENY}


SAVED = ok(303)  # saved, back to the list of matched funds


ROUTES = [
    Route("payments.index", params=_contract("a"), expect=staff_only(readers=ALLOW)),
    Route("payments.index", "POST", params=_contract("a"), data=_payment,
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("payments.record_recovery", "POST", params=_contract("a"), data=_recovery,  # nothing paid to recover
          expect=staff_only(readers=DENY, officer=CONFLICT)),
    Route("payments.contract_funding", params=_contract("a"), expect=own_org(), label="own"),
    Route("payments.contract_funding", params=_contract("b"), expect=own_org(other=True), label="other"),
    Route("matched.index", params=_award("a"), expect=own_org(), label="own"),
    Route("matched.index", params=_award("b"), expect=own_org(other=True), label="other"),
    Route("matched.new", params=_award("a"), expect=own_org(readers=DENY), label="own"),
    Route("matched.new", params=_award("b"), expect=own_org(other=True, readers=DENY), label="other"),
    Route("matched.new", "POST", params=_award("a"), data=lambda w: FUND,
          expect=own_org(readers=DENY, officer=SAVED, member=SAVED), label="own"),
    Route("matched.new", "POST", params=_award("b"), data=lambda w: FUND,
          expect=own_org(other=True, readers=DENY, officer=SAVED), label="other"),
    Route("matched.edit", params=_fund("a"), expect=own_org(readers=DENY), label="own"),
    Route("matched.edit", params=_fund("b"), expect=own_org(other=True, readers=DENY), label="other"),
    Route("matched.edit", "POST", params=_fund("a"), data=lambda w: FUND,
          expect=own_org(readers=DENY, officer=SAVED, member=SAVED), label="own"),
    Route("matched.edit", "POST", params=_fund("b"), data=lambda w: FUND,
          expect=own_org(other=True, readers=DENY, officer=SAVED), label="other"),
    Route("projects.index", expect=public()),
    Route("projects.call_projects", params=_call, expect=public(), published=True),
    Route("projects.project", params=_contract("a"), expect=public(), published=True),
    Route("funding.call_funding", params=_call, expect=staff_only(readers=ALLOW)),
    Route("funding.settings", params=_call, expect=staff_only(readers=ALLOW)),
    Route("funding.settings", "POST", params=_call, data=lambda w: SETTINGS,  # locked: contracts exist
          expect=staff_only(readers=DENY, officer=CONFLICT)),
]
