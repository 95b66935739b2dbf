"""Applications (申报书), their budget lines and attachments."""
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.calls.models import Level
from grantportal.core.db import ZERO, LabelledEnum, Money, UTCDateTime, db, enum_column, utcnow


class AppStatus(LabelledEnum):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "退回修改"
    WITHDRAWN = "withdrawn", "已撤回"
    # a grassroots team's application waits for its supporting organization to confirm it (确认申报) before it
    # counts as submitted (teams/, issue 14)
    SUPPORT_PENDING = "support_pending", "待支持机构确认"


# not yet sent to the bureau: the officer's list and exports leave them out unless the status is asked for by name
UNSENT = (AppStatus.DRAFT, AppStatus.SUPPORT_PENDING)


class Screening(LabelledEnum):
    PENDING = "pending", "待审查"
    PASSED = "passed", "资格审查通过"
    FAILED = "failed", "资格审查未通过"


class FundSource(LabelledEnum):
    GRANT = "grant", "申请资助"
    MATCHED = "matched", "自筹配套"


BUDGET_CATEGORIES = ["人员经费", "活动经费", "物资采购", "宣传费", "场地费", "交通费", "培训费", "办公费", "其他"]


class Application(db.Model):
    __tablename__ = "application"
    __table_args__ = (sa.Index("ix_application_call_status_screening", "call_id", "status", "screening"),  # 0015
                      sa.Index("ix_application_screening", "status", "screening", "call_id"),
                      # the officer's list of a call: its order and filters from the index alone (0015)
                      sa.Index("ix_application_call_number", "call_id", "number", "id", "status", "screening"))
    page_cache_private_while = ("status", AppStatus.DRAFT)  # a draft is on no public page (core/pagecache)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("call.id"))
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    level: Mapped[Level] = mapped_column(enum_column(Level))
    category: Mapped[str] = mapped_column(sa.String(40), default="")
    title: Mapped[str] = mapped_column(sa.String(120))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    need_analysis: Mapped[str] = mapped_column(sa.Text, default="")
    objectives: Mapped[str] = mapped_column(sa.Text, default="")
    activity_plan: Mapped[str] = mapped_column(sa.Text, default="")
    beneficiaries: Mapped[str] = mapped_column(sa.Text, default="")
    target_count: Mapped[int | None]
    area_served: Mapped[str] = mapped_column(sa.String(200), default="")
    # 服务镇街, where the project is delivered (core/districts.py); NULL for applications from before 0017
    district: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    team: Mapped[str] = mapped_column(sa.Text, default="")
    # 项目执行团队: a grassroots team applying through its supporting organization, which is ``org`` (the applicant
    # of record and the contracting party); None for an organization's own application (0046)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"), index=True)
    # why the supporting organization sent the team's application back (退回), until it is forwarded again
    support_return_reason: Mapped[str | None] = mapped_column(sa.Text)
    total_budget: Mapped[Decimal] = mapped_column(Money(), default=ZERO)
    requested_amount: Mapped[Decimal] = mapped_column(Money(), default=ZERO)
    matched_amount: Mapped[Decimal] = mapped_column(Money(), default=ZERO)
    status: Mapped[AppStatus] = mapped_column(enum_column(AppStatus), default=AppStatus.DRAFT)
    screening: Mapped[Screening] = mapped_column(enum_column(Screening), default=Screening.PENDING)
    screening_checks: Mapped[list | None] = mapped_column(sa.JSON)
    screening_override: Mapped[bool] = mapped_column(default=False)
    screening_note: Mapped[str | None] = mapped_column(sa.Text)
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    screened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    revise_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_sha256: Mapped[str | None] = mapped_column(sa.String(64))  # what was submitted (申报回执)
    # 诚信承诺书 as signed at the latest submission: who signed, when, and the text itself (calls/integrity.py)
    pledge_signer: Mapped[str | None] = mapped_column(sa.String(40))
    pledge_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pledge_text: Mapped[str | None] = mapped_column(sa.Text)
    # stamped by the domains that own these facts (applications.operations.stamp_*)
    review_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # in a started review round
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # in a published proposal
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    call = relationship("Call")
    org = relationship("Organization")
    executing_team = relationship("Team")
    created_by = relationship("User", foreign_keys=[created_by_id])
    screened_by = relationship("User", foreign_keys=[screened_by_id])
    budget_lines = relationship("BudgetLine", back_populates="application", order_by="BudgetLine.position",
                                cascade="all, delete-orphan")
    attachments = relationship("Attachment", back_populates="application", order_by="Attachment.id",
                               cascade="all, delete-orphan")

    @property
    def matched_percent(self):
        if not self.total_budget:
            return Decimal("0.00")
        return (self.matched_amount * 100 / self.total_budget).quantize(Decimal("0.01"))

    @property
    def display_number(self):
        return self.number or f"草稿-{self.id}"


class BudgetLine(db.Model):
    __tablename__ = "budget_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    category: Mapped[str] = mapped_column(sa.String(20))
    item: Mapped[str] = mapped_column(sa.String(120))
    amount: Mapped[Decimal] = mapped_column(Money())
    source: Mapped[FundSource] = mapped_column(enum_column(FundSource))

    application = relationship(Application, back_populates="budget_lines")


class Attachment(db.Model):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("required_document.id"))
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application = relationship(Application, back_populates="attachments")
    document = relationship("RequiredDocument")
    file = relationship("StoredFile")
