"""Reads of public pledges shared by their pages, the project's public page (disclosure) and 我的参与 (citizens asks
through ``core.signals``; connected when the app is created: ``grantportal/app.py`` imports this module). Every read
loads what its page shows, so that templates never query."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.awards.models import Award
from grantportal.citizens.queries import Record
from grantportal.core import signals
from grantportal.core.db import built_once, db
from grantportal.core.masking import mask_text
from grantportal.core.money import format_yuan
from grantportal.core.paging import Pager
from grantportal.funding.models import Contract
from grantportal.pledges.models import Pledge, PledgeStatus, shown_name

PUBLIC_LATEST = 50  # verified pledges listed on a project's public page, newest first
ZERO = Decimal("0.00")
# the organization's list: what waits for it first (to confirm, or to confirm again), then for the officer
ORG_ORDER = {PledgeStatus.PLEDGED: 0, PledgeStatus.RETURNED: 0, PledgeStatus.RECEIVED: 1}


def _project():
    return joinedload(Pledge.contract).joinedload(Contract.award).joinedload(Award.application) \
        .joinedload(Application.org)


def pledge_for_page(pledge_id):
    """The pledge with its project (award, application, organization), evidence and pledger loaded; or None. Read
    fresh, so that a page rendered after a refusal's rollback does not query."""
    return db.session.scalar(
        sa.select(Pledge).where(Pledge.id == pledge_id)
        .options(_project(), joinedload(Pledge.evidence_file), joinedload(Pledge.pledged_by))
        .execution_options(populate_existing=True))


def queue_page(status, page, per_page):
    """The officers' queue: how many pledges are in each status, and the page of ``status`` (None: all), newest
    first (``ix_pledge_status_pledged``)."""
    counts = dict(db.session.execute(sa.select(Pledge.status, sa.func.count()).group_by(Pledge.status)).all())
    total = counts.get(status, 0) if status is not None else sum(counts.values())
    pager = Pager(total, page, per_page)
    query = (sa.select(Pledge).options(_project())
             .order_by(Pledge.pledged_at.desc(), Pledge.id.desc()).offset(pager.start).limit(per_page))
    if status is not None:
        query = query.where(Pledge.status == status)
    pager.items = db.session.scalars(query).all()
    return counts, pager


def own_page(user_id, page, per_page):
    """A citizen's own pledges, newest first."""
    where = Pledge.pledged_by_id == user_id
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Pledge).where(where))
    pager = Pager(total, page, per_page)
    pager.items = db.session.scalars(
        sa.select(Pledge).where(where).options(_project())
        .order_by(Pledge.pledged_at.desc(), Pledge.id.desc()).offset(pager.start).limit(per_page)).all()
    return pager


def org_page(org_id, page, per_page):
    """The pledges to an organization's projects: those waiting for it first (to confirm receipt, or again after a
    return), then those waiting for the officer, then the rest; newest first within each."""
    joined = (sa.select(Pledge).join(Contract, Contract.id == Pledge.contract_id)
              .join(Award, Award.id == Contract.award_id).join(Application, Application.id == Award.application_id)
              .where(Application.org_id == org_id))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(joined.subquery()))
    pager = Pager(total, page, per_page)
    waiting = sa.case(ORG_ORDER, value=Pledge.status, else_=2)
    pager.items = db.session.scalars(
        joined.options(_project()).order_by(waiting, Pledge.pledged_at.desc(), Pledge.id.desc())
        .offset(pager.start).limit(per_page)).all()
    return pager


@dataclass(frozen=True)
class PublicPledge:
    """What the public sees of a verified pledge: the chosen name (or 爱心人士, masked), the amount received and
    when it arrived. Nothing about the pledger's account; a company's code only if it chose it as its name."""

    name: str
    amount: Decimal
    received_on: date


@dataclass(frozen=True)
class PublicPledges:
    rows: list
    count: int  # verified pledges in all (the page lists at most ``PUBLIC_LATEST``)
    total: Decimal  # Σ received of all of them


def count_awaiting_check():
    """Pledges whose receipt the organization confirmed and no officer has verified or returned yet (the officer's
    待办; ``ix_pledge_status_pledged``)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Pledge)
                             .where(Pledge.status == PledgeStatus.RECEIVED))


def public_pledges(contract, limit=PUBLIC_LATEST):
    """The project's verified pledges for its public page, newest arrival first, with their count and total
    (``ix_pledge_contract_status``). Pledges not verified are never public."""
    params = {"contract_id": contract.id, "limit": limit}
    rows = db.session.execute(_latest_pledges(), params).all()
    shown = [PublicPledge(mask_text(shown_name(a, n)), amount, on)
             for a, n, amount, on in rows]
    if len(rows) < limit:
        count, total = len(rows), sum((r.amount for r in shown), ZERO)
    else:
        count, total = db.session.execute(_pledges_total(), params).one()
    return PublicPledges(shown, count, Decimal(total).quantize(ZERO))


def _verified():
    return Pledge.contract_id == sa.bindparam("contract_id"), Pledge.status == PledgeStatus.VERIFIED


@built_once
def _latest_pledges():
    return (sa.select(Pledge.anonymous, Pledge.public_name, Pledge.received_amount, Pledge.received_on)
            .where(*_verified()).order_by(Pledge.received_on.desc(), Pledge.id.desc()).limit(sa.bindparam("limit")))


@built_once
def _pledges_total():
    return sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Pledge.received_amount), 0)).where(*_verified())


def status_words(pledge):
    """The pledge's status as its pledger reads it."""
    if pledge.status == PledgeStatus.VERIFIED:
        return f"已核实，到账{format_yuan(pledge.received_amount)}"
    if pledge.status == PledgeStatus.RECEIVED:
        return "机构已确认到账，待项目官员核实"
    if pledge.status == PledgeStatus.RETURNED:
        return "到账确认被退回，待机构重新确认"
    if pledge.status == PledgeStatus.WITHDRAWN:
        return "已撤回"
    return "已认捐，待机构确认到账"


@signals.participant_pledges.connect
def pledges_of(sender):
    """A citizen's latest pledges for 我的参与 (``sender``: user id, how many), and how many in all."""
    user_id, limit = sender
    pager = own_page(user_id, 1, limit)
    return [Record(f"{p.contract.award.application.title}（{format_yuan(p.amount)}）", p.pledged_at, status_words(p),
                   url_for("pledges.detail", pledge_id=p.id)) for p in pager.items], pager.total
