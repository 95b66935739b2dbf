"""Satisfaction survey tests: 随手拍's world (tests/supervision/conftest.py), built once per test module (per test
worker) and restored before each test. Helpers open a survey and answer it."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grantportal.core.db import db, utcnow
from grantportal.surveys.models import DEFAULT_QUESTIONS, Survey, SurveyAnswer
from tests.permissions.world import built_once, restore_world
from tests.supervision.conftest import as_user, build_world, field_error  # noqa: F401  (shared helpers and world)

FULL = {"attitude": "5", "timeliness": "4", "usefulness": "4", "professionalism": "5", "overall": "5"}


@pytest.fixture(scope="module")
def world_snapshot(database, tmp_path_factory):
    return built_once(database, tmp_path_factory, build_world)


@pytest.fixture
def world(app, world_snapshot):
    return restore_world(world_snapshot)


def make_survey(contract, officer, opens=-1, closes=7):
    """A survey on ``contract`` opened ``opens`` days from now, ending ``closes`` days from now."""
    now = utcnow()
    survey = Survey(contract_id=contract.id, title="长者饭堂服务满意度调查",
                    questions=[dict(q) for q in DEFAULT_QUESTIONS], opens_at=now + timedelta(days=opens),
                    closes_at=now + timedelta(days=closes),
                    created_by_id=officer.id)
    db.session.add(survey)
    db.session.commit()
    return survey


def answer(client, survey, **data):
    return client.post(f"/surveys/{survey.id}", data=data)


def answers():
    return db.session.scalars(sa.select(SurveyAnswer).order_by(SurveyAnswer.id)).all()
