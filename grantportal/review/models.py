"""Review rounds (初评、答辩复评、验收), their rubric, the random draw, assignments and reviews."""
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import LabelledEnum, UTCDateTime, db, enum_column, utcnow
from grantportal.core.timeutil import format_datetime, to_local


class RoundKind(LabelledEnum):
    FIRST = "first", "初评"
    DEFENCE = "defence", "答辩/路演复评"
    ACCEPTANCE = "acceptance", "验收评审"
    VOTE = "vote", "公众投票"  # run by the votes domain: no experts; its round score counts valid votes


class RoundStatus(LabelledEnum):
    DRAFT = "draft", "筹备中"
    OPEN = "open", "评审中"
    CLOSED = "closed", "已结束"


class Aggregation(LabelledEnum):
    MEAN = "mean", "算术平均"
    TRIMMED = "trimmed", "去掉一个最高分和一个最低分后平均"


class EntryRule(LabelledEnum):
    SCREENED = "screened", "资格审查通过的全部申报"
    TOP_N = "top_n", "上一轮排名前N名"
    MIN_SCORE = "min_score", "上一轮得分不低于X分"


class PanelMode(LabelledEnum):
    PER_APPLICATION = "per_application", "每个申报单独抽取评审组"
    PER_ROUND = "per_round", "全轮共用一个评审组"


class AssignmentSource(LabelledEnum):
    DRAW = "draw", "随机抽取"
    MANUAL = "manual", "人工指定"
    REPLACEMENT = "replacement", "替换"


class ReviewStatus(LabelledEnum):
    DRAFT = "draft", "暂存"
    SUBMITTED = "submitted", "已提交"


class ReviewRound(db.Model):
    __tablename__ = "review_round"
    __table_args__ = (sa.Index("ix_review_round_status_closes", "status", "closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("call.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[RoundKind] = mapped_column(enum_column(RoundKind), default=RoundKind.FIRST)
    status: Mapped[RoundStatus] = mapped_column(enum_column(RoundStatus), default=RoundStatus.DRAFT)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    panel_size: Mapped[int] = mapped_column(default=5)  # odd, 3 or more (DESIGN.md §4)
    panel_mode: Mapped[PanelMode] = mapped_column(enum_column(PanelMode), default=PanelMode.PER_APPLICATION)
    expert_fields: Mapped[str] = mapped_column(sa.String(200), default="")  # draw only experts in these fields
    load_limit: Mapped[int] = mapped_column(default=30)  # most assignments per expert in this round
    blind: Mapped[bool] = mapped_column(default=False)  # hide the organization from experts
    aggregation: Mapped[Aggregation] = mapped_column(enum_column(Aggregation), default=Aggregation.TRIMMED)
    trim_min_scores: Mapped[int] = mapped_column(default=5)  # trimmed mean only with this many scores
    half_points: Mapped[bool] = mapped_column(default=False)  # scores in steps of 0.5 instead of 1
    comment_below_percent: Mapped[int] = mapped_column(default=60)  # a comment is required below this (0: never)
    overall_comment_required: Mapped[bool] = mapped_column(default=True)
    spread_threshold: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1), default=Decimal("20.0"))
    entry_rule: Mapped[EntryRule] = mapped_column(enum_column(EntryRule), default=EntryRule.SCREENED)
    entry_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 1))
    source_round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("review_round.id"))
    weight_percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("100"))
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_reason: Mapped[str | None] = mapped_column(sa.Text)  # why a closed round was opened again
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    call = relationship("Call", backref=sa.orm.backref("review_rounds", order_by="ReviewRound.position"))
    criteria = relationship("RoundCriterion", back_populates="round", order_by="RoundCriterion.position",
                            cascade="all, delete-orphan")
    source_round = relationship("ReviewRound", remote_side=[id])

    @property
    def is_vote(self):
        """A public vote (公众投票): set up and run on the votes pages, scored from its valid votes."""
        return self.kind == RoundKind.VOTE

    @property
    def max_total(self):
        return sum((c.max_points for c in self.criteria), Decimal("0"))

    @property
    def field_list(self):
        return [f for f in (self.expert_fields or "").split(",") if f]


class RoundCriterion(db.Model):
    __tablename__ = "round_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(40))
    max_points: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1))
    guidance: Mapped[str] = mapped_column(sa.Text, default="")  # what each level of the criterion means

    round = relationship(ReviewRound, back_populates="criteria")


class Draw(db.Model):
    """One random draw, logged so that anyone can replay it: the candidates (with their loads), the order
    of their public labels and the seed determine the panel (review/panels/draw.py). ``public_order`` lists
    every expert considered (candidates and excluded) in the order of the labels the public record gives
    them (专家A, 专家B, …): a random order chosen at draw time, so that the labels say nothing about who is
    who; the shuffle starts from the candidates in that order, so the public record alone replays the draw."""

    __tablename__ = "draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application.id"))  # None: whole round
    seed: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    candidates: Mapped[list] = mapped_column(sa.JSON)  # [[expert user id, load], ...] after exclusions
    excluded: Mapped[list] = mapped_column(sa.JSON)  # [[expert user id, reason], ...]
    picked: Mapped[list] = mapped_column(sa.JSON)  # [expert user id, ...]
    public_order: Mapped[list] = mapped_column(sa.JSON)  # [expert user id, ...]: label order (专家A, 专家B, …)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round = relationship(ReviewRound)
    created_by = relationship("User")


