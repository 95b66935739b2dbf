"""Scoring in the browser: draft, submit, lock; server-side totals; bad input; deadlines; stale pages;
double submits; conflicts; reopening; who sees what."""
import threading
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from grantportal.applications.models import AppStatus, Attachment
from grantportal.core import signals
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.core.notices import Notice
from grantportal.experts.conflicts import new_conflict
from grantportal.experts.models import ConflictSource
from grantportal.review.models import Review, ReviewRevision, ReviewRound, ReviewScore, ReviewStatus, RoundStatus
from tests import factories as f
from tests.permissions.world import stored_pdf

GOOD = [12, 20, 12, 12, 8, 8, 8]  # all at or above 60% of each maximum; total 80


@pytest.fixture
def w():
    officer = f.UserFactory(officer=True, username="officer1")
    org = f.OrganizationFactory(legal_rep="欧阳法人", contact_name="司马联系", name="中山市阳光社工服务中心")
    member = f.member_of(org, username="member1")
    call = f.CallFactory(created_by=officer)
    app = f.ApplicationFactory(call=call, org=org, created_by=member, status=AppStatus.SUBMITTED,
                               number="BA-2026-0001", submitted_at=utcnow())
    round_ = f.ReviewRoundFactory(call=call)
    expert = f.expert(user_username="expert1", user_name="诸葛评审")
    other = f.expert(user_username="expert2", user_name="上官评审")
    assignment = f.AssignmentFactory(round=round_, application=app, expert=expert)
    other_assignment = f.AssignmentFactory(round=round_, application=app, expert=other)
    return SimpleNamespace(officer=officer, org=org, member=member, call=call, app=app, round=round_,
                           expert=expert, other=other, assignment=assignment, other_assignment=other_assignment)


def url(a):
    return f"/review/assignments/{a.id}"


def form(round_, points, comments=None, overall="整体设计合理，建议加强志愿者管理。", submit=False, version=0,
         **extra):
    data = {"version": str(version), "comment": overall}
    for i, c in enumerate(round_.criteria):
        data[f"score_{c.id}"] = "" if points[i] is None else str(points[i])
        data[f"comment_{c.id}"] = (comments or {}).get(i, "")
    data["submit_review" if submit else "save"] = "提交评审" if submit else "暂存"
    data.update(extra)
    return data


def review_of(a):
    db.session.expire_all()
    return db.session.scalar(sa.select(Review).where(Review.assignment_id == a.id))


def actions(name, table=None):
    """Audit entries of this action on ``table`` (default: the review, or the round for publication)."""
    table = table or ("review_round" if name.startswith("round.") else "review")
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == name, AuditEntry.object_type == table))


# --- the worklist --------------------------------------------------------------------------------

def test_worklist_shows_progress_deadline_and_status(client, auth, w):
    f.submitted_review(w.other_assignment)
    draft_round = f.ReviewRoundFactory(call=w.call, name="复评", status=RoundStatus.DRAFT)
    f.AssignmentFactory(round=draft_round, application=w.app, expert=w.expert)
    auth.login(w.expert)
    html = client.get("/review/").get_data(as_text=True)
    assert "初评" in html and "已提交 0 / 1" in html and "未开始" in html
    assert "（北京时间）" in html and ":" in html.split("评审截止")[1][:60]
    assert "复评" not in html  # draft rounds are not shown
    client.post(url(w.assignment), data=form(w.round, [10] + [None] * 6))
    html = client.get("/review/").get_data(as_text=True)
    assert "暂存" in html


def test_worklist_shows_current_work_first_and_folds_finished_rounds(client, auth, w):
    earlier = f.CallFactory(created_by=w.officer, name="上一届公益创投")
    closed = f.ReviewRoundFactory(call=earlier, name="往届初评", status=RoundStatus.CLOSED,
                                  closes_at=utcnow() - timedelta(days=200))
    f.submitted_review(f.AssignmentFactory(round=closed, application=f.ApplicationFactory(
        call=earlier, status=AppStatus.SUBMITTED, submitted_at=utcnow()), expert=w.expert))
    done = f.ReviewRoundFactory(call=w.call, name="答辩评审", closes_at=utcnow() + timedelta(days=1))
    f.submitted_review(f.AssignmentFactory(round=done, application=w.app, expert=w.expert))
    auth.login(w.expert)
    main = client.get("/review/").get_data(as_text=True).split("<main", 1)[1]  # the menu folds with <details> too
    current, folded = main.split("<details", 1)
    assert "初评" in current and "开始评分" in current
    assert "往届初评" not in current and "答辩评审" not in current
    assert "往届初评" in folded and "答辩评审" in folded and "（2轮）" in folded


