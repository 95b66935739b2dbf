"""The public checks (复核) of published results are computed once by a job and kept (issue 12): publishing queues
them, a page reads the kept check and says when it was computed, a check older than PUBLIC_CHECK_SECONDS is
computed again on the next view (so a score changed after publication shows as 复核不一致), and with none kept yet
the page says it is being prepared and a download answers 503 with Retry-After, never a blank page or a 500."""
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from grantportal.awards.models import CheckKind, PublicCheck, PublicCheckPage
from grantportal.awards.proposals import checks, score_table
from grantportal.awards.proposals.queries import proposal_of
from grantportal.core import jobs
from grantportal.core.db import db, utcnow
from grantportal.core.jobs_models import Job, JobStatus
from grantportal.review.models import Assignment, Review
from tests import factories as f

SPECS = [
    {"total": 88, "requested": "50000", "title": "长者幸福食堂"},
    {"total": 90, "requested": "60000", "title": "青少年四点半课堂"},
    {"total": 70, "requested": "50000", "title": "社区邻里互助"},
]


def _checks(call):
    proposal = proposal_of(call)
    db.session.expire_all()
    return {c.kind: c for c in db.session.scalars(sa.select(PublicCheck).where(PublicCheck.proposal_id == proposal.id))}


@pytest.fixture
def held_jobs(monkeypatch):
    """Jobs are queued but not run (as when the queue's workers are busy); ``run()`` runs those queued so far."""
    held = []
    monkeypatch.setattr(jobs, "dispatch", lambda app, job_id: held.append(job_id))

    def run():
        from flask import current_app

        app = current_app._get_current_object()
        while held:
            jobs.run_job(held.pop(0), app)
    return held, run


def test_publishing_computes_both_checks_once_and_the_pages_read_them(client, monkeypatch):
    call, _ = f.final_awards(SPECS)
    kept = _checks(call)
    assert set(kept) == {CheckKind.SCORES, CheckKind.DRAW}
    assert all(c.ready and not c.outdated for c in kept.values())
    assert kept[CheckKind.SCORES].total == 3 and kept[CheckKind.SCORES].differences == []
    # publish and confirm in one transaction queued one job per check, run after its commit
    done = db.session.scalars(sa.select(Job).where(Job.kind == checks.JOB_KIND)).all()
    assert len(done) == 2 and all(j.status == JobStatus.DONE for j in done)

    monkeypatch.setattr(score_table, "score_table", lambda *a: pytest.fail("a page built the score table"))
    page = client.get(f"/calls/{call.id}/results/scores").get_data(as_text=True)
    assert "复核一致" in page and "长者幸福食堂" in page and "本页复核结果计算于" in page and "（北京时间）" in page
    assert "最终得分 =" in page and "专家A：88" in page
    resp = client.get(f"/calls/{call.id}/results/scores.csv")
    assert resp.status_code == 200 and resp.headers["Content-Length"] == str(len(resp.get_data()))
    assert "长者幸福食堂" in resp.get_data().decode("utf-8-sig")


def test_a_score_changed_after_publication_shows_on_the_page_once_the_check_is_recomputed(client):
    call, awards = f.final_awards(SPECS)
    review = db.session.scalars(sa.select(Review).join(Assignment)
                                .where(Assignment.application_id == awards[2].application_id)).first()
    review.total = Decimal("100.0")  # 70 → 100 from one expert, behind the platform's back
    db.session.commit()
    page = client.get(f"/calls/{call.id}/results/scores").get_data(as_text=True)
    assert "复核一致" in page  # the kept check, computed before the change, with the time it was computed

    f.age_public_checks(call)  # PUBLIC_CHECK_SECONDS later: the next view computes it again
    page = client.get(f"/calls/{call.id}/results/scores").get_data(as_text=True)
    assert "复核不一致" in page and "社区邻里互助" in page and "公布的最终得分为70.00，复算为80.00" in page
    assert "专家A：100.0" in page or "专家B：100.0" in page or "专家C：100.0" in page
    text = client.get(f"/calls/{call.id}/results/scores.csv").get_data().decode("utf-8-sig")
    assert ",100.0," in text


