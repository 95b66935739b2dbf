"""Regenerating a draft proposal while another officer adjusts one of its awards (Issue 11): the adjustment
either lands before the regeneration (which then replaces it) or is refused with a clear Chinese 409 — never a
500 ("Could not refresh instance Award"). Only PostgreSQL runs the two transactions concurrently."""
from decimal import Decimal

import pytest

from grantportal.accounts.models import User
from grantportal.awards.models import Award, AwardStatus, Proposal
from grantportal.awards.proposals.operations import REGENERATED, adjust, generate
from grantportal.awards.proposals.queries import proposal_of
from grantportal.awards.proposals.workflow import AwardRefused
from grantportal.calls.models import Call
from grantportal.core.db import db
from tests import factories as f
from tests.awards.conftest import NOW, REF, awards_by_app, set_level
from tests.race import run_together, skip_unless_postgres

ROUNDS = 4


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres):
    skip_unless_postgres(is_postgres, "regenerations")


def test_regenerating_while_another_officer_adjusts_gives_a_409_or_both_succeed(app, officer):
    specs = [{"total": 90, "requested": "40000"}, {"total": 85, "requested": "70000"}]
    call, apps = f.ranked_call(specs, reference_date=REF)
    set_level(call, budget=100000, max_grant=80000)
    generate(call, officer, NOW)
    db.session.commit()
    colleague = f.UserFactory(officer=True)

    def load(kind, object_id, user_id):
        user = db.session.get(User, user_id)
        if kind == "generate":
            return kind, db.session.get(Call, object_id), user
        award = db.session.get(Award, object_id)
        award.proposal.status  # noqa: B018 - loaded, as the adjust page loads it before the operation
        return kind, award, user

    def act(kind, obj, user):
        if kind == "generate":
            generate(obj, user, NOW)
        else:
            adjust(obj, user, AwardStatus.RESERVE, Decimal("40000"), "按专家组复核意见调整", NOW)

    for _ in range(ROUNDS):
        award_id = awards_by_app(proposal_of(call))[apps[0].id].id
        results = run_together(app, [("generate", call.id, officer.id), ("adjust", award_id, colleague.id)],
                               load, act, "a regeneration or an adjustment")
        assert results[0] == "ok", results
        assert results[1] == "ok" or (isinstance(results[1], AwardRefused) and results[1].status == 409
                                      and results[1].message == REGENERATED), results
        db.session.expire_all()
        # whatever the order, the proposal is the regenerated one: the first project selected again
        assert awards_by_app(proposal_of(call))[apps[0].id].status == AwardStatus.SELECTED


def test_two_officers_generating_the_first_proposal_at_once_get_one_proposal_and_no_500(app, officer):
    call, _apps = f.ranked_call([{"total": 90, "requested": "40000"}], reference_date=REF)
    colleague = f.UserFactory(officer=True)

    def load(call_id, user_id):
        return db.session.get(Call, call_id), db.session.get(User, user_id)

    results = run_together(app, [(call.id, officer.id), (call.id, colleague.id)], load,
                           lambda c, u: generate(c, u, NOW), "a first generation")
    assert results == ["ok", "ok"], results  # the second waited on the call and regenerated the first's
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Proposal).where(Proposal.call_id == call.id)) == 1
