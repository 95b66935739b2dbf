"""The officer's progress dashboard: completion, outliers, wide panels and reminders."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.notices import Notice
from grantportal.review.models import ReviewStatus, RoundStatus
from grantportal.review.rounds import queries as ops
from tests import factories as f


@pytest.fixture
def world():
    """Two applications with panels of three; on the first, expert c scores far from a and b."""
    officer = f.UserFactory(officer=True)
    call = f.CallFactory(created_by=officer)
    rnd = f.ReviewRoundFactory(call=call, panel_size=3, spread_threshold=Decimal("20"))
    a, b, c, d = f.expert_pool(4)
    app1, app2 = f.screened_application(call), f.screened_application(call)
    scores = {(app1, a): ("submitted", "80"), (app1, b): ("submitted", "84"), (app1, c): ("submitted", "50"),
              (app2, a): ("draft", "70"), (app2, b): ("submitted", "75"), (app2, d): (None, None)}
    for (app, expert), (status, total) in scores.items():
        assignment = f.AssignmentFactory(round=rnd, application=app, expert=expert)
        if status:
            f.ReviewFactory(assignment=assignment, status=ReviewStatus(status), total=Decimal(total))
    return officer, rnd, (app1, app2), (a, b, c, d)


def test_dashboard_counts_by_expert_and_by_application(world):
    _, rnd, (app1, app2), (a, b, c, d) = world
    data = ops.dashboard(rnd)
    by_expert = {e.expert.id: (e.assigned, e.submitted, e.draft, e.not_started) for e in data["experts"]}
    assert by_expert == {a.id: (2, 1, 1, 0), b.id: (2, 2, 0, 0), c.id: (1, 1, 0, 0), d.id: (1, 0, 0, 1)}
    by_app = {p.application.id: (p.submitted, p.panel) for p in data["applications"]}
    assert by_app == {app1.id: (3, 3), app2.id: (1, 3)}
    assert (data["assigned"], data["submitted"]) == (6, 4)


def test_dashboard_flags_a_far_score_and_a_wide_panel(world):
    _, rnd, (app1, _), (a, b, c, d) = world
    data = ops.dashboard(rnd)
    assert [(o.application.id, o.expert.id, o.total, o.others_mean) for o in data["outliers"]] == \
        [(app1.id, c.id, Decimal("50"), Decimal("82.0"))]
    assert [(p.application.id, p.spread) for p in data["wide"]] == [(app1.id, Decimal("34"))]


def test_outliers_need_two_other_scores_and_respect_the_threshold():
    D = Decimal
    assert ops.outliers([("a", D(80)), ("b", D(40))], D(10)) == []
    assert ops.outliers([("a", D(80)), ("b", D(78)), ("c", D(65))], D(15)) == []
    assert [k for k, _, _ in ops.outliers([("a", D(80)), ("b", D(78)), ("c", D(60))], D(15))] == ["c"]


def test_dashboard_page_shows_the_numbers(client, auth, world):
    officer, rnd, (app1, _), _ = world
    auth.login(officer)
    page = client.get(f"/manage/rounds/{rnd.id}/dashboard").get_data(as_text=True)
    assert 'data-stat="assigned">6<' in page and 'data-stat="submitted">4<' in page
    assert "提醒未完成的专家" in page and "分差 34 分" in page


def test_reminders_send_a_notice_and_a_mail_to_each_unfinished_expert(app, client, auth, world):
    officer, rnd, _, (a, b, c, d) = world
    app.config["MAIL_BACKEND"] = "memory"
    auth.login(officer)
    assert client.post(f"/manage/rounds/{rnd.id}/remind").status_code == 302
    outbox = app.extensions.get("gp_outbox", [])
    notices = db.session.scalars(sa.select(Notice).order_by(Notice.user_id)).all()
    assert [n.user_id for n in notices] == [a.id, d.id]
    assert "1份评分未提交" in notices[0].body
    assert sorted(to for to, _, _ in outbox) == sorted([a.email, d.email])
    assert all("评审提醒" in subject for _, subject, _ in outbox)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "round.remind")) == 2


def test_reminders_only_while_the_round_is_open(client, auth, world):
    officer, rnd, _, _ = world
    rnd.status = RoundStatus.CLOSED
    db.session.commit()
    auth.login(officer)
    assert client.post(f"/manage/rounds/{rnd.id}/remind").status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0
