"""Social organizations, their members, rating records, annual inspections and sanctions."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import LabelledEnum, UTCDateTime, db, enum_column, utcnow


class OrgKind(LabelledEnum):
    SOCIAL_GROUP = "social_group", "社会团体"
    SOCIAL_SERVICE = "social_service", "社会服务机构（民办非企业单位）"
    FOUNDATION = "foundation", "基金会"
    OTHER = "other", "其他"


class OrgStatus(LabelledEnum):
    PENDING = "pending", "待审核"
    VERIFIED = "verified", "已认证"
    RETURNED = "returned", "已退回"


class Grade(LabelledEnum):
    A5 = "5A", "5A"
    A4 = "4A", "4A"
    A3 = "3A", "3A"
    A2 = "2A", "2A"
    A1 = "1A", "1A"

    @property
    def rank(self):
        return int(self.value[0])


class RatingEnd(LabelledEnum):
    LOWERED = "lowered", "降级"
    REVOKED = "revoked", "撤销等级"


class InspectionResult(LabelledEnum):
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    FAILED = "failed", "不合格"
    ABSENT = "absent", "未参检"


class SanctionKind(LabelledEnum):
    PENALTY = "penalty", "行政处罚"
    ABNORMAL = "abnormal", "活动异常名录"
    SERIOUS = "serious", "严重违法失信名单"
    BREACH = "breach", "违反诚信承诺"  # recorded by an officer: a signed 诚信承诺书 found untrue or broken


# How long a sanction keeps an organization out after it was decided or lifted, in years
# (政府购买服务管理办法; 广州 公益创投 conditions): see eligibility.py.
SANCTION_LOOKBACK_YEARS = {SanctionKind.PENALTY: 3, SanctionKind.ABNORMAL: 1, SanctionKind.SERIOUS: 2,
                           SanctionKind.BREACH: 3}


class Organization(db.Model):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), index=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind), index=True)
    registration_authority: Mapped[str] = mapped_column(sa.String(80))
    registered_on: Mapped[date]
    legal_rep: Mapped[str] = mapped_column(sa.String(40))
    contact_name: Mapped[str] = mapped_column(sa.String(40))
    contact_phone: Mapped[str] = mapped_column(sa.String(20))
    address: Mapped[str] = mapped_column(sa.String(200))
    # 所在镇街 (core/districts.py); NULL for organizations registered before the field existed (0017)
    district: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    charter_scope: Mapped[str] = mapped_column(sa.Text)
    # the account contracts pay into (开户银行, 账号, 户名; 迁移 0041): printed on contracts, never on public pages;
    # empty until the organization fills it in, and no contract is prepared without it
    bank_name: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    bank_account: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    bank_account_name: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    service_fields: Mapped[str] = mapped_column(sa.String(200), default="")
    certificate_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    status: Mapped[OrgStatus] = mapped_column(enum_column(OrgStatus), default=OrgStatus.PENDING, index=True)
    review_note: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members = relationship("OrgMember", back_populates="org", order_by="OrgMember.id")
    ratings = relationship("RatingRecord", back_populates="org", order_by="RatingRecord.announced_on.desc()")
    inspections = relationship("AnnualInspection", back_populates="org", order_by="AnnualInspection.year.desc()")
    sanctions = relationship("Sanction", back_populates="org", order_by="Sanction.decided_on.desc()")
    certificate = relationship("StoredFile")
    documents = relationship("OrgDocument", back_populates="org", order_by="OrgDocument.name",
                             cascade="all, delete-orphan")

    # the public directory lists verified organizations by name
    __table_args__ = (sa.Index("ix_organization_status_name", "status", "name"),)

    @property
    def is_verified(self):
        return self.status == OrgStatus.VERIFIED

    @property
    def has_bank_account(self):
        return bool(self.bank_name and self.bank_account and self.bank_account_name)

    @property
    def service_field_list(self):
        return [f for f in (self.service_fields or "").split(",") if f]


class OrgMember(db.Model):
    __tablename__ = "org_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), unique=True)
    is_owner: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org = relationship(Organization, back_populates="members")
    user = relationship("User", back_populates="membership")


class OrgInvitation(db.Model):
    __tablename__ = "org_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invitee_name: Mapped[str] = mapped_column(sa.String(40))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org = relationship(Organization)

    def is_open(self, now):
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class RatingRecord(db.Model):
    """One rating announcement (社会组织评估等级), possibly ended early by lowering or revocation."""

    __tablename__ = "rating_record"
    # filtering organizations by the grade in force: records of a grade still valid
    __table_args__ = (sa.Index("ix_rating_record_grade_valid_until", "grade", "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    grade: Mapped[Grade] = mapped_column(enum_column(Grade))
    announced_on: Mapped[date]
    valid_from: Mapped[date]
    valid_until: Mapped[date]
    ended_on: Mapped[date | None]
    end_kind: Mapped[RatingEnd | None] = mapped_column(enum_column(RatingEnd))
    end_reason: Mapped[str | None] = mapped_column(sa.Text)
    note: Mapped[str | None] = mapped_column(sa.String(200))
    # why the validity differs from the one computed from announced_on (tiers.default_validity); None when
    # it does not differ
    validity_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org = relationship(Organization, back_populates="ratings")

    def in_force_on(self, day):
        if not (self.valid_from <= day <= self.valid_until):
            return False
        return self.ended_on is None or day < self.ended_on


class AnnualInspection(db.Model):
    """年检 / 年报 result for one year."""

    __tablename__ = "annual_inspection"
    __table_args__ = (sa.UniqueConstraint("org_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    year: Mapped[int]
    result: Mapped[InspectionResult] = mapped_column(enum_column(InspectionResult))
    note: Mapped[str | None] = mapped_column(sa.String(200))

    org = relationship(Organization, back_populates="inspections")


class Sanction(db.Model):
    """An administrative penalty or a listing (活动异常名录 / 严重违法失信名单)."""

    __tablename__ = "sanction"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    kind: Mapped[SanctionKind] = mapped_column(enum_column(SanctionKind))
    decided_on: Mapped[date]
    lifted_on: Mapped[date | None]
    reason: Mapped[str] = mapped_column(sa.Text)

    org = relationship(Organization, back_populates="sanctions")


# names an organization's standing documents usually carry (the upload form offers them; any name is allowed)
STANDING_DOCUMENT_NAMES = ("登记证书副本", "机构章程", "上年度财务审计报告", "上年度年检报告", "评估等级证书",
                           "银行开户许可证")


class OrgDocument(db.Model):
    """A standing document (常用材料) kept once on the organization's profile with its validity: an application
    to a call that asks for a document of the same name uses it instead of a new upload."""
    __tablename__ = "org_document"
    __table_args__ = (sa.UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    valid_until: Mapped[date | None]  # None: no expiry (a charter)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org = relationship(Organization, back_populates="documents")
    file = relationship("StoredFile")

    def valid_on(self, day):
        return self.valid_until is None or self.valid_until >= day
