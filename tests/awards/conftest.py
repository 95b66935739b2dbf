"""Shared helpers for the award rules and operations tests: fixed dates, level budgets, reloading."""
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from grantportal.awards.models import Award, AwardStatus
from grantportal.calls.models import Level
from grantportal.calls.tier_rules import TierRules
from grantportal.core.db import db, utcnow
from tests import factories as f
from tests.permissions.world import built_once, restore_world

REF = date(2026, 6, 30)  # the calls' reference date: grades are judged on this day
ON = "以2026年6月30日为准"
NOW = datetime(2026, 7, 15, 2, 0, tzinfo=UTC)  # Wednesday 15 July 2026, 10:00 Beijing time
A4_TEXT = f"评估等级4A（有效期至2029年12月31日，{ON}）"  # ranked_call's 4A: announced 2024-06-01
UNRATED_TEXT = f"未评级（{ON}）"


@pytest.fixture(autouse=True)
def _confirmed_calendar(request):
    """公示 periods are counted only in confirmed years: the award tests publish in 2025, 2026 and now, so
    those years are confirmed as the library holds them (tests/calendar checks the refusal without). A test on
    a world restored from a snapshot (a ``*_snapshot`` fixture) has them from the world, built with
    ``confirm_years``."""
    if request.node.get_closest_marker("nodb") is None and not any(
            name.endswith("_snapshot") for name in request.fixturenames):
        confirm_years()


def confirm_years():
    f.confirm_calendar(2025, 2026, *{utcnow().year, utcnow().year + 1})
    db.session.commit()


def rules(**kw):
    """A call's ``tier_rules`` column from ``TierRules`` keyword arguments."""
    return TierRules(**kw).to_dict()


def set_level(call, level=Level.CITY, budget=None, max_grant=None, min_grant=None):
    """Change one of the call's levels (budget, largest and smallest grant, in yuan) and commit."""
    row = next(lv for lv in call.levels if lv.level == level)
    if budget is not None:
        row.budget_total = Decimal(str(budget))
    if max_grant is not None:
        row.max_grant = Decimal(str(max_grant))
    if min_grant is not None:
        row.min_grant = Decimal(str(min_grant))
    db.session.commit()
    return row


def awards_by_app(proposal):
    """``{application id: Award}`` of the proposal, read afresh from the database."""
    db.session.expire_all()
    return {a.application_id: a for a in db.session.scalars(sa.select(Award).where(Award.proposal_id == proposal.id))}


def reload(obj):
    """The object as the database holds it now (drops whatever the session had in memory)."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def selected_totals(proposal, level):
    """(all selected amounts, selected amounts of organizations below 3A) of one level, from the database."""
    rows = db.session.execute(sa.select(Award.grade, Award.amount).where(
        Award.proposal_id == proposal.id, Award.level == level, Award.status == AwardStatus.SELECTED)).all()
    total = sum((amount for _, amount in rows), Decimal("0.00"))
    below = sum((amount for grade, amount in rows if grade not in ("5A", "4A", "3A")), Decimal("0.00"))
    return total, below


def has_line(award, *fragments):
    """Whether one of the award's explanation lines contains every fragment."""
    return any(all(fr in line for fr in fragments) for line in award.explanation)


PUBLISHED_SPECS = [
    {"total": 90, "requested": "60000", "title": "长者幸福食堂"},
    {"total": 88, "requested": "30000", "title": "青少年四点半课堂"},
    {"total": 85, "requested": "50000", "title": "残障人士就业支持"},
    {"total": 84, "requested": "35000", "title": "社区邻里互助"},
    {"total": 70, "requested": "50000", "title": "流动儿童阅读角"},
]
PUBLISHED_ENDS = datetime(2026, 7, 22, 9, 0, tzinfo=UTC)  # 5 working days after NOW: 22 July, 17:00 Beijing


def proposal_world(officer, publish=True, **call_kw):
    """市级 10万: 长者幸福食堂 6万 and 青少年四点半课堂 3万 selected, 残障人士就业支持 (5万) and 社区邻里互助 (3.5万)
    reserve 1 and 2, 流动儿童阅读角 not selected (two reserve places); each organization has one member.
    Published at ``NOW`` for 5 working days (until ``PUBLISHED_ENDS``) unless ``publish=False``."""
    from types import SimpleNamespace

    from grantportal.awards.proposals.operations import generate
    from grantportal.awards.proposals.publicity import publish as publish_proposal

    call_kw.setdefault("reserve_per_level", 2)
    call, apps = f.ranked_call(PUBLISHED_SPECS, reference_date=REF, created_by=officer, **call_kw)
    set_level(call, budget=100000, max_grant=80000)
    members = [f.member_of(app.org) for app in apps]
    proposal = generate(call, officer, NOW)
    if publish:
        publish_proposal(proposal, officer, NOW, 5)
    db.session.commit()
    awards = awards_by_app(proposal)
    s1, s2, r1, r2, n = (awards[a.id] for a in apps)
    return SimpleNamespace(call=call, apps=apps, members=members, proposal=proposal, s1=s1, s2=s2, r1=r1, r2=r2,
                           n=n)


def _published_world():
    from tests.awards.proposals.test_results_page import publicized  # a test module's helper: imported when used

    confirm_years()
    call, apps, proposal = publicized()
    return SimpleNamespace(made=(call, apps, proposal))


@pytest.fixture(scope="module")
def published_snapshot(database, tmp_path_factory):
    return built_once(database, tmp_path_factory, _published_world)


@pytest.fixture
def published(published_snapshot):
    """``publicized()``'s call, applications and proposal in 公示 — built once per module and restored for this
    test: (call, apps, proposal)."""
    call, apps, proposal = restore_world(published_snapshot).made
    return call, apps, proposal
