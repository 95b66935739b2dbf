"""The expert pool (专家库): profiles, affiliations and declared or officer-set conflicts of interest."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import LabelledEnum, UTCDateTime, db, enum_column, utcnow


class ConflictSource(LabelledEnum):
    DECLARED = "declared", "专家申报"
    OFFICER = "officer", "项目官员设定"
    DETECTED = "detected", "系统检测"


class ExpertProfile(db.Model):
    __tablename__ = "expert_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), unique=True)
    title: Mapped[str] = mapped_column(sa.String(40), default="")  # 职称, e.g. 副教授、高级社工师
    employer: Mapped[str] = mapped_column(sa.String(120), default="")
    fields: Mapped[str] = mapped_column(sa.String(200), default="")  # comma-separated service fields
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    load_limit: Mapped[int] = mapped_column(default=20)  # most open assignments at once
    available: Mapped[bool] = mapped_column(default=True)  # the expert's own say
    active: Mapped[bool] = mapped_column(default=True, index=True)  # the officer's say
    # why and by whom the officer last activated or deactivated the expert (kept in the audit log too)
    active_reason: Mapped[str | None] = mapped_column(sa.Text)
    active_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active_changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id],
                        backref=sa.orm.backref("expert_profile", uselist=False, foreign_keys=[user_id]))
    active_changed_by = relationship("User", foreign_keys=[active_changed_by_id])
    affiliations = relationship("ExpertAffiliation", back_populates="expert",
                                order_by="ExpertAffiliation.started_on.desc()", cascade="all, delete-orphan")
    conflicts = relationship("Conflict", back_populates="expert", order_by="Conflict.id.desc()")

    @property
    def field_list(self):
        return [f for f in (self.fields or "").split(",") if f]

    @property
    def drawable(self):
        return self.active and self.available and self.user.is_active


class ExpertAffiliation(db.Model):
    """Where the expert works or holds a role (employee, director, adviser …), with dates."""

    __tablename__ = "expert_affiliation"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(sa.ForeignKey("expert_profile.id"), index=True)
    org_name: Mapped[str] = mapped_column(sa.String(120))
    org_uscc: Mapped[str | None] = mapped_column(sa.String(18), index=True)
    role: Mapped[str] = mapped_column(sa.String(40))  # 员工 / 理事 / 监事 / 顾问 / 法定代表人 …
    started_on: Mapped[date | None]
    ended_on: Mapped[date | None]  # None: still holds it

    expert = relationship(ExpertProfile, back_populates="affiliations")


class Conflict(db.Model):
    """A conflict of interest (回避) declared by the expert or set by an officer, against an organization
    or one application. Detected conflicts are computed from affiliations (experts/conflicts.py)."""

    __tablename__ = "conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(sa.ForeignKey("expert_profile.id"), index=True)
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application.id"), index=True)
    source: Mapped[ConflictSource] = mapped_column(enum_column(ConflictSource))
    reason: Mapped[str] = mapped_column(sa.Text)
    set_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(sa.Text)

    expert = relationship(ExpertProfile, back_populates="conflicts")
    org = relationship("Organization")
    application = relationship("Application")
    set_by = relationship("User", foreign_keys=[set_by_id])
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None

    __table_args__ = (sa.CheckConstraint("org_id IS NOT NULL OR application_id IS NOT NULL", name="target"),)