def test_worklist_with_only_finished_rounds_says_nothing_is_waiting(client, auth, w):
    f.submitted_review(w.assignment)
    auth.login(w.expert)
    main = client.get("/review/").get_data(as_text=True).split("<main", 1)[1]
    assert "目前没有待完成的评审任务" in main and "<details" in main


def test_worklist_empty_state(client, auth):
    auth.login(f.expert())
    html = client.get("/review/").get_data(as_text=True)
    assert "目前没有分配给您的评审任务" in html


# --- draft, submit, lock -------------------------------------------------------------------------

def test_draft_then_submit_then_locked(client, auth, w):
    auth.login(w.expert)
    page = client.get(url(w.assignment)).get_data(as_text=True)
    assert w.app.title in page and "需求分析（满分15分）" in page and w.org.name in page
    resp = client.post(url(w.assignment), data=form(w.round, [12, 20, None, None, None, None, None]))
    assert resp.status_code == 303
    review = review_of(w.assignment)
    assert review.status == ReviewStatus.DRAFT and review.total == Decimal("32")
    assert actions("review.save") >= 1
    resp = client.post(url(w.assignment), data=form(w.round, GOOD, submit=True, version=review.version))
    assert resp.status_code == 303
    review = review_of(w.assignment)
    assert review.status == ReviewStatus.SUBMITTED and review.total == Decimal("80") and review.submitted_at
    assert actions("review.submit") >= 1
    page = client.get(url(w.assignment)).get_data(as_text=True)
    assert "已提交" in page and 'name="score_' not in page and "评审已提交并锁定" in page
    resp = client.post(url(w.assignment), data=form(w.round, [1] * 7, version=review.version))
    assert resp.status_code == 409
    assert review_of(w.assignment).total == Decimal("80")


def test_total_sent_by_the_browser_is_ignored(client, auth, w):
    auth.login(w.expert)
    client.post(url(w.assignment), data=form(w.round, GOOD, submit=True, total="100"))
    assert review_of(w.assignment).total == Decimal("80")


@pytest.mark.parametrize("typed,message", [
    ("16", "分数不能超过该项满分15分"),
    ("-1", "分数不能为负数"),
    ("abc", "分数格式不正确"),
    ("１２", "请使用半角数字"),
    ("12.5", "本轮评分须为整数"),
    ("1e1", "分数格式不正确"),
])
def test_bad_score_is_refused_next_to_the_field_and_nothing_saved_is_lost(client, auth, w, typed, message):
    auth.login(w.expert)
    client.post(url(w.assignment), data=form(w.round, [10] + [None] * 6))
    before = review_of(w.assignment)
    resp = client.post(url(w.assignment), data=form(w.round, [typed, 20] + [None] * 5, version=before.version))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and message in html
    assert f'value="{typed}"' in html  # what was typed is kept
    after = review_of(w.assignment)
    assert after.version == before.version and after.total == Decimal("10")


def test_half_points_round_takes_halves_only(client, auth, w):
    w.round.half_points = True
    db.session.commit()
    auth.login(w.expert)
    resp = client.post(url(w.assignment), data=form(w.round, ["12.3"] + [None] * 6))
    assert "以0.5分为单位" in resp.get_data(as_text=True)
    resp = client.post(url(w.assignment), data=form(w.round, ["12.5"] + GOOD[1:], submit=True))
    assert resp.status_code == 303
    assert review_of(w.assignment).total == Decimal("80.5")


def test_score_for_a_criterion_not_in_the_rubric_is_400(client, auth, w):
    other_round = f.ReviewRoundFactory(call=w.call, name="复评")
    auth.login(w.expert)
    data = form(w.round, GOOD)
    data[f"score_{other_round.criteria[0].id}"] = "5"
    assert client.post(url(w.assignment), data=data).status_code == 400
    assert client.post(url(w.assignment), data={**form(w.round, GOOD), "score_x": "1"}).status_code == 400
    assert review_of(w.assignment) is None


