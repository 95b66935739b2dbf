"""A project in progress: a selected award's contract, signed and active from 2026-01-01 (12 months, reports
every 3 months), its organization's member and the officer."""
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from PIL import Image

from grantportal.core.db import db
from grantportal.funding.contracts.operations import prepare_contract
from grantportal.funding.models import ContractStatus, TrancheStatus
from grantportal.monitoring import operations as ops
from tests import factories as f

STARTS = date(2026, 1, 1)
CONFIRMED = datetime(2025, 12, 30, 2, 0, tzinfo=UTC)  # 2025-12-30 10:00 Beijing


def active_contract(award, officer, starts_on=STARTS):
    contract = prepare_contract(award, officer, starts_on)
    contract.status = ContractStatus.ACTIVE
    contract.confirmed_at, contract.confirmed_by_id = CONFIRMED, officer.id
    db.session.commit()
    return contract


@pytest.fixture
def project():
    call, awards = f.final_awards()
    officer = call.created_by
    contract = active_contract(awards[0], officer)
    member = f.member_of(awards[0].application.org)
    other_member = f.member_of(awards[1].application.org)
    return SimpleNamespace(call=call, award=awards[0], other_award=awards[1], contract=contract, officer=officer,
                           member=member, other_member=other_member)


@pytest.fixture
def scheduled(project):
    ops.schedule_reports(project.contract, project.officer)
    db.session.commit()
    project.reports = ops.reports_of(project.contract)
    return project


def report_of(project, kind):
    return next(r for r in ops.reports_of(project.contract) if r.kind == kind)


def filled(report, spent="1000.00"):
    """A complete ReportData for ``report``: activities, served count, outcomes, spent on every line."""
    return ops.ReportData(activities="开展社区长者探访12次。", served_count=120, outcomes="建立长者档案40份。",
                          spent=[Decimal(spent)] * len(ops.budget_lines(report)))


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


def pay_all(contract, officer):
    """Every tranche paid (the payments engineer records them; here the rows are written directly)."""
    from grantportal.funding.models import Payment

    for t in contract.tranches:
        t.status = TrancheStatus.PAID
        db.session.add(Payment(contract_id=contract.id, tranche=t, paid_on=date(2026, 1, 10), amount=t.amount,
                               voucher_number=f"PZ-{t.position:03d}", recorded_by_id=officer.id))
    db.session.commit()
