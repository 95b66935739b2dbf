"""Writes of expert scoring: save a draft, submit, reopen (officer).

Each takes the objects and the acting user, flushes under a named audit action and never commits; the
request commits once. The state (round open, before the deadline, review still a draft, the version the
page was built from) is checked here, in the same transaction as the write, on a row locked on
PostgreSQL (``locked_review``) and versioned everywhere (``Review.version``): a double-clicked submit
makes one submission, a stale page cannot overwrite newer scores.
"""
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row
from grantportal.core.errors import Refused, stale_message
from grantportal.core.money import format_points
from grantportal.core.notices import notify
from grantportal.core.timeutil import format_datetime
from grantportal.core.wording import quoted
from grantportal.experts.conflicts import conflict_reasons
from grantportal.review.models import Assignment, Review, ReviewRevision, ReviewScore, ReviewStatus, RoundStatus

OVERALL = "comment"


class ScoringError(Refused):
    """An operation on reviews refused (``core.errors.Refused``)."""


class StaleReview(ScoringError):
    def __init__(self):
        super().__init__(stale_message("该评审", "请刷新页面后重新填写。"))


class AlreadySubmitted(ScoringError):
    def __init__(self):
        super().__init__("该评审已提交并锁定，本次操作未保存。如需修改，请联系项目官员退回。")


class SubmitRefused(ScoringError):
    """Submission refused for missing scores or comments: ``fields`` maps form field names to messages."""

    status = 200

    def __init__(self, problems):
        super().__init__("评审未能提交，请按提示补充后重新提交。已填写的内容已保留。", fields=problems)


@dataclass
class ReviewData:
    """What the expert entered, already parsed and checked by the form: criterion id -> points/comment."""

    points: dict = field(default_factory=dict)  # criterion id -> Decimal or None (not scored yet)
    comments: dict = field(default_factory=dict)  # criterion id -> str
    comment: str = ""  # the overall comment


def window_problem(round_, now):
    """Why this round takes no scores now (Chinese), or None."""
    if round_.status == RoundStatus.DRAFT:
        return "本轮评审尚未开始，不能保存或提交评分。"
    if round_.status != RoundStatus.OPEN:
        return f"本轮评审已结束（{round_.status.label}），不能再保存或提交评分。"
    if round_.opens_at and now < round_.opens_at:
        return f"本轮评审将于{format_datetime(round_.opens_at)}（北京时间）开始，暂不能保存或提交评分。"
    if round_.closes_at and now >= round_.closes_at:
        return f"本轮评审已于{format_datetime(round_.closes_at)}（北京时间）截止，不能再保存或提交评分。"
    return None


def comment_threshold(round_, criterion):
    """Below this score a comment is required on the criterion (None: never required)."""
    if not round_.comment_below_percent:
        return None
    return Decimal(criterion.max_points) * Decimal(round_.comment_below_percent) / Decimal(100)


def submission_problems(round_, data):
    """Everything missing for a submission, as {form field name: message}; empty when it may be submitted."""
    problems = {}
    for c in round_.criteria:
        points = data.points.get(c.id)
        if points is None:
            problems[f"score_{c.id}"] = "请为此项评分。"
            continue
        threshold = comment_threshold(round_, c)
        if threshold is not None and points < threshold and not (data.comments.get(c.id) or "").strip():
            problems[f"comment_{c.id}"] = (f"该项得分低于满分的{round_.comment_below_percent}%"
                                           f"（{format_points(threshold)}分），请填写评分理由。")
    if round_.overall_comment_required and not (data.comment or "").strip():
        problems[OVERALL] = "请填写总体评价意见。"
    return problems


def locked_review(assignment):
    """The assignment's review (or None), read afresh and row-locked on PostgreSQL. The assignment row is
    locked first (the same order as an officer's replacement), so that a replacement and a submission
    at the same moment cannot both succeed."""
    lock_row(Assignment, assignment.id, reload=True)
    return db.session.scalar(
        sa.select(Review).where(Review.assignment_id == assignment.id)
        .with_for_update().execution_options(populate_existing=True))


def current_version(review):
    return review.version if review is not None else 0


