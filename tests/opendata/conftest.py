"""An open-data world: a call with final results, one project whose contract is in force with a payment, a
recovery and a 中期评估, and personal data where it must stay (the organizations' legal representatives,
contact persons and phones, an objector, the experts)."""
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from grantportal.accounts.models import User
from grantportal.awards.models import Objection
from grantportal.core.db import db
from grantportal.funding.payments.operations import record_payment, record_recovery
from tests import factories as f
from tests.funding.conftest import STARTS, active_contract, evaluate
from tests.permissions.world import built_once, restore_world

PERSONAL = {"legal_rep": "欧阳正德", "contact_name": "司马联络", "contact_phone": "13912345678"}
SUMMARY_PHONE = "13700001234"  # typed into a project summary: masked wherever the summary is published
OBJECTOR = {"real_name": "上官异议", "contact": "13800001111"}


def build_world():
    officer = f.UserFactory(officer=True, name="黄主任")
    call, awards = f.final_awards()
    for i, award in enumerate(awards):
        org = award.application.org
        org.legal_rep, org.contact_name = f"{PERSONAL['legal_rep']}{i}", f"{PERSONAL['contact_name']}{i}"
        org.contact_phone = f"{PERSONAL['contact_phone'][:-1]}{i}"
        org.address = f"广东省中山市石岐街道幸福路{88 + i}号"
        award.application.summary = (f"为社区长者提供助餐服务。咨询电话{SUMMARY_PHONE}，"
                                     f"联系人{PERSONAL['contact_name']}{i}。")
    db.session.add(Objection(award=awards[1], filed_by=f.UserFactory(), reason="请核实预算。", **OBJECTOR))
    db.session.commit()
    contract = active_contract(awards[0], officer)
    tranche = contract.tranches[0]
    payment = record_payment(contract, tranche, officer, STARTS + timedelta(days=1), Decimal("25000.00"),
                             "PZ-2026-0001")
    db.session.commit()
    recovery = record_recovery(contract, officer, STARTS + timedelta(days=5), Decimal("1000.50"), "ZH-2026-0001",
                               "部分活动未开展，追回相应资金。")
    db.session.commit()
    evaluation = evaluate(contract, officer, "midterm", "good")
    people = [u.name for u in db.session.scalars(db.select(User)) if u.name]
    db.session.commit()
    return SimpleNamespace(call=call, awards=awards, contract=contract, payment=payment, recovery=recovery,
                           evaluation=evaluation, officer=officer, people=people)


@pytest.fixture(scope="module")
def world_snapshot(database, tmp_path_factory):
    return built_once(database, tmp_path_factory, build_world)


@pytest.fixture
def world(world_snapshot):
    """The open-data world, built once per module and restored for this test."""
    return restore_world(world_snapshot)
