"""Reads of matched funds and donations (配套资金 / 社会捐助): the leverage ratio (the "1+1+1" figure), the
names the public may see, whether a member may still change the records, and the call-level funding
summary of the selected projects (award, paid, recovered, matched funds) that the call's funding page
and the public project pages show.

Who records them: the selected project's own organization (its members) and officers; both go through
``funding.matched.operations.save_matched_fund`` and are audited. Members may record until the project is
closed (已结项) or terminated (已终止); officers may correct at any time.

Decisions:
- ``received`` may exceed ``pledged``: a donor may give more than promised, and an unsolicited donation
  is recorded with pledged 0. Both are ≥ 0, at least one of them > 0.
- An anonymous donation (匿名捐赠) has no name. An individual's name is personal data: shown publicly only
  with the donor's consent (``name_public``). A department's or enterprise's name is not personal data
  (``name_public`` is set).
- Every source counts as leveraged money, 政府部门 included: it is money other than the bureau's own award.
- A public pledge (公众认捐, ``pledges``) becomes a matched fund only once its organization confirmed receipt
  with evidence and an officer verified it: ``record_verified_pledge`` then adds one row of kind 公众认捐 with
  the amount received. Pledges promised, awaiting verification or returned have no row here, so nothing in
  these sums — the project page, the call's summary, the statistics — counts them. The row's name is the one
  the pledger chose to be shown (or 爱心人士); the pledger's account stays with the pledge.

The leverage ratio (杠杆率), per project::

    seed      = the award amount (政府资助, the bureau's seed money)
    social    = Σ received of the project's matched funds (撬动社会资金; pledges that have not arrived do not count)
    own       = application.matched_amount (机构自筹, the organization's own contribution planned in its budget:
                always its own term, never added to ``social`` — it is a plan, not money received)
    leverage  = (social + own) / seed, rounded half-up to two decimals; written "1:1.4"; None when seed is 0

and per call the same with each term summed over the call's selected projects (a ratio of sums, not an
average of ratios). Example: 5万, 3万 and 4万 → "政府资助 5万元，撬动社会资金 3万元、机构自筹 4万元，杠杆率 1:1.4".
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from grantportal.applications.models import Application
from grantportal.awards.models import Award, FinalStatus, Proposal
from grantportal.core.db import built_once, db
from grantportal.core.money import format_wan
from grantportal.funding.models import Contract, ContractStatus, FundSourceKind, MatchedFund
from grantportal.funding.queries import contract_of

ZERO = Decimal("0.00")
CLOSED = (ContractStatus.CLOSED, ContractStatus.TERMINATED)


def leverage_ratio(seed, social, own):
    """(social + own) / seed, half-up to two decimals; None when there is no seed money."""
    seed = Decimal(seed or 0)
    if seed <= 0:
        return None
    return ((Decimal(social or 0) + Decimal(own or 0)) / seed).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ratio_text(ratio):
    """1:1.4 (trailing zeros dropped); 不适用 without a ratio."""
    if ratio is None:
        return "不适用"
    text = f"{ratio:f}".rstrip("0").rstrip(".") if "." in f"{ratio:f}" else f"{ratio:f}"
    return f"1:{text}"


@dataclass(frozen=True)
class Leverage:
    seed: Decimal
    pledged: Decimal
    social: Decimal  # received
    own: Decimal

    @property
    def ratio(self):
        return leverage_ratio(self.seed, self.social, self.own)

    @property
    def ratio_text(self):
        return ratio_text(self.ratio)

    @property
    def words(self):
        return (f"政府资助 {format_wan(self.seed)}，撬动社会资金 {format_wan(self.social)}、"
                f"机构自筹 {format_wan(self.own)}，杠杆率 {self.ratio_text}")


def fund_sums(award):
    """(pledged, received) of the project's matched funds."""
    pledged, received = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(MatchedFund.pledged), 0),
                  sa.func.coalesce(sa.func.sum(MatchedFund.received), 0))
        .where(MatchedFund.award_id == award.id)).one()
    return Decimal(pledged).quantize(ZERO), Decimal(received).quantize(ZERO)


