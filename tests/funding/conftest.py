"""Funding test helpers: an active contract of a final award (the signing flow belongs to the contract views,
so these tests set the contract 履行中 themselves) and evaluations recorded as monitoring would."""
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from grantportal.core.db import db, utcnow
from grantportal.funding.contracts.operations import prepare_contract
from grantportal.funding.models import ContractStatus
from grantportal.funding.payments.operations import record_milestone, refresh_tranches
from grantportal.monitoring.models import Evaluation, EvaluationGrade, EvaluationStage
from tests import factories as f
from tests.permissions.world import built_once, restore_world

# today in the site's zone (Asia/Shanghai, the default TIMEZONE), as the operations see it
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # at collection: a run may pass midnight in Beijing
FUTURE = TODAY + timedelta(days=2)  # "in the future" however long the run lasts past that midnight
STARTS = TODAY - timedelta(days=60)


def active_contract(award, officer, starts_on=STARTS, status=ContractStatus.ACTIVE):
    """The award's contract (50/30/20 by default), set 履行中 and committed."""
    contract = prepare_contract(award, officer, starts_on)
    contract.status = status
    db.session.flush()
    refresh_tranches(contract)
    db.session.commit()
    return contract


def _funded_world():
    officer = f.UserFactory(officer=True, name="黄主任")
    _call, awards = f.final_awards()
    return SimpleNamespace(officer=officer, contract=active_contract(awards[0], officer))


@pytest.fixture(scope="module")
def funded_snapshot(database, tmp_path_factory):
    return built_once(database, tmp_path_factory, _funded_world)


@pytest.fixture
def funded(funded_snapshot):
    """An officer and a 5万 contract in force, built once per module and restored for this test."""
    return restore_world(funded_snapshot)


@pytest.fixture
def contract(funded):
    """A 5万 contract: tranches 25000 / 15000 / 10000 (signing, 中期评估, 验收)."""
    return funded.contract


@pytest.fixture
def officer(request):
    """A project officer (项目官员), not signed in: the funded world's when the test has its contract (whichever
    fixture the test names first), else a new one."""
    if "contract" in request.fixturenames:
        return request.getfixturevalue("funded").officer
    return f.UserFactory(officer=True, name="黄主任")


def evaluate(contract, officer, stage, grade, minutes_ago=0):
    """An evaluation as monitoring records it, reported to funding with ``record_milestone`` as monitoring
    reports it."""
    evaluation = Evaluation(contract_id=contract.id, stage=EvaluationStage(stage), grade=EvaluationGrade(grade),
                            comments="评估意见", evaluated_by_id=officer.id,
                            evaluated_at=utcnow() - timedelta(minutes=minutes_ago))
    db.session.add(evaluation)
    db.session.flush()
    record_milestone(contract, evaluation.stage.milestone, evaluation.grade.passed, evaluation.evaluated_at, officer)
    db.session.commit()
    return evaluation
