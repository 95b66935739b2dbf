"""Two officers adjusting the same level's awards at the same moment never over-allocate its budget.

``operations.adjust`` locks the proposal row (``budget.lock_proposal``: SELECT … FOR UPDATE) before it sums
the level's selected amounts. Without that lock both transactions would read the same sums at the same time
(READ COMMITTED: neither sees the other's uncommitted change), both checks would pass, both would commit, and
the level would hold more than its budget; the lock makes the second wait until the first commits and then read
the new sums, so it is refused. Only PostgreSQL runs these transactions concurrently (SQLite has one writer).
"""
from decimal import Decimal

import pytest

from grantportal.accounts.models import User
from grantportal.awards.models import Award, AwardStatus
from grantportal.awards.proposals.operations import adjust, generate
from grantportal.awards.proposals.workflow import AwardRefused
from grantportal.calls.models import Level
from grantportal.core.db import db
from grantportal.orgs.models import Grade
from tests import factories as f
from tests.awards.conftest import NOW, REF, awards_by_app, rules, selected_totals, set_level
from tests.race import run_together, skip_unless_postgres

ROUNDS = 4  # each race is run several times: a lucky schedule must not hide a missing lock


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres):
    skip_unless_postgres(is_postgres, "budget checks")


def adjust_together(app, jobs):
    """Run ``adjust(award, officer, 拟入选, amount, …)`` for every ``(award_id, officer_id, amount)`` at the same
    moment, each in its own thread and session (``tests.race.run_together``); each commits on success and rolls
    back when refused. Returns, per job, "ok" or the ``AwardRefused``."""

    def load(award_id, user_id, amount):
        return db.session.get(Award, award_id), db.session.get(User, user_id), amount

    def act(award, user, amount):
        adjust(award, user, AwardStatus.SELECTED, Decimal(amount), "按专家组复核意见调整", NOW)

    return run_together(app, jobs, load, act, "an adjustment")


def reset(officer, *award_ids):
    """Put the racing awards back on the reserve list (one transaction, as an officer would)."""
    for award_id in award_ids:
        award = db.session.get(Award, award_id)
        adjust(award, officer, AwardStatus.RESERVE, award.requested, "复位", NOW)
    db.session.commit()


def one_wins(results, award_ids, message):
    oks = [r for r in results if r == "ok"]
    refusals = [r for r in results if isinstance(r, AwardRefused)]
    assert len(oks) == 1 and len(refusals) == 1, results
    assert (refusals[0].field, refusals[0].status, refusals[0].message) == ("amount", 409, message)
    db.session.expire_all()
    statuses = sorted(db.session.get(Award, award_id).status.value for award_id in award_ids)
    assert statuses == ["reserve", "selected"]


def test_two_officers_cannot_together_spend_more_than_the_level_budget(app, officer):
    """市级 10万: 4万 selected, 6万 left. Each officer moves a reserve up with 5万 — either fits alone."""
    specs = [{"total": 90, "requested": "40000"}, {"total": 85, "requested": "70000"},
             {"total": 84, "requested": "70000"}]
    call, apps = f.ranked_call(specs, reference_date=REF)
    set_level(call, budget=100000, max_grant=80000)
    proposal = generate(call, officer, NOW)
    db.session.commit()
    awards = awards_by_app(proposal)
    assert (awards[apps[1].id].status, awards[apps[2].id].status) == (AwardStatus.RESERVE, AwardStatus.RESERVE)
    x, y = awards[apps[1].id].id, awards[apps[2].id].id
    colleague = f.UserFactory(officer=True)
    for _ in range(ROUNDS):
        results = adjust_together(app, [(x, officer.id, "50000"), (y, colleague.id, "50000")])
        one_wins(results, (x, y), "超出本级别剩余预算：最多还可安排1万元。")
        assert selected_totals(proposal, Level.CITY) == (Decimal("90000.00"), Decimal("90000.00"))
        reset(officer, x, y)


def test_two_officers_cannot_together_give_organizations_below_3a_the_reserved_share(app, officer):
    """市级 20万, half reserved for 3A+: an unrated project holds 6万 of the open 10万. Two officers each move an
    unrated reserve up with 3万: either fits the open 4万 alone, the level (14万 left) would hold both, but the
    open part would not."""
    specs = [{"total": 90, "requested": "60000"}, {"total": 85, "requested": "50000"},
             {"total": 84, "requested": "50000", "grade": Grade.A2}]
    call, apps = f.ranked_call(specs, reference_date=REF, tier_rules=rules(reserved_share_percent=50))
    set_level(call, budget=200000, max_grant=80000)
    proposal = generate(call, officer, NOW)
    db.session.commit()
    awards = awards_by_app(proposal)
    assert (awards[apps[1].id].status, awards[apps[2].id].status) == (AwardStatus.RESERVE, AwardStatus.RESERVE)
    x, y = awards[apps[1].id].id, awards[apps[2].id].id
    colleague = f.UserFactory(officer=True)
    for _ in range(ROUNDS):
        results = adjust_together(app, [(x, officer.id, "30000"), (y, colleague.id, "30000")])
        one_wins(results, (x, y), "超出3A以下组织可用的剩余预算：最多还可安排1万元。")
        total, below = selected_totals(proposal, Level.CITY)
        assert (total, below) == (Decimal("90000.00"), Decimal("90000.00")) and below <= Decimal("100000")
        reset(officer, x, y)