def test_submit_needs_every_score_and_the_comment_rules(client, auth, w):
    auth.login(w.expert)
    low = [8] + GOOD[1:]  # 8 < 60% of 15
    resp = client.post(url(w.assignment), data=form(w.round, low[:6] + [None], overall="", submit=True))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "请为此项评分" in html and "请填写评分理由" in html and "请填写总体评价意见" in html
    assert review_of(w.assignment) is None
    resp = client.post(url(w.assignment), data=form(w.round, low, comments={0: "需求调研样本偏少。"}, submit=True))
    assert resp.status_code == 303
    assert review_of(w.assignment).status == ReviewStatus.SUBMITTED


def test_comment_rules_follow_the_round(client, auth, w):
    w.round.comment_below_percent = 0
    w.round.overall_comment_required = False
    db.session.commit()
    auth.login(w.expert)
    resp = client.post(url(w.assignment), data=form(w.round, [1] * 7, overall="", submit=True))
    assert resp.status_code == 303
    assert review_of(w.assignment).total == Decimal("7")


# --- deadlines, stale pages, double submits --------------------------------------------------------

@pytest.mark.parametrize("change", ["past_deadline", "closed", "not_yet_open"])
def test_no_scoring_outside_the_round(client, auth, w, change):
    auth.login(w.expert)
    client.post(url(w.assignment), data=form(w.round, [10] + [None] * 6))
    before = review_of(w.assignment)
    r = db.session.get(ReviewRound, w.round.id)
    if change == "past_deadline":
        r.closes_at = utcnow() - timedelta(minutes=1)
    elif change == "closed":
        r.status = RoundStatus.CLOSED
    else:
        r.opens_at = utcnow() + timedelta(days=1)
    db.session.commit()
    for submit in (False, True):
        resp = client.post(url(w.assignment), data=form(w.round, GOOD, submit=submit, version=before.version))
        assert resp.status_code == 409
        assert "不能再保存或提交评分" in resp.get_data(as_text=True) or "暂不能保存" in resp.get_data(as_text=True)
    after = review_of(w.assignment)
    assert after.version == before.version and after.status == ReviewStatus.DRAFT and after.total == Decimal("10")


def test_stale_page_cannot_overwrite_newer_scores(client, auth, w):
    auth.login(w.expert)
    client.post(url(w.assignment), data=form(w.round, [10] + [None] * 6))
    old = review_of(w.assignment).version
    client.post(url(w.assignment), data=form(w.round, [11] + [None] * 6, version=old))  # another tab
    resp = client.post(url(w.assignment), data=form(w.round, [5] + [None] * 6, version=old))
    assert resp.status_code == 409 and "该评审已在其他页面或由其他人修改" in resp.get_data(as_text=True)
    assert review_of(w.assignment).total == Decimal("11")
    # a page opened before the first save (version 0) cannot overwrite either
    resp = client.post(url(w.assignment), data=form(w.round, GOOD, submit=True, version=0))
    assert resp.status_code == 409
    assert review_of(w.assignment).status == ReviewStatus.DRAFT


def test_double_clicked_submit_makes_one_submission(client, auth, w):
    auth.login(w.expert)
    data = form(w.round, GOOD, submit=True)
    first = client.post(url(w.assignment), data=data)
    second = client.post(url(w.assignment), data=data)
    assert first.status_code == 303 and second.status_code == 303
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "无需重复提交" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 1
    assert actions("review.submit") == 1