def check_state(assignment, review, now, expected_version):
    """Raise ScoringError (409) unless the review may be written now from the page at ``expected_version``."""
    if not assignment.active:
        raise ScoringError("该评审任务已被撤销（专家已被替换），本次评分未保存。如有疑问，请联系项目官员。")
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise AlreadySubmitted()
    problem = window_problem(assignment.round, now)
    if problem:
        raise ScoringError(problem)
    if expected_version is not None and expected_version != current_version(review):
        raise StaleReview()


def _apply(assignment, review, data, now):
    if review is None:
        review = Review(assignment=assignment, status=ReviewStatus.DRAFT)
        db.session.add(review)
    existing = {s.criterion_id: s for s in review.scores}
    for c in assignment.round.criteria:
        row = existing.get(c.id)
        if row is None:
            row = ReviewScore(criterion_id=c.id)
            review.scores.append(row)
        row.points = data.points.get(c.id)
        row.comment = (data.comments.get(c.id) or "").strip()
    scored = [p for p in (data.points.get(c.id) for c in assignment.round.criteria) if p is not None]
    review.total = sum(scored, Decimal(0)) if scored else None  # on the server, from the rubric's scores only
    review.comment = (data.comment or "").strip()
    review.updated_at = now  # the row changes (and its version moves on) even if only scores changed
    return review


def save_draft(assignment, review, data, expert, now, expected_version=None):
    """暂存: keep what the expert entered (scores may be missing); the review stays a draft."""
    check_state(assignment, review, now, expected_version)
    with audit_action("review.save"):
        review = _apply(assignment, review, data, now)
        db.session.flush()
    return review


def submit(assignment, review, data, expert, now, expected_version=None):
    """提交: every criterion scored and the comment rules met; the review is then locked."""
    check_state(assignment, review, now, expected_version)
    problems = submission_problems(assignment.round, data)
    if problems:
        raise SubmitRefused(problems)
    with audit_action("review.submit"):
        review = _apply(assignment, review, data, now)
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = now
        db.session.flush()
    return review


def snapshot(review):
    """The review as it stands (kept in a ReviewRevision when an officer reopens it)."""
    return {
        "status": review.status.value,
        "total": str(review.total) if review.total is not None else None,
        "comment": review.comment,
        "submitted_at": review.submitted_at.isoformat() if review.submitted_at else None,
        "version": review.version,
        "scores": [{"criterion_id": s.criterion_id, "criterion": s.criterion.name,
                    "points": str(s.points) if s.points is not None else None, "comment": s.comment}
                   for s in review.scores],
    }


def reopen(review, officer, reason, now, link=None):
    """退回重评: keep the submitted version as a revision, make the review a draft again, tell the expert."""
    reason = (reason or "").strip()
    if not reason:
        raise ScoringError("请填写退回理由。", field="reason", status=200)
    if review.status != ReviewStatus.SUBMITTED:
        raise ScoringError("该评审尚未提交，无需退回。")
    round_ = review.assignment.round
    if round_.results_published_at is not None:
        raise ScoringError("本轮评审结果已公布，不能再退回评审。")
    if conflict_reasons(review.assignment.expert, review.assignment.application):
        raise ScoringError("该专家与此申报存在回避情形，评分已不计入汇总，不能退回其重新评审。请替换该专家。")
    problem = window_problem(round_, now)
    if problem:
        raise ScoringError("专家退回后须在评审期内重新提交，而" + problem.replace("不能再保存或提交评分", "")
                           .rstrip("，。") + "。请先调整本轮评审时间。")
    with audit_action("review.reopen"):
        db.session.add(ReviewRevision(review=review, snapshot=snapshot(review), reason=reason,
                                      reopened_by_id=officer.id, created_at=now))
        review.status = ReviewStatus.DRAFT
        review.submitted_at = None
        review.updated_at = now
        app = review.assignment.application
        body = f"项目官员退回了您对{quoted(app.title)}（{app.display_number}）的评审，理由：{reason}"
        if round_.closes_at:
            body += f"\n请在{format_datetime(round_.closes_at)}（北京时间）前修改并重新提交。"
        notify(review.assignment.expert, "评审已退回，请修改后重新提交", body, link=link)
        db.session.flush()
    return review


