"""Votes cast at the same moment (PostgreSQL only, see tests/race.py; issue 13): many attempts at once — the same
voter on several projects beyond their daily limit, and the same voter on the same project twice — store exactly the
votes the rules allow, lose none, and the tally equals the rows. Each voter's attempts take turns on the row lock on
their citizen row (``operations.cast_vote``); different voters run side by side.

``ATTEMPTS``: the issue's 1,000 attempts from 200 voters (~10 s; ``GRANTPORTAL_VOTE_RACE_ATTEMPTS`` lowers it while
working on the code). The attempts go in waves of ``WAVE`` released together (each thread holds a database connection
while it waits for the others, and a server allows only so many)."""
import os

import sqlalchemy as sa
from flask import current_app

from grantportal.accounts.models import User
from grantportal.core.db import db, utcnow
from grantportal.review.models import ReviewRound
from grantportal.votes import operations as ops
from grantportal.votes.models import Vote, VoteRound
from grantportal.votes.queries import tally
from tests import factories as f
from tests.race import run_together, skip_unless_postgres
from tests.votes.conftest import make_vote

ATTEMPTS = int(os.environ.get("GRANTPORTAL_VOTE_RACE_ATTEMPTS", 1000))
PER_VOTER = 5  # attempts per voter: projects 0, 0 (a duplicate), 1, 2, 3 — beyond the daily limit of PER_DAY
PER_DAY = 2
WAVE = 25  # attempts released at the same moment: five voters' five attempts each


def test_simultaneous_votes_never_exceed_the_limits_and_the_tally_equals_the_rows(make_app, world, is_postgres):
    skip_unless_postgres(is_postgres, "votes")
    racing = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": WAVE, "max_overflow": 2},
                      VOTE_CHALLENGE_VOTES=10_000)
    rnd, _ = make_vote(world.call, world.officer, per_day=PER_DAY, per_voter=10)
    round_id = rnd.id  # the threads read nothing through the test's own session
    voters = [f.CitizenFactory().user.id for _ in range(ATTEMPTS // PER_VOTER)]
    projects = [a.id for a in world.apps]
    jobs = [(user_id, projects[k], f"10.{i // 250}.{i % 250}.1")
            for i, user_id in enumerate(voters) for k in (0, 0, 1, 2, 3)]

    def load(user_id, application_id, ip):
        round_ = db.session.get(ReviewRound, round_id)
        return round_, db.session.get(VoteRound, round_id), application_id, db.session.get(User, user_id), ip

    def act(round_, settings, application_id, user, ip):
        ops.cast_vote(round_, settings, application_id, user, ip, utcnow(), current_app.config)

    results = []
    for start in range(0, len(jobs), WAVE):
        results += run_together(racing, jobs[start:start + WAVE], load, act, "a vote")
    errors = [r for r in results if r != "ok" and not isinstance(r, ops.VoteRefused)]
    # refusals only: no deadlock, no unique-index error, nothing lost
    assert errors == [], sorted({repr(e)[:300] for e in errors})
    stored = db.session.execute(sa.select(Vote.citizen_id, Vote.application_id)).all()
    assert len(stored) == len(set(stored)) == PER_DAY * len(voters) == results.count("ok")
    per_voter = {}
    for citizen_id, _ in stored:
        per_voter[citizen_id] = per_voter.get(citizen_id, 0) + 1
    assert set(per_voter.values()) == {PER_DAY}
    counted = tally(round_id)
    assert sum(c.total for c in counted.values()) == len(stored)
