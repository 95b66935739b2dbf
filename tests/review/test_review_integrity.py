"""An application under expert review keeps still: it cannot be returned for revision, and once withdrawn
it leaves the results and the experts' pages."""
from datetime import timedelta

import pytest

from grantportal.applications import operations as app_ops
from grantportal.applications.models import AppStatus, Screening
from grantportal.applications.workflow import WorkflowError
from grantportal.core.db import db, utcnow
from grantportal.review.results.aggregate import round_results
from tests import factories as f


@pytest.fixture
def reviewed():
    call = f.CallFactory()
    app = f.screened_application(call)
    rnd = f.ReviewRoundFactory(call=call)
    assignment = f.AssignmentFactory(round=rnd, application=app)
    f.submitted_review(assignment, total=80)
    return app, rnd, assignment


def test_an_application_in_review_cannot_be_returned(reviewed):
    app, rnd, _ = reviewed
    officer = f.UserFactory(officer=True)
    with pytest.raises(WorkflowError, match="已进入专家评审"):
        app_ops.return_for_revision(app, officer, "请补充预算", utcnow() + timedelta(days=3), utcnow())
    db.session.rollback()
    assert db.session.get(type(app), app.id).status == AppStatus.SUBMITTED


def test_a_withdrawn_application_leaves_the_results_and_the_expert_page(reviewed, client, auth):
    app, rnd, assignment = reviewed
    assert app.id in round_results(rnd)
    app.status = AppStatus.WITHDRAWN
    db.session.commit()
    assert app.id not in round_results(rnd)
    auth.login(assignment.expert)
    resp = client.get(f"/review/assignments/{assignment.id}")
    assert resp.status_code == 403 and "已撤回" in resp.get_data(as_text=True)


def test_an_application_failed_at_screening_is_not_ranked(reviewed):
    app, rnd, _ = reviewed
    app.screening = Screening.FAILED
    db.session.commit()
    assert app.id not in round_results(rnd)


def test_a_replaced_expert_cannot_save_a_review(client, auth):
    from grantportal.review.models import Review
    from grantportal.review.scoring import operations as scoring

    call = f.CallFactory()
    app = f.screened_application(call)
    rnd = f.ReviewRoundFactory(call=call)
    assignment = f.AssignmentFactory(round=rnd, application=app)
    review = scoring.locked_review(assignment)
    assignment.active = False  # replaced by an officer a moment ago
    db.session.commit()
    with pytest.raises(scoring.ScoringError, match="已被撤销"):
        scoring.check_state(assignment, review, utcnow(), None)
    auth.login(assignment.expert)
    assert client.get(f"/review/assignments/{assignment.id}").status_code == 403
    assert db.session.scalar(db.select(Review).where(Review.assignment_id == assignment.id)) is None
