"""Public pages of funded projects (项目执行公开): the calls with final results (the index); for a call with final
results, every selected project with its contract state, money paid and money leveraged; and one page per
project whose contract is in force — the contract's number and term, each tranche and payment, recoveries,
matched funds, report deadlines kept and evaluation grades. The page appears when the officer confirms the
signed contract (so a purchase contract is public well within the two working days the rules allow). Nothing
personal: individual donors are named only with their consent (``funding.matched.queries.public_name``) and
free text is masked on the server."""
import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from grantportal.awards.models import ProposalStatus
from grantportal.awards.proposals.queries import count_published_results, proposal_of, published_results
from grantportal.calls.models import Call
from grantportal.calls.permissions import can_view_call
from grantportal.core.db import db
from grantportal.core.paging import Pager, get_or_404, page_number
from grantportal.core.permissions import can_view_public_pages, require
from grantportal.disclosure.projects.permissions import IN_FORCE, can_view_public_project
from grantportal.funding.matched import queries as matched
from grantportal.funding.models import Contract, MatchedFund, Payment
from grantportal.funding.payments.tranches import tranche_states
from grantportal.funding.queries import project_contract, totals
from grantportal.monitoring.models import ReportStatus
from grantportal.monitoring.operations import evaluations_of, reports_of

bp = Blueprint("projects", __name__)

PER_PAGE = 50
MAX_CALLS_PAGE = 200


@bp.route("/projects/")
def index():
    """项目执行: the calls with final results, each linking to its selected projects' execution."""
    require(can_view_public_pages(current_user))
    pager = Pager(count_published_results(final_only=True), page_number(MAX_CALLS_PAGE), PER_PAGE)
    return render_template("disclosure/project_calls.html", pager=pager,
                           rows=published_results(pager.start, PER_PAGE, final_only=True))


@bp.route("/calls/<int:call_id>/projects")
def call_projects(call_id):
    call = get_or_404(Call, call_id)
    if not can_view_call(current_user, call):
        abort(404)  # a draft call's existence is not public
    proposal = proposal_of(call)
    if proposal is None or proposal.status != ProposalStatus.FINAL:
        return render_template("disclosure/projects.html", call=call, rows=None)
    pager = Pager(matched.call_summary_count(call), page_number(1000), PER_PAGE)
    return render_template("disclosure/projects.html", call=call, pager=pager, IN_FORCE=IN_FORCE,
                           rows=matched.call_summary_rows(call, pager.start, PER_PAGE),
                           totals=matched.call_summary_totals(call))


@bp.route("/projects/<int:contract_id>")
def project(contract_id):
    contract = project_contract(contract_id, selectinload(Contract.payments).joinedload(Payment.tranche),
                                selectinload(Contract.recoveries))
    if contract is None or not can_view_public_project(current_user, contract):
        abort(404)
    award = contract.award
    funds = db.session.scalars(sa.select(MatchedFund).where(MatchedFund.award_id == award.id)
                               .order_by(MatchedFund.id)).all()
    reports = [r for r in reports_of(contract) if r.status != ReportStatus.WAIVED]
    payments = sorted(contract.payments, key=lambda p: (p.paid_on, p.id))
    return render_template(
        "disclosure/project.html", contract=contract, award=award, app=award.application,
        call=award.proposal.call, states=tranche_states(contract), totals=totals(contract), payments=payments,
        recoveries=sorted(contract.recoveries, key=lambda r: (r.recovered_on, r.id)), funds=funds,
        public_name=matched.public_name, leverage=matched.project_leverage(award), reports=reports,
        evaluations=evaluations_of(contract))
