"""Issued documents (合同、通知书): numbered, verifiable PDFs that never change once issued.

A correction issues a new version that supersedes the old one (``supersedes_id``); both stay visible to
officers. A document whose award stops (放弃入选, 合同未签订, 合同终止, 递补入选 of a project told it was not
selected) is *ended*: ``ended_at``, ``end_state`` (已失效 / 已终止) and a public ``end_reason`` are stamped on it,
its file and hash unchanged, so ``/verify/<code>`` says both that the file is authentic and that it is no longer
in force. ``verification_code`` is what the QR code and ``/verify/<code>`` carry; ``sha256`` is the hash
of the issued file, so anyone can check a paper or forwarded copy. A document is created ``pending`` in
the same transaction as the decision it records; rendering happens afterwards (a job) and may fail
(``failed``, with ``error``) without undoing the decision, and can be retried.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import LabelledEnum, UTCDateTime, db, enum_column, utcnow


class DocumentKind(LabelledEnum):
    CONTRACT_PURCHASE = "contract_purchase", "政府购买服务合同"
    CONTRACT_VENTURE = "contract_venture", "公益创投项目资助协议"
    SELECTION_NOTICE = "selection_notice", "入选通知书"
    REJECTION_NOTICE = "rejection_notice", "未入选告知书"
    RECTIFICATION_NOTICE = "rectification_notice", "整改通知书"

    @property
    def series(self):
        """The number series: HT 合同/协议, TZ 入选/未入选通知, ZG 整改通知 (so a document number never
        reads like an application number)."""
        return {"contract_purchase": "HT", "contract_venture": "HT", "selection_notice": "TZ",
                "rejection_notice": "TZ", "rectification_notice": "ZG"}[self.value]


class DocumentStatus(LabelledEnum):
    PENDING = "pending", "待生成"
    ISSUED = "issued", "已出具"
    FAILED = "failed", "生成失败"


class DocumentEnd(LabelledEnum):
    """How a document stopped being in force (its award stopped): a notice lapses, a contract is terminated."""
    LAPSED = "lapsed", "已失效"
    TERMINATED = "terminated", "已终止"


class IssuedDocument(db.Model):
    __tablename__ = "issued_document"
    __table_args__ = (sa.Index("ix_issued_document_award_kind", "award_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)  # BA100-2026-HT0001; -V2 for versions
    version: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(sa.ForeignKey("issued_document.id"), index=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id"))
    verification_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    status: Mapped[DocumentStatus] = mapped_column(enum_column(DocumentStatus), default=DocumentStatus.PENDING,
                                                   index=True)
    facts: Mapped[dict] = mapped_column(sa.JSON)  # the public facts shown on /verify/<code>
    body: Mapped[dict | None] = mapped_column(sa.JSON)  # what the template renders (kept for retries)
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(sa.Text)  # why a new version was issued
    # ended (no longer in force, not replaced): when, as what, and why in public words (no personal data)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_state: Mapped[DocumentEnd | None] = mapped_column(enum_column(DocumentEnd))
    end_reason: Mapped[str | None] = mapped_column(sa.Text)
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    award = relationship("Award")
    file = relationship("StoredFile")
    supersedes = relationship("IssuedDocument", remote_side=[id])

    @property
    def is_current(self):
        return self.superseded_at is None

    @property
    def in_force(self):
        """Neither replaced by a correction nor ended."""
        return self.superseded_at is None and self.ended_at is None

    @property
    def end_word(self):
        """失效 / 终止 (the state without 已), for 失效日期, 终止说明; None while in force."""
        return self.end_state.label.removeprefix("已") if self.ended_at is not None else None

    @property
    def state_label(self):
        """状态 as /verify shows it: 已被取代, 已失效 / 已终止, or 现行有效."""
        if self.superseded_at is not None:
            return "已被取代"
        if self.ended_at is not None:
            return self.end_state.label
        return "现行有效"
