"""随手拍 supervision reports: what a citizen saw of a funded project in execution, moderated before anything of it
is public (DESIGN.md §2 公众, §4 Public participation and Personal information; issue 13).

A ``SupervisionReport`` is the citizen's text, an optional place and up to three photos (``SupervisionPhoto``,
each stored through ``core.photos.store_photo``: EXIF and GPS gone). It moves through the moderation queue
(``operations.REPORT``): 待分派 → 处理中 (assigned to an officer; the officer may ask the organization to answer
in writing) → 已答复 (the finding 属实 / 不属实 / 部分属实 and a public summary) or 已关闭 (abusive or duplicate, with
a reason). Only the finding and the public summary of an answered report are ever public (on the project's
page, masked); the reporter's identity, the text, the place and the photos never are."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import LabelledEnum, UTCDateTime, db, enum_column, utcnow
from grantportal.core.masking import mask_text


class SupervisionStatus(LabelledEnum):
    PENDING = "pending", "待分派"
    ASSIGNED = "assigned", "处理中"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已关闭"


class Finding(LabelledEnum):
    TRUE = "true", "属实"
    FALSE = "false", "不属实"
    PARTLY = "partly", "部分属实"


class CloseKind(LabelledEnum):
    ABUSIVE = "abusive", "内容不当"
    DUPLICATE = "duplicate", "重复报告"


class SupervisionReport(db.Model):
    __tablename__ = "supervision_report"
    # a citizen's free text may carry phone or ID numbers (their own or others'): the audit log keeps them masked
    __audit_masked__ = {"text": mask_text, "place": mask_text, "org_answer": mask_text}
    __table_args__ = (
        # the officers' queue: one status, newest first, a page at a time
        sa.Index("ix_supervision_report_status_filed", "status", "filed_at"),
        # the project's public page: its answered reports
        sa.Index("ix_supervision_report_contract_status", "contract_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"))
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(sa.Text)
    place: Mapped[str | None] = mapped_column(sa.String(100))
    status: Mapped[SupervisionStatus] = mapped_column(enum_column(SupervisionStatus),
                                                      default=SupervisionStatus.PENDING)
    assigned_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the officer's request to the organization, and its written answer (never public)
    org_question: Mapped[str | None] = mapped_column(sa.Text)
    org_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    org_asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    org_answer: Mapped[str | None] = mapped_column(sa.Text)
    org_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    org_answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # the conclusion: a finding with its public summary, or closed with a reason
    finding: Mapped[Finding | None] = mapped_column(enum_column(Finding))
    public_summary: Mapped[str | None] = mapped_column(sa.Text)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    concluded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    close_kind: Mapped[CloseKind | None] = mapped_column(enum_column(CloseKind))
    close_reason: Mapped[str | None] = mapped_column(sa.Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    contract = relationship("Contract")
    filed_by = relationship("User", foreign_keys=[filed_by_id])
    assigned_to = relationship("User", foreign_keys=[assigned_to_id])
    org_asked_by = relationship("User", foreign_keys=[org_asked_by_id])
    photos = relationship("SupervisionPhoto", back_populates="report", order_by="SupervisionPhoto.id",
                          cascade="all, delete-orphan")

    @property
    def is_open(self):
        return self.status in (SupervisionStatus.PENDING, SupervisionStatus.ASSIGNED)

    @property
    def awaits_org(self):
        """The organization was asked to answer and has not yet."""
        return self.org_asked_at is not None and self.org_answered_at is None


class SupervisionPhoto(db.Model):
    __tablename__ = "supervision_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("supervision_report.id"), index=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))

    report = relationship(SupervisionReport, back_populates="photos")
    file = relationship("StoredFile")
