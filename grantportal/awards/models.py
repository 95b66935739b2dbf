"""Award decisions of a call: the proposal (拟资助方案), its 公示 and objections (异议), the final results.

One ``Proposal`` per call carries the results' state (拟定中 → 公示中 → 已确定); one ``Award`` per submitted
application carries its place in the proposal (拟入选 / 候补 / 未入选 / 已撤销), the amount and the reasons;
``ResultsRevision`` keeps what was published when, and what changed after objections; ``PublicCheck`` keeps the
public recomputation (复核) of the published results, computed by a job, with the rows of each of its pages.
"""
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.calls.models import Level
from grantportal.core.db import LabelledEnum, Money, UTCDateTime, db, enum_column, utcnow


class ProposalStatus(LabelledEnum):
    DRAFT = "draft", "拟定中"
    PUBLICIZED = "publicized", "公示中"
    FINAL = "final", "已确定"


class AwardStatus(LabelledEnum):
    SELECTED = "selected", "拟入选"
    RESERVE = "reserve", "候补"
    NOT_SELECTED = "not_selected", "未入选"
    CANCELLED = "cancelled", "已撤销"


class FinalStatus(LabelledEnum):
    SELECTED = "selected", "入选"
    RESERVE = "reserve", "候补"
    NOT_SELECTED = "not_selected", "未入选"


class RevisionKind(LabelledEnum):
    PUBLISHED = "published", "发布公示"
    CHANGED = "changed", "公示期间变更"
    FINAL = "final", "确定最终结果"
    PROMOTED = "promoted", "递补"  # after the final result, a selected project dropped out (proposals/promotion.py)


class ObjectionStatus(LabelledEnum):
    RECEIVED = "received", "待处理"
    REJECTED = "rejected", "异议不成立"
    UPHELD = "upheld", "异议成立"


class Proposal(db.Model):
    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("call.id"), unique=True)
    status: Mapped[ProposalStatus] = mapped_column(enum_column(ProposalStatus), default=ProposalStatus.DRAFT)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    generated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    publicity_days: Mapped[int | None]
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    calendar_warning: Mapped[str | None] = mapped_column(sa.Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    call = relationship("Call")
    awards = relationship("Award", back_populates="proposal", order_by="Award.id", cascade="all, delete-orphan")
    revisions = relationship("ResultsRevision", back_populates="proposal", order_by="ResultsRevision.id",
                             cascade="all, delete-orphan")

    @property
    def is_public(self):
        return self.status != ProposalStatus.DRAFT


class Award(db.Model):
    """One application's place in the proposal. ``amount`` is what it would receive (selected) or would
    receive if it moved up (reserve); ``explanation`` lists, in Chinese, the tier rules and budget steps
    that decided it."""

    __tablename__ = "award"
    # a level's rows by status in rank order: the budget's sums, and the public results page read by index
    # (the proposal during 公示, the final results after); a call's funded projects in their order (level,
    # rank) across levels, a page read from the index (项目执行)
    __table_args__ = (sa.Index("ix_award_public", "proposal_id", "level", "status", "rank", "id"),
                      sa.Index("ix_award_public_final", "proposal_id", "level", "final_status", "rank", "id"),
                      # the results page's per-level counts and sums, from the index alone (migration 0031)
                      sa.Index("ix_award_proposal_final", "proposal_id", "final_status", "level", "rank", "id",
                               "amount"),
                      sa.Index("ix_award_proposal_status", "proposal_id", "status", "level", "amount"))

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id"))
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), unique=True)
    level: Mapped[Level] = mapped_column(enum_column(Level))
    rank: Mapped[int | None]  # within the level; None: not ranked (screened out, no scores)
    final_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    bonus: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=Decimal("0.00"))
    grade: Mapped[str | None] = mapped_column(sa.String(2))  # the grade in force on the reference date
    requested: Mapped[Decimal] = mapped_column(Money())
    cap: Mapped[Decimal] = mapped_column(Money())  # the most it may receive (request, level and grade caps)
    amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    status: Mapped[AwardStatus] = mapped_column(enum_column(AwardStatus))
    reserve_position: Mapped[int | None]
    explanation: Mapped[list] = mapped_column(sa.JSON, default=list)
    adjust_reason: Mapped[str | None] = mapped_column(sa.Text)
    adjusted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adjusted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    final_status: Mapped[FinalStatus | None] = mapped_column(enum_column(FinalStatus))
    final_reason: Mapped[str | None] = mapped_column(sa.Text)

    proposal = relationship(Proposal, back_populates="awards")
    application = relationship("Application")

    @property
    def counts_against_budget(self):
        return self.status == AwardStatus.SELECTED


