"""Implementation monitoring (实施): progress, mid-term and final reports, evaluations (中期评估 / 验收)."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.calls.tranche_plan import TrancheCondition
from grantportal.core.db import LabelledEnum, Money, UTCDateTime, db, enum_column, utcnow


class ReportKind(LabelledEnum):
    PROGRESS = "progress", "进度报告"
    MIDTERM = "midterm", "中期报告"
    FINAL = "final", "结项报告"


class ReportStatus(LabelledEnum):
    DUE = "due", "待提交"
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "退回修改"
    ACCEPTED = "accepted", "已审核"
    WAIVED = "waived", "免于提交"  # still owed when the project closed: no longer required


class Report(db.Model):
    __tablename__ = "report"
    __table_args__ = (sa.Index("ix_report_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind))
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_on: Mapped[date]
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus), default=ReportStatus.DUE)
    activities: Mapped[str] = mapped_column(sa.Text, default="")
    served_count: Mapped[int | None]  # 服务人次
    outcomes: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    review_note: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    contract = relationship("Contract")
    spending = relationship("ReportSpending", back_populates="report", order_by="ReportSpending.position",
                            cascade="all, delete-orphan")
    photos = relationship("ReportPhoto", back_populates="report", order_by="ReportPhoto.id",
                          cascade="all, delete-orphan")


class ReportSpending(db.Model):
    """Spending in the period by budget line, against the plan."""

    __tablename__ = "report_spending"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    budget_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("budget_line.id"))
    category: Mapped[str] = mapped_column(sa.String(20))
    item: Mapped[str] = mapped_column(sa.String(120))
    planned: Mapped[Decimal] = mapped_column(Money())
    spent: Mapped[Decimal] = mapped_column(Money())

    report = relationship(Report, back_populates="spending")


class ReportPhoto(db.Model):
    __tablename__ = "report_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))
    caption: Mapped[str] = mapped_column(sa.String(120), default="")

    report = relationship(Report, back_populates="photos")
    file = relationship("StoredFile")


class EvaluationStage(LabelledEnum):
    MIDTERM = "midterm", "中期评估"
    ACCEPTANCE = "acceptance", "结项验收"

    @property
    def milestone(self):
        """The tranche condition this stage decides (reported to funding with ``record_milestone``)."""
        return {"midterm": TrancheCondition.MIDTERM, "acceptance": TrancheCondition.ACCEPTANCE}[self.value]


class EvaluationGrade(LabelledEnum):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"

    @property
    def passed(self):
        return self != EvaluationGrade.FAIL


class Evaluation(db.Model):
    """An evaluation of a project, by an officer or by an expert round (``review_round_id``)."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    stage: Mapped[EvaluationStage] = mapped_column(enum_column(EvaluationStage))
    grade: Mapped[EvaluationGrade] = mapped_column(enum_column(EvaluationGrade))
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    comments: Mapped[str] = mapped_column(sa.Text)
    review_round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("review_round.id"))
    evaluated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contract = relationship("Contract")
