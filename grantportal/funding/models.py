"""Funding of selected projects (DESIGN.md §4 "Money"): the contract and its signing (签约), payment in
tranches (分期拨付) against conditions, recovery (追回) of paid money, and matched funds and donations
(配套资金 / 社会捐助).

One ``Contract`` per selected award. Its tranches come from the call's split (``Call.tranche_plan``,
e.g. 50/30/20; see ``calls.tranche_plan``), each tied to a condition. Payments can never exceed the award:
every payment locks the contract row and checks the sum first.
"""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.calls.tranche_plan import TrancheCondition
from grantportal.core.db import LabelledEnum, Money, UTCDateTime, db, enum_column, utcnow


class ContractStatus(LabelledEnum):
    DRAFT = "draft", "待出具"
    ISSUED = "issued", "待签署"  # the contract PDF is issued; the organization signs and uploads the scan
    SIGNED = "signed", "待确认"  # the signed scan is uploaded; the officer checks it
    ACTIVE = "active", "履行中"
    CLOSED = "closed", "已结项"
    TERMINATED = "terminated", "已终止"


# a project's page is public once its signed contract is confirmed (in force), and stays public after it ends
IN_FORCE = (ContractStatus.ACTIVE, ContractStatus.CLOSED, ContractStatus.TERMINATED)


class TrancheStatus(LabelledEnum):
    WAITING = "waiting", "未到拨付条件"
    PAYABLE = "payable", "可拨付"
    PAID = "paid", "已拨付"
    BLOCKED = "blocked", "暂停拨付"


class Contract(db.Model):
    __tablename__ = "contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id"), unique=True)
    status: Mapped[ContractStatus] = mapped_column(enum_column(ContractStatus), default=ContractStatus.DRAFT,
                                                   index=True)
    amount: Mapped[Decimal] = mapped_column(Money())  # the award amount at signing
    # Σ payments and Σ recoveries of this contract, added by ``record_payment`` / ``record_recovery`` under the
    # contract's row lock (in the same flush as the row they record), so that lists and sums over many
    # projects read one row per project, not its payments (migration 0021)
    paid: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"), server_default="0")
    recovered: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"), server_default="0")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    deliverables: Mapped[str] = mapped_column(sa.Text, default="")  # 服务内容与成效指标, one per line
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("issued_document.id"))
    signed_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    signed_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # the newest: 数据开放
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The milestones the later tranches wait for, as monitoring reports them (``operations.record_milestone``):
    # the latest 中期评估 and 结项验收, passed or not (None: none yet), and when they were evaluated.
    midterm_passed: Mapped[bool | None]
    midterm_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acceptance_passed: Mapped[bool | None]
    acceptance_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A pause of the tranches not yet paid, as monitoring stamps it while an 整改 is open
    # (``payments.operations.pause_tranches`` / ``release_tranches``): the public reason (None: not paused).
    paused_reason: Mapped[str | None] = mapped_column(sa.Text)

    award = relationship("Award")
    document = relationship("IssuedDocument")
    signed_file = relationship("StoredFile")
    tranches = relationship("Tranche", back_populates="contract", order_by="Tranche.position",
                            cascade="all, delete-orphan")
    payments = relationship("Payment", back_populates="contract", order_by="Payment.id")
    recoveries = relationship("Recovery", back_populates="contract", order_by="Recovery.id")


class Tranche(db.Model):
    __tablename__ = "tranche"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    position: Mapped[int]  # 1, 2, 3 …
    percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    amount: Mapped[Decimal] = mapped_column(Money())
    condition: Mapped[TrancheCondition] = mapped_column(enum_column(TrancheCondition))
    status: Mapped[TrancheStatus] = mapped_column(enum_column(TrancheStatus), default=TrancheStatus.WAITING,
                                                  index=True)
    blocked_reason: Mapped[str | None] = mapped_column(sa.Text)

    contract = relationship(Contract, back_populates="tranches")


class Payment(db.Model):
    """One payment (拨付) of a tranche: date, amount, voucher number."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    tranche_id: Mapped[int] = mapped_column(sa.ForeignKey("tranche.id"), index=True)
    paid_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Money())
    voucher_number: Mapped[str] = mapped_column(sa.String(60))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contract = relationship(Contract, back_populates="payments")
    tranche = relationship(Tranche)


class Recovery(db.Model):
    """追回: paid money recovered (after a failed evaluation or a breach)."""

    __tablename__ = "recovery"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    recovered_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Money())
    voucher_number: Mapped[str] = mapped_column(sa.String(60))
    reason: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contract = relationship(Contract, back_populates="recoveries")


class FundSourceKind(LabelledEnum):
    DEPARTMENT = "department", "政府部门"
    ENTERPRISE = "enterprise", "企业"
    INDIVIDUAL = "individual", "个人"
    ANONYMOUS = "anonymous", "匿名捐赠"
    # a citizen's or company's public pledge (公众认捐) verified by an officer: written only by
    # ``matched.operations.record_verified_pledge`` for ``pledges``, never through the matched-fund form
    PLEDGE = "pledge", "公众认捐"


class MatchedFund(db.Model):
    """配套资金 / 社会捐助 for one project: pledged versus received, by source. An individual donor's name
    is personal data: never published without consent (``name_public``)."""

    __tablename__ = "matched_fund"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id"), index=True)
    source_kind: Mapped[FundSourceKind] = mapped_column(enum_column(FundSourceKind))
    source_name: Mapped[str] = mapped_column(sa.String(120), default="")
    name_public: Mapped[bool] = mapped_column(default=False)
    pledged: Mapped[Decimal] = mapped_column(Money())
    received: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    pledged_on: Mapped[date | None]
    received_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    award = relationship("Award")
