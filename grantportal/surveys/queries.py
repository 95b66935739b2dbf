"""Reads of satisfaction surveys shared by their pages, the project's public page (disclosure) and 我的参与 (citizens
asks through ``core.signals``; connected when the app is created: ``grantportal/app.py`` imports this module).
Means are computed from the stored answers (Decimal, two places), never kept as counters."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.awards.models import Award
from grantportal.citizens.queries import Record
from grantportal.core import signals
from grantportal.core.db import db
from grantportal.core.masking import mask_text
from grantportal.core.paging import Pager
from grantportal.funding.models import Contract
from grantportal.surveys.models import SCALE, Survey, SurveyAnswer

PUBLIC_MIN_ANSWERS = 10  # a closed survey's results are public only from this many answers on
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Item:
    text: str
    mean: Decimal | None
    distribution: tuple  # ((score, count), ...) for 1..5


@dataclass(frozen=True)
class Results:
    survey: Survey
    count: int
    items: tuple
    comments: tuple  # (masked text, ...), newest first


def _project():
    return joinedload(Survey.contract).joinedload(Contract.award).joinedload(Award.application) \
        .joinedload(Application.org)


def survey_for_page(survey_id):
    """The survey with its project loaded, or None."""
    return db.session.scalar(sa.select(Survey).where(Survey.id == survey_id).options(_project())
                             .execution_options(populate_existing=True))


def surveys_of(contract_id):
    """A project's surveys, newest first, with how many answered each."""
    counts = dict(db.session.execute(
        sa.select(SurveyAnswer.survey_id, sa.func.count()).join(Survey, Survey.id == SurveyAnswer.survey_id)
        .where(Survey.contract_id == contract_id).group_by(SurveyAnswer.survey_id)).all())
    rows = db.session.scalars(sa.select(Survey).where(Survey.contract_id == contract_id)
                              .order_by(Survey.opens_at.desc(), Survey.id.desc())).all()
    return [(s, counts.get(s.id, 0)) for s in rows]


def _mean(values):
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(CENT, rounding=ROUND_HALF_UP)


def results_of(survey, with_comments=False):
    """How many answered, the mean and distribution per rating question, and (for staff) the free text masked."""
    answers = db.session.execute(
        sa.select(SurveyAnswer.ratings, SurveyAnswer.comments).where(SurveyAnswer.survey_id == survey.id)
        .order_by(SurveyAnswer.answered_at.desc(), SurveyAnswer.id.desc())).all()
    items = []
    for q in survey.ratings:
        values = [a.ratings[q["key"]] for a in answers if q["key"] in a.ratings]
        items.append(Item(q["text"], _mean(values), tuple((s, values.count(s)) for s in SCALE)))
    comments = ()
    if with_comments:
        comments = tuple(mask_text(a.comments[q["key"]]) for a in answers for q in survey.texts
                         if a.comments.get(q["key"]))
    return Results(survey, len(answers), tuple(items), comments)


def public_surveys(contract_id, now):
    """What the project's public page shows of its surveys, from one read of them: those taking answers at ``now``
    (linked, soonest to close first), and the results of the closed ones with at least ``PUBLIC_MIN_ANSWERS``
    answers, as counts and means (never an answer, never a phone), newest first."""
    surveys = db.session.scalars(sa.select(Survey).where(Survey.contract_id == contract_id, Survey.opens_at <= now)
                                 ).all()
    taking = sorted((s for s in surveys if s.closes_at > now), key=lambda s: (s.closes_at, s.id))
    closed = sorted((s for s in surveys if s.closes_at <= now), key=lambda s: (s.closes_at, s.id), reverse=True)
    shown = (results_of(s) for s in closed)
    return taking, [r for r in shown if r.count >= PUBLIC_MIN_ANSWERS]


@signals.project_satisfaction.connect
def satisfaction_of(contract_id):
    """The project's surveys with answers, newest first, as counts and means per question (the officer grades the
    evaluation with them at hand; the free text stays on each survey's results page)."""
    return [results_of(survey) for survey, answered in surveys_of(contract_id) if answered]


def _answered_by(user_id):
    return (sa.select(SurveyAnswer).where(SurveyAnswer.citizen_id == user_id)
            .options(joinedload(SurveyAnswer.survey).joinedload(Survey.contract).joinedload(Contract.award)
                     .joinedload(Award.application)))


def _newest_first(query):
    return query.order_by(SurveyAnswer.answered_at.desc(), SurveyAnswer.id.desc())


def _count_answered(user_id):
    return db.session.scalar(sa.select(sa.func.count()).select_from(SurveyAnswer)
                             .where(SurveyAnswer.citizen_id == user_id))


def answered_page(user_id, page, per_page):
    """我的问卷: one page of the surveys the citizen answered, newest first."""
    pager = Pager(_count_answered(user_id), page, per_page)
    pager.items = db.session.scalars(_newest_first(_answered_by(user_id)).offset(pager.start).limit(per_page)).all()
    return pager


@signals.participant_surveys.connect
def surveys_answered(sender):
    """A citizen's latest answered surveys for 我的参与 (``sender``: user id, how many), and how many in all."""
    user_id, limit = sender
    rows = db.session.scalars(_newest_first(_answered_by(user_id)).limit(limit)).all()
    return [Record(f"{a.survey.title}（{a.survey.contract.award.application.title}）", a.answered_at, "已提交",
                   url_for("surveys.answer", survey_id=a.survey_id)) for a in rows], _count_answered(user_id)
