"""Third-party supervision (DESIGN.md §4 "Purchase of services": 第三方评估/监管机构; issue 14).

An ``Agency`` is a 第三方评估/监管机构 (name, USCC, contact); its ``AgencyStaff`` are user accounts with the role
``THIRD_PARTY``. An ``Appointment`` gives an agency a call (every funded project of that call) or one project
(a contract) from one date to another, both inclusive. Its staff then record ``InspectionVisit`` s (实地检查: a
checklist, findings, photos, the people met) and ``ThirdPartyEvaluation`` s (中期评估 / 结项评估: a score per
绩效目标 of the contract and the satisfaction survey) on those projects; the officer confirms or returns each.
"""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from grantportal.core.db import LabelledEnum, UTCDateTime, db, enum_column, utcnow


class Agency(db.Model):
    __tablename__ = "inspection_agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    contact_name: Mapped[str] = mapped_column(sa.String(40))
    contact_phone: Mapped[str] = mapped_column(sa.String(20))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    staff = relationship("AgencyStaff", back_populates="agency", order_by="AgencyStaff.id")
    appointments = relationship("Appointment", back_populates="agency", order_by="Appointment.id")


class AgencyStaff(db.Model):
    """A user account (role ``THIRD_PARTY``) working for one agency."""

    __tablename__ = "inspection_agency_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_agency.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), unique=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency = relationship(Agency, back_populates="staff")
    user = relationship("User")


class Appointment(db.Model):
    """An agency appointed to a call (its funded projects) or to one project, ``starts_on`` to ``ends_on``.

    The officer may end it early (提前结束) with a reason: ``ended_on`` is the first day it no longer covers
    (from ``starts_on`` to the planned ``ends_on``); from that day its staff lose the appointment's projects."""

    __tablename__ = "inspection_appointment"
    __table_args__ = (sa.CheckConstraint("(call_id IS NULL) <> (contract_id IS NULL)",
                                         name="call_or_contract"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_agency.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("call.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_on: Mapped[date | None]  # 提前结束: the first day no longer covered
    end_reason: Mapped[str | None] = mapped_column(sa.Text)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    agency = relationship(Agency, back_populates="appointments")
    call = relationship("Call")
    contract = relationship("Contract")

    @hybrid_method
    def in_force(self, today):
        """Does the appointment cover ``today`` (a local date)? In Python and in SQL."""
        return self.starts_on <= today <= self.ends_on and (self.ended_on is None or today < self.ended_on)

    @in_force.inplace.expression
    @classmethod
    def _in_force_expression(cls, today):
        return sa.and_(cls.starts_on <= today, cls.ends_on >= today,
                       sa.or_(cls.ended_on.is_(None), cls.ended_on > today))

    @property
    def ended_early(self):
        return self.ended_on is not None


class WorkStatus(LabelledEnum):
    """A visit's or an evaluation's state: the agency drafts and submits, the officer confirms or returns."""
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待确认"
    RETURNED = "returned", "已退回"
    CONFIRMED = "confirmed", "已确认"


class CheckResult(LabelledEnum):
    MEETS = "meets", "符合"
    MOSTLY = "mostly", "基本符合"
    FAILS = "fails", "不符合"


class WorkState:
    """The columns a visit and an evaluation share: who made it and when, and where it is in the one machine
    (``operations._work_machine``) — submitted by the agency, confirmed or returned (with the reason) by the
    officer. Declared once here; each table still has its own columns (the schema is as migration 0042 made it)."""

    status: Mapped[WorkStatus] = mapped_column(enum_column(WorkStatus), default=WorkStatus.DRAFT, index=True)
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    @declared_attr
    def created_by(cls):
        # a relationship on a mixin is declared per class; three foreign keys to ``user``: name the one
        return relationship("User", foreign_keys=lambda: [cls.created_by_id])


class InspectionVisit(WorkState, db.Model):
    """One 实地检查. ``people_met`` are personal data (names and roles, one per line): never on a public page."""

    __tablename__ = "inspection_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_agency.id"), index=True)
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(200))
    findings: Mapped[str] = mapped_column(sa.Text, default="")  # 发现的问题, one per line
    people_met: Mapped[str] = mapped_column(sa.Text, default="")  # 姓名（职务）, one per line

    contract = relationship("Contract")
    agency = relationship(Agency)
    checks = relationship("VisitCheck", back_populates="visit", order_by="VisitCheck.position",
                          cascade="all, delete-orphan")
    photos = relationship("VisitPhoto", back_populates="visit", order_by="VisitPhoto.id",
                          cascade="all, delete-orphan")

    @property
    def finding_lines(self):
        return [line.strip() for line in (self.findings or "").splitlines() if line.strip()]

    @property
    def people_lines(self):
        return [line.strip() for line in (self.people_met or "").splitlines() if line.strip()]


class VisitCheck(db.Model):
    """One checklist item of a visit, as it was worded when the visit was recorded."""

    __tablename__ = "inspection_visit_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_visit.id"), index=True)
    position: Mapped[int]
    item: Mapped[str] = mapped_column(sa.String(100))
    result: Mapped[CheckResult | None] = mapped_column(enum_column(CheckResult))
    note: Mapped[str] = mapped_column(sa.String(500), default="")

    visit = relationship(InspectionVisit, back_populates="checks")


class VisitPhoto(db.Model):
    __tablename__ = "inspection_visit_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_visit.id"), index=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))

    visit = relationship(InspectionVisit, back_populates="photos")
    file = relationship("StoredFile")


class EvaluationKind(LabelledEnum):
    MIDTERM = "midterm", "中期评估"
    FINAL = "final", "结项评估"


class ThirdPartyEvaluation(WorkState, db.Model):
    """A third party's 中期评估 or 结项评估: a score per indicator (``scores``), the satisfaction survey and a
    conclusion; ``score`` is the indicators' mean, kept when the evaluation is saved."""

    __tablename__ = "inspection_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_agency.id"), index=True)
    kind: Mapped[EvaluationKind] = mapped_column(enum_column(EvaluationKind))
    surveyed: Mapped[int | None]  # 调查人数
    satisfaction: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))  # 满意率 %
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    conclusion: Mapped[str] = mapped_column(sa.Text, default="")

    contract = relationship("Contract")
    agency = relationship(Agency)
    scores = relationship("IndicatorScore", back_populates="evaluation", order_by="IndicatorScore.position",
                          cascade="all, delete-orphan")


class IndicatorScore(db.Model):
    """The score (0–100) of one 绩效目标 of the contract, worded as it was when scored."""

    __tablename__ = "inspection_indicator_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_evaluation.id"), index=True)
    position: Mapped[int]
    indicator: Mapped[str] = mapped_column(sa.String(500))
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    note: Mapped[str] = mapped_column(sa.String(500), default="")

    evaluation = relationship(ThirdPartyEvaluation, back_populates="scores")
