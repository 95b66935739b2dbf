"""Public pledges (公众认捐, 中山 "1+1+1": government + society + organization; DESIGN.md §1, §4 Public participation;
issue 13): a citizen — or a company represented by a citizen account, named with its 统一社会信用代码 — promises an
amount to a funded project in execution, to be shown publicly under a name of their choosing or as 爱心人士.

A ``Pledge`` moves through ``operations.PLEDGE``: 已认捐 (promised) → 待核实 (the project's organization confirmed
the money arrived, with the date, the amount received and its evidence) → 已核实 (an officer checked the evidence;
only now does the received amount count, as a ``funding`` matched fund of kind 公众认捐 linked here by
``matched_fund_id``), or 已退回 (the officer sent the confirmation back with a reason; the organization may
confirm again). The pledger may withdraw (已撤回) until the organization confirms receipt. The pledger's account
and a company's details stay with the pledge; the public sees only the chosen name (or 爱心人士), the amount
received and its date, and only once verified."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import LabelledEnum, Money, UTCDateTime, db, enum_column, utcnow
from grantportal.core.masking import mask_text

ANONYMOUS_NAME = "爱心人士"


def shown_name(anonymous, public_name):
    """The name the public sees of a verified pledge: the one chosen, or 爱心人士."""
    return ANONYMOUS_NAME if anonymous else public_name


class PledgeStatus(LabelledEnum):
    PLEDGED = "pledged", "已认捐"
    RECEIVED = "received", "待核实"
    VERIFIED = "verified", "已核实"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"


class DonorKind(LabelledEnum):
    INDIVIDUAL = "individual", "个人"
    COMPANY = "company", "企业"


class Pledge(db.Model):
    __tablename__ = "pledge"
    # free text a person typed may carry phone or ID numbers: the audit log keeps them masked
    __audit_masked__ = {"public_name": mask_text, "receipt_note": mask_text, "return_reason": mask_text}
    __table_args__ = (
        # the project's public page: its verified pledges
        sa.Index("ix_pledge_contract_status", "contract_id", "status"),
        # the officers' queue: one status, newest first, a page at a time
        sa.Index("ix_pledge_status_pledged", "status", "pledged_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"))
    pledged_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    pledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    amount: Mapped[Decimal] = mapped_column(Money())  # promised
    donor_kind: Mapped[DonorKind] = mapped_column(enum_column(DonorKind))
    # a company's pledge: its name and code (not personal data; never public unless chosen as the public name)
    company_name: Mapped[str | None] = mapped_column(sa.String(120))
    company_uscc: Mapped[str | None] = mapped_column(sa.String(18))
    anonymous: Mapped[bool] = mapped_column(default=False)  # shown as 爱心人士
    public_name: Mapped[str | None] = mapped_column(sa.String(40))  # None when anonymous
    status: Mapped[PledgeStatus] = mapped_column(enum_column(PledgeStatus), default=PledgeStatus.PLEDGED)
    # the organization's confirmation of receipt (the latest one, after a return)
    received_on: Mapped[date | None]
    received_amount: Mapped[Decimal | None] = mapped_column(Money())
    receipt_note: Mapped[str | None] = mapped_column(sa.Text)
    evidence_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    receipt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # the officer's check: verified (and the matched fund it created) or returned with a reason
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    matched_fund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("matched_fund.id"), unique=True)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contract = relationship("Contract")
    pledged_by = relationship("User", foreign_keys=[pledged_by_id])
    evidence_file = relationship("StoredFile")
    matched_fund = relationship("MatchedFund")

    @property
    def shown_name(self):
        """The name the public sees once the pledge is verified."""
        return shown_name(self.anonymous, self.public_name)

    @property
    def reference(self):
        """认捐编号, for the pledger's transfer note and the organization's matching."""
        return f"RJ{self.id:06d}"
