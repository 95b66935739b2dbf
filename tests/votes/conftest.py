"""Public vote tests: one world per test module, built once (per test worker) and restored before each test with
the permission matrix's snapshot (tests/permissions/world.py): a call whose applications are in and screened (four
projects of four organizations), an officer and an auditor, three citizens. Helpers set up a vote round, sign
people in and vote through the pages."""
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import current_app

from grantportal.core.db import db, utcnow
from grantportal.review.models import EntryRule
from grantportal.votes import operations as ops
from grantportal.votes.models import Vote, VoteRound
from tests import factories as f
from tests.permissions.world import built_once, restore_world
from tests.supervision.conftest import as_user  # noqa: F401  (shared helper)


def build_world():
    Path(current_app.config["STORAGE_DIR"]).mkdir(parents=True, exist_ok=True)  # no files, but a snapshot copies it
    w = SimpleNamespace()
    w.call = f.CallFactory()
    f.close_applications(w.call)
    w.officer = w.call.created_by
    w.auditor = f.UserFactory(auditor=True)
    # (dicts: a snapshot keeps no lists; the ``world`` fixture gives them back as lists)
    w.apps = {i: f.screened_application(w.call, number=f"{w.call.code}-2026-{i + 1:04d}",
                                        title=f"社区长者助餐项目{i + 1}", submitted_at=utcnow() - timedelta(days=30))
              for i in range(4)}
    w.citizens = {i: f.CitizenFactory() for i in range(3)}
    w.citizen = w.citizens[0].user
    db.session.commit()
    return w


@pytest.fixture(scope="module")
def world_snapshot(database, tmp_path_factory):
    return built_once(database, tmp_path_factory, build_world)


@pytest.fixture
def world(app, world_snapshot):
    """A fresh copy of the module's world in this test's database; the challenge question is off (tests of it
    switch it on)."""
    app.config["VOTE_CHALLENGE_VOTES"] = 10_000
    w = restore_world(world_snapshot)
    w.apps = [w.apps[i] for i in sorted(w.apps)]
    w.citizens = [w.citizens[i] for i in sorted(w.citizens)]
    return w


def vote_data(**kw):
    now = utcnow()
    data = dict(name="公众投票", opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1),
                entry_rule=EntryRule.SCREENED, entry_value=None, source_round_id=None, per_day=3, per_voter=10,
                weight_percent=Decimal("20"), live_tally=True)
    data.update(kw)
    return ops.VoteRoundData(**data)


def make_vote(call, officer, open_=True, **kw):
    """A vote round on ``call`` (open now for a day, 3 votes a day and 10 in all by default), opened unless
    ``open_`` is false. Returns (round, settings)."""
    rnd = ops.create_vote_round(call, officer, vote_data(**kw))
    settings = db.session.get(VoteRound, rnd.id)
    if open_:
        ops.open_vote(rnd, settings, officer, utcnow())
    db.session.commit()
    return rnd, settings


def cast(rnd, app, user, ip="10.1.2.3", now=None):
    """A vote through the operation (as the page casts it), committed."""
    settings = db.session.get(VoteRound, rnd.id)
    vote = ops.cast_vote(rnd, settings, app.id, user, ip, now or utcnow(), current_app.config)
    db.session.commit()
    return vote


def vote_url(rnd, app):
    return f"/votes/{rnd.id}/projects/{app.id}"


def votes():
    return db.session.scalars(sa.select(Vote).order_by(Vote.id)).all()


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
