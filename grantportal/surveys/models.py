"""Satisfaction surveys (满意度调查) of the people a funded project serves (DESIGN.md §4 Public participation; issue
13): an officer opens a short questionnaire on a project in execution for a window of time (stored UTC, typed and
shown in Asia/Shanghai), its questions kept as data (``questions``: a list of ``{"key", "text", "kind"}`` where kind
is ``rating`` (1–5) or ``text`` (optional free text)) so that a later template changes no schema. The officer may
close it early with a reason.

A ``SurveyAnswer`` is one citizen's answer: a citizen account is one verified phone, and the unique index on
(survey, citizen) makes it one answer per phone per survey, even when the form is submitted twice at once. The
ratings are kept as ``{key: 1..5}``; the free text is shown to officers masked and never published."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import UTCDateTime, db, utcnow
from grantportal.core.masking import mask_text

RATING, TEXT = "rating", "text"
SCALE = (1, 2, 3, 4, 5)
SCALE_WORDS = {1: "很不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "很满意"}

DEFAULT_QUESTIONS = (
    {"key": "attitude", "text": "服务态度", "kind": RATING},
    {"key": "timeliness", "text": "服务及时性", "kind": RATING},
    {"key": "usefulness", "text": "服务内容实用性", "kind": RATING},
    {"key": "professionalism", "text": "服务人员专业性", "kind": RATING},
    {"key": "overall", "text": "总体满意度", "kind": RATING},
    {"key": "comment", "text": "意见建议", "kind": TEXT},
)


class Survey(db.Model):
    __tablename__ = "survey"
    __audit_masked__ = {"close_reason": mask_text}
    __table_args__ = (sa.Index("ix_survey_contract_closes", "contract_id", "closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"))
    title: Mapped[str] = mapped_column(sa.String(100))
    questions: Mapped[list] = mapped_column(sa.JSON)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the window's end, or when it was closed early
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_early_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    close_reason: Mapped[str | None] = mapped_column(sa.Text)

    contract = relationship("Contract")

    @property
    def ratings(self):
        return [q for q in self.questions if q["kind"] == RATING]

    @property
    def texts(self):
        return [q for q in self.questions if q["kind"] == TEXT]

    def state(self, now):
        """未开始, 进行中 or 已结束 at ``now``."""
        if now < self.opens_at:
            return "pending"
        return "open" if now < self.closes_at else "closed"


class SurveyAnswer(db.Model):
    __tablename__ = "survey_answer"
    __audit_masked__ = {"comments": lambda v: {k: mask_text(t) for k, t in (v or {}).items()}}
    __table_args__ = (
        # one answer per verified phone (citizen account) per survey; also the citizen's own list
        sa.UniqueConstraint("citizen_id", "survey_id", name="uq_survey_answer_citizen_survey"),
        sa.Index("ix_survey_answer_survey", "survey_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"))
    citizen_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ratings: Mapped[dict] = mapped_column(sa.JSON)  # {question key: 1..5}
    comments: Mapped[dict] = mapped_column(sa.JSON)  # {question key: text}, only those filled in

    survey = relationship("Survey")