def _post_together(app, posts):
    """POST from several signed-in clients at the same moment: posts = [(user, url, data)]; status codes."""
    from tests.conftest import Auth

    clients = []
    for user, _, _ in posts:
        c = app.test_client()
        Auth(c).login(user)
        clients.append(c)
    barrier = threading.Barrier(len(posts))
    codes = [None] * len(posts)

    def run(i, c, target, data):
        with app.app_context():
            barrier.wait()
            codes[i] = c.post(target, data=data).status_code
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i, c, target, data))
               for i, (c, (_, target, data)) in enumerate(zip(clients, posts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return codes


def test_two_submits_at_the_same_moment_make_one_submission(app, client, auth, w, is_postgres):
    """Two requests racing (threads, separate sessions): one submission, the other told it is done."""
    if not is_postgres:
        pytest.skip("row locks are only real on PostgreSQL (SQLite serialises writers)")
    auth.login(w.expert)
    client.post(url(w.assignment), data=form(w.round, [10] + [None] * 6))
    data = form(w.round, GOOD, submit=True, version=review_of(w.assignment).version)
    target = url(w.assignment)
    db.session.rollback()
    codes = _post_together(app, [(w.expert, target, data)] * 2)
    assert sorted(codes) in ([303, 303], [303, 409])
    assert review_of(w.assignment).status == ReviewStatus.SUBMITTED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 1
    assert actions("review.submit") == 1


def test_two_first_submits_without_a_draft_make_one_review(app, w, is_postgres):
    """No review row yet: both requests try to create it; the unique assignment makes one."""
    if not is_postgres:
        pytest.skip("real concurrency needs PostgreSQL")
    data = form(w.round, GOOD, submit=True)
    target = url(w.assignment)
    db.session.rollback()
    codes = _post_together(app, [(w.expert, target, data)] * 2)
    assert sorted(codes) in ([303, 303], [303, 409])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 1
    assert actions("review.submit") == 1


def test_two_experts_finishing_at_the_same_moment_both_count(app, w, is_postgres):
    if not is_postgres:
        pytest.skip("real concurrency needs PostgreSQL")
    data = form(w.round, GOOD, submit=True)
    posts = [(w.expert, url(w.assignment), data), (w.other, url(w.other_assignment), data)]
    db.session.rollback()
    assert _post_together(app, posts) == [303, 303]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)
                             .where(Review.status == ReviewStatus.SUBMITTED)) == 2


# --- who may open what ---------------------------------------------------------------------------

def test_other_experts_and_staff_cannot_open_the_scoring_page(client, auth, w):
    for user in (w.other, w.officer, w.member):
        auth.login(user)
        assert client.get(url(w.assignment)).status_code == 403
        assert client.post(url(w.assignment), data=form(w.round, GOOD)).status_code == 403
        auth.logout()
    assert client.get("/review/assignments/999999").status_code in (302, 404)


def test_conflicted_expert_gets_403_even_when_assigned(client, auth, w):
    att = Attachment(application=w.app, document=w.call.documents[0], file=stored_pdf("项目申报书.pdf"))
    db.session.add(att)
    db.session.add(new_conflict(w.expert.expert_profile, w.expert, "曾任该机构理事", ConflictSource.DECLARED,
                                org=w.org))
    db.session.commit()
    auth.login(w.expert)
    resp = client.get(url(w.assignment))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 403 and "回避" in html and w.app.title not in html
    assert client.get(f"{url(w.assignment)}/files/{att.id}").status_code == 403
    assert client.post(url(w.assignment), data=form(w.round, GOOD, submit=True)).status_code == 403
    assert review_of(w.assignment) is None
    listing = client.get("/review/").get_data(as_text=True)
    assert "需回避" in listing


def test_attachment_download_rechecks_assignment_and_blind_names(client, auth, w):
    att = Attachment(application=w.app, document=w.call.documents[0], file=stored_pdf("阳光社工-申报书.pdf"))
    db.session.add(att)
    other_app = f.ApplicationFactory(call=w.call, status=AppStatus.SUBMITTED)
    other_att = Attachment(application=other_app, document=w.call.documents[0], file=stored_pdf())
    db.session.add(other_att)
    db.session.commit()
    auth.login(w.expert)
    resp = client.get(f"{url(w.assignment)}/files/{att.id}")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    assert client.get(f"{url(w.assignment)}/files/{other_att.id}").status_code == 404
    w.round.blind = True
    db.session.commit()
    page = client.get(url(w.assignment)).get_data(as_text=True)
    assert "申报材料1.pdf" in page and "阳光社工-申报书" not in page
    assert w.org.name not in page and w.org.uscc not in page
    resp = client.get(f"{url(w.assignment)}/files/{att.id}")
    assert "%E7%94%B3%E6%8A%A5%E6%9D%90%E6%96%991.pdf" in resp.headers["Content-Disposition"]  # 申报材料1.pdf
    assert "%E9%98%B3" not in resp.headers["Content-Disposition"]


def test_expert_sees_only_own_scores(client, auth, w):
    f.submitted_review(w.other_assignment, points=[13, 21, 13, 13, 9, 9, 7], comment="上官的独家意见")
    auth.login(w.expert)
    client.post(url(w.assignment), data=form(w.round, [10] + [None] * 6))
    html = client.get(url(w.assignment)).get_data(as_text=True)
    assert "上官的独家意见" not in html and "上官评审" not in html and ">85<" not in html
    assert client.get(f"/manage/rounds/{w.round.id}/results").status_code == 403


