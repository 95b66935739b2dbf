"""Reads shared by the third-party pages, their permissions and the domains above (monitoring shows a project's
visits and evaluations on its page and timeline, and asks ``is_appointed`` for 整改 verification)."""
import re

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from grantportal.accounts.models import User
from grantportal.applications.models import Application
from grantportal.awards.models import Award, Proposal
from grantportal.calls.models import Call
from grantportal.core.db import db
from grantportal.core.permissions import has_role
from grantportal.core.roles import Role
from grantportal.core.timeutil import local_today
from grantportal.funding.models import Contract, ContractStatus
from grantportal.inspection.models import (
    Agency,
    AgencyStaff,
    Appointment,
    InspectionVisit,
    ThirdPartyEvaluation,
    WorkStatus,
)

# the contracts a third party supervises: signed and in force, or finished (a closed project's files stay readable)
SUPERVISED = (ContractStatus.ACTIVE, ContractStatus.CLOSED)


def agency_of(user):
    """The agency a third-party account works for, or None (any other account, or one not yet linked)."""
    if not has_role(user, Role.THIRD_PARTY):
        return None
    return db.session.scalar(sa.select(Agency).join(AgencyStaff, AgencyStaff.agency_id == Agency.id)
                             .where(AgencyStaff.user_id == user.id))


def _covering(contract):
    """Appointments that cover ``contract``: to the project itself or to its call."""
    call_id = sa.select(Proposal.call_id).join(Award, Award.proposal_id == Proposal.id).where(
        Award.id == contract.award_id).scalar_subquery()
    return sa.or_(Appointment.contract_id == contract.id, Appointment.call_id == call_id)


def appointments_for(contract, agency_id=None):
    query = (sa.select(Appointment).where(_covering(contract)).options(joinedload(Appointment.agency))
             .order_by(Appointment.starts_on, Appointment.id))
    if agency_id is not None:
        query = query.where(Appointment.agency_id == agency_id)
    return db.session.scalars(query).all()


def is_appointed(user, contract, today=None):
    """Is ``user`` staff of an agency appointed to ``contract`` (to it or its call) on ``today`` (local)?"""
    agency = agency_of(user)
    if agency is None or contract is None:
        return False
    today = today or local_today()
    return db.session.scalar(sa.select(sa.literal(True)).where(
        Appointment.agency_id == agency.id, _covering(contract), Appointment.in_force(today)).limit(1)) is not None


def appointed_staff(contract, today=None):
    """The active accounts of every agency appointed to ``contract`` today (to tell them of a 整改报告 to verify)."""
    today = today or local_today()
    agencies = sa.select(Appointment.agency_id).where(_covering(contract), Appointment.in_force(today))
    return db.session.scalars(sa.select(User).join(AgencyStaff, AgencyStaff.user_id == User.id).where(
        AgencyStaff.agency_id.in_(agencies), User.is_active.is_(True)).order_by(User.id)).all()


def supervised_projects(agency, today=None):
    """The contracts ``agency`` is appointed to today (directly or through their call), newest first; an appointment
    ended early (提前结束) no longer counts from its ``ended_on``."""
    today = today or local_today()
    current = sa.and_(Appointment.agency_id == agency.id, Appointment.in_force(today))
    direct = sa.select(Appointment.contract_id).where(current, Appointment.contract_id.is_not(None))
    by_call = sa.select(Appointment.call_id).where(current, Appointment.call_id.is_not(None))
    return db.session.scalars(
        sa.select(Contract).join(Award, Award.id == Contract.award_id).join(Proposal, Proposal.id == Award.proposal_id)
        .where(Contract.status.in_(SUPERVISED), sa.or_(Contract.id.in_(direct), Proposal.call_id.in_(by_call)))
        .options(joinedload(Contract.award).joinedload(Award.application).joinedload(Application.org),
                 joinedload(Contract.award).joinedload(Award.proposal).joinedload(Proposal.call))
        .order_by(Contract.id.desc())).unique().all()


def appointment_page():
    """What an appointment's pages show with it, as ``core.paging.get_or_404``'s options: its agency and what it
    covers (built when asked: the mappers are configured by then)."""
    return (joinedload(Appointment.agency), joinedload(Appointment.call),
            joinedload(Appointment.contract).joinedload(Contract.award).joinedload(Award.application))


