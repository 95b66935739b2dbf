"""Writes of satisfaction surveys (满意度调查, issue 13). Each flushes under its audit action and never commits; the
view commits once.

- ``open_survey``: an officer opens a survey on a project in execution (合同履行中) with a title and a window (its
  end after its start and after now, at most ``MAX_DAYS`` long); the questions are the default template's.
- ``close_early``: the officer ends an open or pending survey before its window ends, with a reason.
- ``answer``: a citizen answers once inside the window; every rating question needs a score of 1–5, the free text
  is optional. A second answer from the same citizen account (one verified phone) is refused; two submits at the
  same moment meet the unique index and the second is refused the same way (``ALREADY``, the view's ``taken``).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row
from grantportal.core.errors import Refused
from grantportal.core.timeutil import format_datetime
from grantportal.core.wording import quoted
from grantportal.funding.models import ContractStatus
from grantportal.surveys.models import DEFAULT_QUESTIONS, SCALE, Survey, SurveyAnswer

__all__ = ["ALREADY", "AnswerData", "SurveyData", "SurveyRefused", "answer", "answering_problem", "close_early",
           "open_survey", "opening_problem"]

TITLE_MAX = 100
REASON_MAX = 500
COMMENT_MAX = 500
MAX_DAYS = 366


class SurveyRefused(Refused):
    """A survey operation refused (``core.errors.Refused``: message, field, status)."""


ALREADY = SurveyRefused("您已填写过本问卷，每个手机号只能填写一次。感谢您的参与！", None, 409)


@dataclass(frozen=True)
class SurveyData:
    title: str | None
    opens_at: datetime | None  # UTC
    closes_at: datetime | None  # UTC


@dataclass(frozen=True)
class AnswerData:
    ratings: dict  # {question key: int or None}
    comments: dict  # {question key: str or None}


def opening_problem(contract):
    """Why no survey can be opened on ``contract``'s project, or None: only a project in execution."""
    if contract.status != ContractStatus.ACTIVE:
        return f"该项目当前为{quoted(contract.status.label)}，不在执行期内，不能发起满意度调查。"
    return None


def _text(value, field, limit, missing=None):
    value = (value or "").strip()
    if not value:
        if missing:
            raise SurveyRefused(missing, field, 400)
        return None
    if len(value) > limit:
        raise SurveyRefused(f"不能超过{limit}个字。", field, 400)
    return value


def open_survey(contract, officer, data, now):
    problem = opening_problem(contract)
    if problem:
        raise SurveyRefused(problem)
    title = _text(data.title, "title", TITLE_MAX, "请填写问卷标题。")
    if data.opens_at is None:
        raise SurveyRefused("请填写开始时间。", "opens_at", 400)
    if data.closes_at is None:
        raise SurveyRefused("请填写结束时间。", "closes_at", 400)
    if data.closes_at <= data.opens_at:
        raise SurveyRefused("结束时间须晚于开始时间。", "closes_at", 400)
    if data.closes_at <= now:
        raise SurveyRefused("结束时间须晚于现在。", "closes_at", 400)
    if data.closes_at - data.opens_at > timedelta(days=MAX_DAYS):
        raise SurveyRefused(f"调查时间不能超过{MAX_DAYS}天。", "closes_at", 400)
    with audit_action("survey.open"):
        survey = Survey(contract_id=contract.id, title=title, questions=[dict(q) for q in DEFAULT_QUESTIONS],
                        opens_at=data.opens_at, closes_at=data.closes_at, created_by_id=officer.id, created_at=now)
        db.session.add(survey)
        db.session.flush()
    return survey


def close_early(survey, officer, reason, now):
    lock_row(Survey, survey.id)
    db.session.refresh(survey)
    if survey.closes_at <= now:
        raise SurveyRefused("该问卷已结束，无需提前结束。")
    reason = _text(reason, "reason", REASON_MAX, "请写明提前结束的理由。")
    with audit_action("survey.close_early"):
        survey.closes_at = survey.closed_early_at = now
        survey.closed_by_id, survey.close_reason = officer.id, reason
        db.session.flush()
    return survey


def answering_problem(survey, now):
    """Why the survey takes no answer at ``now`` (Chinese), or None."""
    state = survey.state(now)
    if state == "pending":
        return f"本问卷将于{format_datetime(survey.opens_at)}开始填写，请届时再来。"
    if state == "closed":
        return f"本问卷已于{format_datetime(survey.closes_at)}结束，不再接受填写。感谢您的关注！"
    return None


def has_answered(survey, user):
    return db.session.scalar(sa.select(SurveyAnswer.id).where(SurveyAnswer.survey_id == survey.id,
                                                              SurveyAnswer.citizen_id == user.id)) is not None


def answer(survey, citizen, data, now):
    problem = answering_problem(survey, now)
    if problem:
        raise SurveyRefused(problem)
    if has_answered(survey, citizen):
        raise ALREADY
    missing, ratings = {}, {}
    for q in survey.ratings:
        value = data.ratings.get(q["key"])
        if value not in SCALE:
            missing[q["key"]] = f"请为{quoted(q['text'])}选择1至5分。"
        else:
            ratings[q["key"]] = value
    comments = {}
    for q in survey.texts:
        value = (data.comments.get(q["key"]) or "").strip()
        if len(value) > COMMENT_MAX:
            missing[q["key"]] = f"不能超过{COMMENT_MAX}个字。"
        elif value:
            comments[q["key"]] = value
    if missing:
        first, *rest = missing
        raise SurveyRefused(missing[first], first, 400, fields={k: missing[k] for k in rest})
    with audit_action("survey.answer"):
        row = SurveyAnswer(survey_id=survey.id, citizen_id=citizen.id, answered_at=now, ratings=ratings,
                           comments=comments)
        db.session.add(row)
        db.session.flush()
    return row