# --- reopening -----------------------------------------------------------------------------------

def test_officer_reopens_a_submitted_review_keeping_the_earlier_version(client, auth, w):
    review = f.submitted_review(w.assignment, points=GOOD, comment="原意见")
    submitted_at = review.submitted_at
    auth.login(w.officer)
    page = client.get(f"/manage/reviews/{review.id}/reopen")
    assert page.status_code == 200
    resp = client.post(f"/manage/reviews/{review.id}/reopen", data={"reason": "", "version": str(review.version)})
    assert "请填写退回理由" in resp.get_data(as_text=True)
    resp = client.post(f"/manage/reviews/{review.id}/reopen",
                       data={"reason": "创新性评分与意见不一致，请核对。", "version": str(review.version)})
    assert resp.status_code == 303
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert review.status == ReviewStatus.DRAFT and review.submitted_at is None
    rev = db.session.scalar(sa.select(ReviewRevision).where(ReviewRevision.review_id == review.id))
    assert rev.reason == "创新性评分与意见不一致，请核对。" and rev.reopened_by_id == w.officer.id
    assert rev.snapshot["total"] == "80.0" and rev.snapshot["comment"] == "原意见"
    assert rev.snapshot["submitted_at"] == submitted_at.isoformat()
    assert [s["points"] for s in rev.snapshot["scores"]] == [f"{p}.0" for p in GOOD]
    assert actions("review.reopen") >= 1
    notice = db.session.scalar(sa.select(Notice).where(Notice.user_id == w.expert.id))
    assert "退回" in notice.title and "创新性评分" in notice.body
    # reopening again is a conflict; the expert can change and resubmit
    resp = client.post(f"/manage/reviews/{review.id}/reopen", data={"reason": "再退", "version": str(review.version)})
    assert resp.status_code == 409
    auth.logout()
    auth.login(w.expert)
    resp = client.post(url(w.assignment), data=form(w.round, [13] + GOOD[1:], submit=True, version=review.version))
    assert resp.status_code == 303
    assert review_of(w.assignment).total == Decimal("81")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewScore)) == 7


def test_only_officers_reopen(client, auth, w):
    review = f.submitted_review(w.assignment)
    for user in (w.expert, w.member):
        auth.login(user)
        assert client.post(f"/manage/reviews/{review.id}/reopen", data={"reason": "x"}).status_code == 403
        auth.logout()


# --- publication and what the applicant sees -------------------------------------------------------

def test_applicant_sees_nothing_before_publication_and_only_the_aggregate_after(client, auth, w, app):
    f.submitted_review(w.assignment, points=GOOD, comment="诸葛的意见：需求分析扎实。")
    f.submitted_review(w.other_assignment, points=[13, 21, 13, 13, 9, 9, 7], comment="上官的意见：预算偏高。")
    with app.test_request_context():
        from flask import render_template_string

        def shown():
            db.session.expire_all()
            application = db.session.get(type(w.app), w.app.id)
            results = signals.ask(signals.application_review_results, application)  # as the detail page asks
            return render_template_string('{% include "review/scoring/_applicant_results.html" %}', app=application,
                                          review_results=results)

        assert shown().strip() == ""
        auth.login(w.officer)
        assert client.post(f"/manage/rounds/{w.round.id}/results/publish").status_code == 409  # still open
        r = db.session.get(ReviewRound, w.round.id)
        r.status = RoundStatus.CLOSED
        db.session.commit()
        assert client.post(f"/manage/rounds/{w.round.id}/results/publish").status_code == 303
        assert actions("round.publish_results") == 1
        html = shown()
    assert "82.50" in html  # (80 + 85) / 2
    assert "专家一" in html and "专家二" in html
    assert "需求分析扎实" in html and "预算偏高" in html
    for secret in ("诸葛评审", "上官评审", ">80<", ">85<", "80.0", "85.0"):
        assert secret not in html
    auth.logout()
    auth.login(w.member)
    assert client.get(f"/manage/rounds/{w.round.id}/results").status_code == 403
    assert client.get(f"/manage/rounds/{w.round.id}/results.csv").status_code == 403


def test_anonymous_order_is_stable_and_not_by_id(app):
    from grantportal.review.results.aggregate import anonymous_order

    ids = list(range(1, 41))
    order = anonymous_order(ids, "k")
    assert order == anonymous_order(list(reversed(ids)), "k") and sorted(order) == ids and order != ids