def project_leverage(award, funds=None):
    """The project's ``Leverage``; its matched funds summed from ``funds`` when the page has them loaded."""
    if funds is None:
        pledged, received = fund_sums(award)
    else:
        pledged = sum((f.pledged for f in funds), ZERO).quantize(ZERO)
        received = sum((f.received for f in funds), ZERO).quantize(ZERO)
    return Leverage(award.amount or ZERO, pledged, received, award.application.matched_amount or ZERO)


def funds_of(award):
    """The project's matched funds and donations, in the order they were recorded."""
    return db.session.scalars(_funds_of(), {"award_id": award.id}).all()


@built_once
def _funds_of():
    return sa.select(MatchedFund).where(MatchedFund.award_id == sa.bindparam("award_id")).order_by(MatchedFund.id)


def public_name(fund):
    """The name as the public may see it: anonymous → 匿名; an individual without consent → 个人捐赠者."""
    if fund.source_kind == FundSourceKind.ANONYMOUS:
        return "匿名"
    if fund.source_kind == FundSourceKind.INDIVIDUAL and not fund.name_public:
        return "个人捐赠者"
    return fund.source_name


def may_member_change(award):
    contract = contract_of(award)
    return contract is None or contract.status not in CLOSED


# --- the call-level funding summary ------------------------------------------------------------------------

@dataclass(frozen=True)
class SummaryRow:
    award: object
    contract: object
    seed: Decimal
    paid: Decimal
    recovered: Decimal
    pledged: Decimal
    social: Decimal
    own: Decimal

    @property
    def leverage(self):
        return Leverage(self.seed, self.pledged, self.social, self.own)


def _summary_columns(call):
    """The money columns of the call's projects and the joins they need: paid and recovered from each contract's
    own row (``Contract.paid`` / ``Contract.recovered``, kept by the payment operations), matched funds summed
    over the call's own awards only (not the rows of the whole platform on each request)."""
    awards = sa.select(Award.id).join(Proposal, Proposal.id == Award.proposal_id).where(Proposal.call_id == call.id)
    funds = (sa.select(MatchedFund.award_id, sa.func.sum(MatchedFund.pledged).label("pledged"),
                       sa.func.sum(MatchedFund.received).label("received"))
             .where(MatchedFund.award_id.in_(awards)).group_by(MatchedFund.award_id).subquery())
    money = [Award.amount, sa.func.coalesce(Contract.paid, 0), sa.func.coalesce(Contract.recovered, 0),
             sa.func.coalesce(funds.c.pledged, 0), sa.func.coalesce(funds.c.received, 0),
             sa.func.coalesce(Application.matched_amount, 0)]

    def joined(query):
        return (query.select_from(Award).join(Application, Application.id == Award.application_id)
                .outerjoin(Contract, Contract.award_id == Award.id)
                .outerjoin(funds, funds.c.award_id == Award.id))
    return money, joined


def _selected(query, call):
    return query.join(Proposal, Proposal.id == Award.proposal_id).where(
        Proposal.call_id == call.id, Award.final_status == FinalStatus.SELECTED)


def _money(values):
    return [Decimal(v or 0).quantize(ZERO) for v in values]


def call_summary_count(call):
    return db.session.scalar(_selected(sa.select(sa.func.count()).select_from(Award), call))


def call_summary_rows(call, offset, limit):
    """One ``SummaryRow`` per selected project of the call (by level, rank), in one query."""
    money, joined = _summary_columns(call)
    query = _selected(joined(sa.select(Award, Contract, *money)), call).options(
        contains_eager(Award.application).joinedload(Application.org)).order_by(
        Award.level, Award.rank.is_(None), Award.rank, Award.id).offset(offset).limit(limit)
    return [SummaryRow(award, contract, *_money(values)) for award, contract, *values in db.session.execute(query)]


def call_summary_totals(call):
    """Sums over all the call's selected projects (not only the page shown): seed, paid, recovered,
    pledged, social, own — as a ``SummaryRow`` without award or contract."""
    money, joined = _summary_columns(call)
    row = db.session.execute(_selected(joined(sa.select(*[sa.func.sum(c) for c in money])), call)).one()
    return SummaryRow(None, None, *_money(row))
