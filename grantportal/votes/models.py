"""Public votes (公众投票; DESIGN.md §4 "Scoring in practice", "Public participation"; issue 13).

A vote round is a ``review.ReviewRound`` of kind 公众投票 (its name, window ``opens_at``–``closes_at``, entry rule
and weight in the final score live there, so the call's ranking counts it like any other round); ``VoteRound``
adds what only a vote has: the limits per voter, whether the live tally is public, the salt of the published
receipt hashes and when the tally was published. ``VoteEntry`` fixes the projects that entered when the vote was
opened, so that the list the public votes on never changes under them.

A ``Vote`` is one row per vote, never a counter: every figure (the live tally, the final counts, the round score)
is counted from these rows. One vote per voter and project is a unique index; the limits per day and in all are
counted under a row lock on the voter (``operations.cast_vote``). A vote is 有效, 待核查 (an anomaly rule flagged
it: each ``VoteFlag`` keeps the rule and its reason) or 无效 (an officer voided it, with a reason that is
published next to its receipt hash). The voter's receipt code is theirs alone: the audit log keeps it masked, the
public sees only its SHA-256 with the round's salt."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import LabelledEnum, UTCDateTime, db, enum_column, utcnow


def mask_receipt(code):
    """The audit log's copy of a receipt code: enough to tell two apart, not enough to check a vote with."""
    return f"{code[:2]}**********" if code else code


class VoteStatus(LabelledEnum):
    VALID = "valid", "有效"
    FLAGGED = "flagged", "待核查"
    VOIDED = "voided", "无效"


class AnomalyRule(LabelledEnum):
    BURST = "burst", "单个项目短时间内得票激增"
    NEW_ACCOUNTS = "new_accounts", "同一网段大量新开通账户投票"
    SEQUENTIAL_PHONES = "sequential_phones", "手机号码连号"
    NIGHT_LOCKSTEP = "night_lockstep", "深夜集中同步投票"


class VoteRound(db.Model):
    __tablename__ = "vote_round"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"), primary_key=True, autoincrement=False)
    per_day: Mapped[int] = mapped_column(default=3)  # votes one voter may cast a day (Beijing time)
    per_voter: Mapped[int] = mapped_column(default=10)  # votes one voter may cast in the whole round
    live_tally: Mapped[bool] = mapped_column(default=True)  # the tally is public during the window
    salt: Mapped[str] = mapped_column(sa.String(32))  # of the receipt hashes; published with them
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the final tally and receipt hashes
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    round = relationship("ReviewRound")


class VoteEntry(db.Model):
    """A project in the vote, fixed when the vote opened."""

    __tablename__ = "vote_entry"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"), primary_key=True, autoincrement=False)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), primary_key=True,
                                                autoincrement=False)
    position: Mapped[int] = mapped_column(default=0)

    application = relationship("Application")


class Vote(db.Model):
    __tablename__ = "vote"
    __audit_masked__ = {"receipt": mask_receipt}
    __table_args__ = (
        # one vote per voter and project; its prefix counts a voter's votes in the round
        sa.UniqueConstraint("round_id", "citizen_id", "application_id"),
        # the tally (counts per project and status from the index alone) and the anomaly rules' recent votes for a
        # project (a range of cast_at)
        sa.Index("ix_vote_round_application_cast", "round_id", "application_id", "cast_at", "status"),
        # the anomaly rules and the challenge: recent votes from one address or network
        sa.Index("ix_vote_ip_cast", "ip", "cast_at"),
        sa.Index("ix_vote_round_network_cast", "round_id", "network", "cast_at"),
        # the officers' queue
        sa.Index("ix_vote_round_status", "round_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"))
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"))
    citizen_id: Mapped[int] = mapped_column(sa.ForeignKey("citizen.id"), index=True)
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    day: Mapped[date]  # the Beijing date of cast_at: the per-day limit counts it
    receipt: Mapped[str] = mapped_column(sa.String(16), unique=True)  # receipts.py; the voter's, never public
    ip: Mapped[str] = mapped_column(sa.String(64))
    network: Mapped[str] = mapped_column(sa.String(64))  # the /24 (IPv4) or /48 (IPv6) the address is in
    status: Mapped[VoteStatus] = mapped_column(enum_column(VoteStatus), default=VoteStatus.VALID)
    # the officer's decision on a flagged vote (confirmed valid, voided, restored), with the reason
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    round = relationship("ReviewRound")
    application = relationship("Application")
    citizen = relationship("Citizen")
    flags = relationship("VoteFlag", back_populates="vote", order_by="VoteFlag.id")


class VoteFlag(db.Model):
    """Why an anomaly rule flagged a vote for review (the officer reads it; it is never public)."""

    __tablename__ = "vote_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id"), index=True)
    rule: Mapped[AnomalyRule] = mapped_column(enum_column(AnomalyRule))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vote = relationship(Vote, back_populates="flags")