def agencies():
    return db.session.scalars(sa.select(Agency).options(selectinload(Agency.staff), selectinload(Agency.appointments))
                              .order_by(Agency.name, Agency.id)).all()


def agency_page(agency_id):
    return db.session.scalar(sa.select(Agency).where(Agency.id == agency_id).options(
        selectinload(Agency.staff).joinedload(AgencyStaff.user),
        selectinload(Agency.appointments).joinedload(Appointment.call),
        selectinload(Agency.appointments).joinedload(Appointment.contract).joinedload(Contract.award)
        .joinedload(Award.application)))


def calls_with_contracts():
    """The calls an agency can be appointed to: those with funded projects under contract."""
    return db.session.scalars(
        sa.select(Call).where(Call.id.in_(sa.select(Proposal.call_id).join(Award, Award.proposal_id == Proposal.id)
                                          .join(Contract, Contract.award_id == Award.id)))
        .order_by(Call.year.desc(), Call.id.desc())).all()


def call_with_contracts(call_id):
    return next((c for c in calls_with_contracts() if c.id == call_id), None)


def contract_by_id(contract_id):
    """The contract an appointment form names (its state is checked by ``operations.appoint``), or None."""
    return db.session.get(Contract, contract_id)


def appointable_contracts():
    """Projects an agency can be appointed to one by one: contracts issued, signed or in force."""
    return db.session.scalars(
        sa.select(Contract).where(Contract.status.in_((ContractStatus.ISSUED, ContractStatus.SIGNED,
                                                       ContractStatus.ACTIVE)))
        .options(joinedload(Contract.award).joinedload(Award.application)).order_by(Contract.id.desc())).all()


def staff_of(agency):
    return [s.user for s in agency.staff]


def visits_of(contract, agency_id=None):
    query = (sa.select(InspectionVisit).where(InspectionVisit.contract_id == contract.id)
             .options(joinedload(InspectionVisit.agency)).order_by(InspectionVisit.visited_at, InspectionVisit.id))
    if agency_id is not None:
        query = query.where(InspectionVisit.agency_id == agency_id)
    return db.session.scalars(query).all()


def evaluations_of(contract, agency_id=None):
    query = (sa.select(ThirdPartyEvaluation).where(ThirdPartyEvaluation.contract_id == contract.id)
             .options(joinedload(ThirdPartyEvaluation.agency))
             .order_by(ThirdPartyEvaluation.created_at, ThirdPartyEvaluation.id))
    if agency_id is not None:
        query = query.where(ThirdPartyEvaluation.agency_id == agency_id)
    return db.session.scalars(query).all()


def confirmed_visits(contract):
    return [v for v in visits_of(contract) if v.status == WorkStatus.CONFIRMED]


def confirmed_visit(contract, visit_id):
    """The confirmed visit ``visit_id`` of ``contract`` (to prefill a 整改's findings), or None."""
    if not visit_id:
        return None
    visit = db.session.get(InspectionVisit, visit_id)
    if visit is None or visit.contract_id != contract.id or visit.status != WorkStatus.CONFIRMED:
        return None
    return visit


def confirmed_evaluations(contract):
    return [e for e in evaluations_of(contract) if e.status == WorkStatus.CONFIRMED]


def waiting_for_officer():
    """Visits and evaluations submitted and waiting for the officer's confirmation, oldest first."""
    visits = db.session.scalars(sa.select(InspectionVisit).where(InspectionVisit.status == WorkStatus.SUBMITTED)
                                .order_by(InspectionVisit.submitted_at, InspectionVisit.id)).all()
    evaluations = db.session.scalars(
        sa.select(ThirdPartyEvaluation).where(ThirdPartyEvaluation.status == WorkStatus.SUBMITTED)
        .order_by(ThirdPartyEvaluation.submitted_at, ThirdPartyEvaluation.id)).all()
    return visits, evaluations


_SPLIT = re.compile(r"[\n；;]")


def performance_targets(contract):
    """The contract's 绩效目标: its ``deliverables`` (服务内容与成效指标), one per line (or per “；”)."""
    return [part.strip().rstrip("。") for part in _SPLIT.split(contract.deliverables or "") if part.strip()]
