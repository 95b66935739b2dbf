"""整改 cases (DESIGN.md §4 "Purchase of services": third parties and officers check 整改; while an 整改 is open,
later tranches are paused).

A case is opened on a project in progress with its findings (one per line) and a deadline with a time of day,
and issues its 整改通知书 (``document_id``). The organization files 整改报告 (text and evidence files); each is
verified — 整改完成 closes the case, 继续整改 sets a new deadline and waits for the next report; a case still open when
the contract is terminated closes with ``closed_reason`` 合同终止. The scheduled
task marks an open case past its deadline overdue (``overdue_at``) once per deadline."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import LabelledEnum, UTCDateTime, db, enum_column, utcnow


class CaseStatus(LabelledEnum):
    OPEN = "open", "整改中"  # waiting for the organization's 整改报告
    REPORTED = "reported", "待核查"  # a report is filed, waiting for verification
    CLOSED = "closed", "已完成整改"


class Verdict(LabelledEnum):
    DONE = "done", "整改完成"
    CONTINUE = "continue", "继续整改"


class RectificationCase(db.Model):
    __tablename__ = "rectification_case"
    __table_args__ = (sa.Index("ix_rectification_case_status_deadline", "status", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("issued_document.id"))  # the 整改通知书
    findings: Mapped[str] = mapped_column(sa.Text)  # one finding per line
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus), default=CaseStatus.OPEN)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # marked overdue (cleared by a new deadline)
    rounds: Mapped[int] = mapped_column(default=1)  # 1 + each 继续整改
    opened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    closed_reason: Mapped[str | None] = mapped_column(sa.String(40))  # None: 整改完成; e.g. 合同终止 (migration 0044)

    contract = relationship("Contract")
    document = relationship("IssuedDocument")
    opened_by = relationship("User", foreign_keys=[opened_by_id])
    reports = relationship("RectificationReport", back_populates="case", order_by="RectificationReport.id",
                           cascade="all, delete-orphan")

    @property
    def closed_label(self):
        return f"已关闭（{self.closed_reason}）" if self.closed_reason else CaseStatus.CLOSED.label

    @property
    def finding_lines(self):
        return [line.strip() for line in self.findings.splitlines() if line.strip()]


class RectificationReport(db.Model):
    """One 整改报告 and, once verified, its verdict."""

    __tablename__ = "rectification_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("rectification_case.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verdict: Mapped[Verdict | None] = mapped_column(enum_column(Verdict))
    verdict_note: Mapped[str | None] = mapped_column(sa.Text)
    new_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 继续整改
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case = relationship(RectificationCase, back_populates="reports")
    evidence = relationship("RectificationEvidence", back_populates="report", order_by="RectificationEvidence.id",
                            cascade="all, delete-orphan")


class RectificationEvidence(db.Model):
    __tablename__ = "rectification_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("rectification_report.id"), index=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))

    report = relationship(RectificationReport, back_populates="evidence")
    file = relationship("StoredFile")