def test_with_no_check_kept_yet_the_page_says_it_is_being_prepared(client, held_jobs):
    held, run = held_jobs
    call, _ = f.final_awards(SPECS)
    run()
    db.session.execute(sa.delete(PublicCheckPage))  # as for results published before checks were kept
    db.session.execute(sa.delete(PublicCheck))
    db.session.commit()

    for path in ("scores", "draw"):
        resp = client.get(f"/calls/{call.id}/results/{path}")
        assert resp.status_code == 200
        page = resp.get_data(as_text=True)
        assert "复核结果正在生成" in page and "刷新本页" in page and "复核一致" not in page
    for path in ("scores.csv", "draw.csv", "draw.json"):
        resp = client.get(f"/calls/{call.id}/results/{path}")
        assert resp.status_code == 503 and resp.headers["Retry-After"] == "60"
        assert "复核结果正在生成" in resp.get_data(as_text=True)
    assert len(held) == 2  # one computation per check, however many visitors asked meanwhile

    run()
    page = client.get(f"/calls/{call.id}/results/draw").get_data(as_text=True)
    assert "没有随机抽取记录" in page
    assert client.get(f"/calls/{call.id}/results/draw.json").status_code == 200
    assert held == []  # a fresh check queues nothing


def test_changed_results_are_announced_until_the_check_is_recomputed(client, held_jobs):
    held, run = held_jobs
    call, _ = f.final_awards(SPECS)
    run()
    proposal = proposal_of(call)
    checks.results_changed(proposal, utcnow())  # as publish, republish, an objection decision or confirm do
    db.session.commit()
    assert len(held) == 2
    page = client.get(f"/calls/{call.id}/results/scores").get_data(as_text=True)
    assert "复核一致" in page and "按更新后结果的复核正在进行" in page
    assert len(held) == 2  # on its way already: the page does not queue another

    run()
    page = client.get(f"/calls/{call.id}/results/scores").get_data(as_text=True)
    assert "复核一致" in page and "按更新后结果的复核正在进行" not in page


def test_an_older_computation_never_replaces_a_newer_one():
    call, _ = f.final_awards(SPECS)
    proposal = proposal_of(call)
    kept = _checks(call)[CheckKind.SCORES]
    newer = kept.computed_at
    checks.compute(proposal, CheckKind.SCORES, now=newer - timedelta(minutes=5))
    db.session.commit()
    assert _checks(call)[CheckKind.SCORES].computed_at == newer


def test_pages_are_kept_rows_and_a_page_reads_a_fixed_number_of_statements(client, app, monkeypatch):
    monkeypatch.setitem(checks.PER_PAGE, CheckKind.SCORES, 2)
    specs = [{"total": 60 + i, "requested": "10000", "title": f"项目{i}"} for i in range(5)]
    call, _ = f.final_awards(specs)
    kept = _checks(call)[CheckKind.SCORES]
    assert (kept.total, kept.per_page, kept.pages) == (5, 2, 3)

    def statements(path):
        seen = []
        listener = lambda *a: seen.append(1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            page = client.get(path).get_data(as_text=True)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen), page

    first, page = statements(f"/calls/{call.id}/results/scores")
    assert "项目4" in page and "项目3" in page and "项目0" not in page  # rank order: highest total first
    last, page = statements(f"/calls/{call.id}/results/scores?page=3")
    assert "项目0" in page and "项目4" not in page
    assert first == last
    beyond, page = statements(f"/calls/{call.id}/results/scores?page=999")  # past the last page: the last
    assert "项目0" in page and beyond == first + 1


def test_a_page_that_recomputes_its_check_renders_without_a_query_from_its_template(app, client, auth):
    from tests.render import queries_while_rendering

    call, _ = f.final_awards(SPECS)
    auth.login(f.UserFactory())  # the navigation names the signed-in user: loaded again after the commit
    f.age_public_checks(call)
    for path in ("scores", "draw"):
        with queries_while_rendering(app) as seen:
            resp = client.get(f"/calls/{call.id}/results/{path}")
        assert resp.status_code == 200 and "复核" in resp.get_data(as_text=True)
        assert seen == []
    assert all(c.computed_at > utcnow() - timedelta(minutes=5) for c in _checks(call).values())
