"""草根志愿团队 / 备案社区社会组织 (issue 14): a community team without a USCC, filed (备案) with its 镇街, led by one
account (its leader), and supported by a registered, verified organization (挂靠/支持机构) that confirms it.

A team applies to calls that admit teams through its supporting organization, which is the applicant of record
and the contracting party (``Application.team_id`` names the team as 项目执行团队)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import LabelledEnum, UTCDateTime, db, enum_column, utcnow
from grantportal.core.masking import mask_name, mask_phone


class SupportStatus(LabelledEnum):
    PENDING = "pending", "待支持机构确认"
    CONFIRMED = "confirmed", "已确认挂靠"
    DECLINED = "declined", "支持机构已拒绝"


class Team(db.Model):
    __tablename__ = "team"
    __audit_masked__ = {"leader_name": mask_name, "leader_phone": mask_phone}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    filing_number: Mapped[str] = mapped_column(sa.String(40), unique=True)  # 社区社会组织备案编号
    district: Mapped[str] = mapped_column(sa.String(40))  # 所在镇街 (core/districts.py)
    leader_name: Mapped[str] = mapped_column(sa.String(40))  # personal data: never on a public page
    leader_phone: Mapped[str] = mapped_column(sa.String(20))
    # the leader's account (an organization account without an organization membership): one team per account
    leader_user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), unique=True)
    supporting_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    support_status: Mapped[SupportStatus] = mapped_column(enum_column(SupportStatus), default=SupportStatus.PENDING)
    support_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    support_decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    leader = relationship("User", foreign_keys=[leader_user_id])
    supporting_org = relationship("Organization")
    support_decided_by = relationship("User", foreign_keys=[support_decided_by_id])

    @property
    def is_supported(self):
        """Confirmed by a supporting organization that is still verified: only then may the team apply."""
        return self.support_status == SupportStatus.CONFIRMED and self.supporting_org.is_verified