class Assignment(db.Model):
    __tablename__ = "assignment"
    __table_args__ = (sa.UniqueConstraint("round_id", "application_id", "expert_id"),
                      sa.Index("ix_assignment_expert_round", "expert_id", "round_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"), index=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    expert_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    source: Mapped[AssignmentSource] = mapped_column(enum_column(AssignmentSource))
    draw_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draw.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)  # required for manual additions and replacements
    active: Mapped[bool] = mapped_column(default=True)
    removed_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round = relationship(ReviewRound)
    application = relationship("Application")
    expert = relationship("User", foreign_keys=[expert_id])
    review = relationship("Review", back_populates="assignment", uselist=False)


class Review(db.Model):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), unique=True)
    status: Mapped[ReviewStatus] = mapped_column(enum_column(ReviewStatus), default=ReviewStatus.DRAFT)
    total: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 1))  # computed on the server
    comment: Mapped[str] = mapped_column(sa.Text, default="")  # shown to the applicant, anonymised
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    assignment = relationship(Assignment, back_populates="review")
    scores = relationship("ReviewScore", back_populates="review", order_by="ReviewScore.id",
                          cascade="all, delete-orphan")
    revisions = relationship("ReviewRevision", back_populates="review", order_by="ReviewRevision.id")


class ReviewScore(db.Model):
    __tablename__ = "review_score"
    __table_args__ = (sa.UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("review.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("round_criterion.id"))
    points: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 1))
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    review = relationship(Review, back_populates="scores")
    criterion = relationship(RoundCriterion)


class ReviewRevision(db.Model):
    """The earlier version of a review an officer reopened, kept with the reason."""

    __tablename__ = "review_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("review.id"), index=True)
    snapshot: Mapped[dict] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(sa.Text)
    reopened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review = relationship(Review, back_populates="revisions")


class RoundScoreSums(db.Model):
    """Per review round and application: how many submitted reviews of active assignments it has, and the sum,
    lowest, highest and sum of squares of their totals in tenths of a point (exact integers) — what the round's
    results are computed from (results/aggregate.py ``round_figures``, which still leaves out withdrawn and
    screened-out applications and reviews whose expert has a conflict of interest).

    Kept by the database itself (triggers, migration 0020): every insert, delete or change of a review's
    assignment, status or total, or of an assignment's round, application or active flag, recomputes the pairs it
    touches in the same transaction, whoever wrote the row. The application only reads it."""

    __tablename__ = "round_score_sums"

    round_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    application_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n_reviews: Mapped[int]
    sum_tenths: Mapped[int] = mapped_column(sa.BigInteger)
    min_tenths: Mapped[int]
    max_tenths: Mapped[int]
    sum_squares: Mapped[int] = mapped_column(sa.BigInteger)


class Attendance(LabelledEnum):
    PENDING = "pending", "待登记"
    PRESENT = "present", "到场"
    ABSENT = "absent", "缺席"


class DefenceDraw(db.Model):
    """The random running order (出场顺序) of a defence round (答辩/路演), logged so that anyone can replay it:
    ``entrants`` (the entering applications' ids, ascending) shuffled with ``seed`` give ``order``
    (review/defence/order.py). A redraw is a new row with its reason; earlier draws stay in the log."""

    __tablename__ = "defence_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"), index=True)
    seed: Mapped[str] = mapped_column(sa.String(64))
    entrants: Mapped[list] = mapped_column(sa.JSON)  # [application id, ...] ascending
    order: Mapped[list] = mapped_column(sa.JSON)  # [application id, ...]: the running order drawn
    reason: Mapped[str | None] = mapped_column(sa.Text)  # required for a redraw
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round = relationship(ReviewRound)
    created_by = relationship("User")


class DefenceSlot(db.Model):
    """One applicant's time on a defence day: when (UTC), how long, where (a venue, an online meeting link or
    both), what to bring, and whether the organization came (到场 / 缺席). A no-show is not scored in the round
    (results/aggregate.py ``round_figures``) and is shown as 答辩缺席 in the round's results."""

    __tablename__ = "defence_slot"
    __table_args__ = (sa.Index("ix_defence_slot_round_app", "round_id", "application_id"),
                      sa.Index("ix_defence_slot_venue_starts", "venue", "starts_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"))
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int]
    venue: Mapped[str] = mapped_column(sa.String(120), default="")
    meeting_link: Mapped[str] = mapped_column(sa.String(300), default="")
    bring: Mapped[str] = mapped_column(sa.Text, default="")  # what the organization brings
    attendance: Mapped[Attendance] = mapped_column(enum_column(Attendance), default=Attendance.PENDING)
    attendance_note: Mapped[str] = mapped_column(sa.Text, default="")
    attendance_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round = relationship(ReviewRound)
    application = relationship("Application")

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def when(self):
        """2026年12月10日 09:00—09:20 in the site's zone."""
        return f"{format_datetime(self.starts_at)}—{to_local(self.ends_at):%H:%M}"