class ResultsRevision(db.Model):
    """One public state of the results: the rows as published (``rows``) and what changed (``summary``)."""

    __tablename__ = "results_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id"), index=True)
    kind: Mapped[RevisionKind] = mapped_column(enum_column(RevisionKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    summary: Mapped[str] = mapped_column(sa.Text)
    rows: Mapped[list] = mapped_column(sa.JSON)

    proposal = relationship(Proposal, back_populates="revisions")


class Objection(db.Model):
    """异议. The objector's real name and contact are confidential: shown to officers and auditors only."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id"), index=True)
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    real_name: Mapped[str] = mapped_column(sa.String(40))
    contact: Mapped[str] = mapped_column(sa.String(80))
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ObjectionStatus] = mapped_column(enum_column(ObjectionStatus), default=ObjectionStatus.RECEIVED,
                                                    index=True)
    investigation: Mapped[str | None] = mapped_column(sa.Text)
    public_summary: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # the written response (书面答复) of the organization objected to, before the decision
    response: Mapped[str | None] = mapped_column(sa.Text)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    award = relationship(Award)
    filed_by = relationship("User", foreign_keys=[filed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    responded_by = relationship("User", foreign_keys=[responded_by_id])
    files = relationship("ObjectionFile", back_populates="objection", order_by="ObjectionFile.id",
                         cascade="all, delete-orphan")

    @property
    def is_open(self):
        return self.status == ObjectionStatus.RECEIVED


class ObjectionFile(db.Model):
    __tablename__ = "objection_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(sa.ForeignKey("objection.id"), index=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))

    objection = relationship(Objection, back_populates="files")
    file = relationship("StoredFile")


class CheckKind(LabelledEnum):
    SCORES = "scores", "评分明细与排名复核"
    DRAW = "draw", "专家抽取记录与复核"


class PublicCheck(db.Model):
    """A published ranking's public recomputation (复核), computed once by a job and kept (awards/proposals/
    checks.py): the public pages read this row and one ``PublicCheckPage``, never the whole table.

    ``changed_at``: when the published results last changed (publish, republish, an objection decided, final);
    ``requested_at``: when a computation was last queued; ``computed_at``: when the kept computation read the
    data (None: not computed yet). ``differences`` are the sentences of 复核不一致 (``[]``: 复核一致); ``summary`` what
    the page prints above its table (rules, round names); ``file`` the CSV download and ``json_file`` the JSON
    one (draws), both as kept."""

    __tablename__ = "public_check"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id"))
    kind: Mapped[CheckKind] = mapped_column(enum_column(CheckKind))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total: Mapped[int] = mapped_column(default=0)  # ranked applications, or draws
    per_page: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    summary: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    differences: Mapped[list] = mapped_column(sa.JSON, default=list)
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    json_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))

    file = relationship("StoredFile", foreign_keys=[file_id])
    json_file = relationship("StoredFile", foreign_keys=[json_file_id])

    @property
    def ready(self):
        return self.computed_at is not None

    @property
    def outdated(self):
        """The published results changed after the kept computation read them."""
        return self.ready and self.changed_at is not None and self.changed_at > self.computed_at


class PublicCheckPage(db.Model):
    """The rows one page of a kept check shows, as it shows them (JSON)."""

    __tablename__ = "public_check_page"

    check_id: Mapped[int] = mapped_column(sa.ForeignKey("public_check.id"), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    rows: Mapped[list] = mapped_column(sa.JSON)
