"""Citizen accounts (公众账户) and the SMS codes that open them (DESIGN.md §2, §4 Personal information).

A citizen is a ``User`` with the role 公众 plus one ``Citizen`` row: the mainland mobile number confirmed by an
SMS code (unique: one account per phone), when it was confirmed, and when the person agreed to which version
of the 个人信息保护说明. Real-name details stay empty until a process that needs them (a citizen's objection)
asks for them. The phone and the real-name details reach the audit log only masked (``__audit_masked__``).

An ``SmsCode`` keeps the HMAC of a 6-digit code, never the code; ``live`` marks the one code per phone and
purpose that may still be used, and a partial unique index holds that to one even when two requests send at
the same moment (codes.py)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import UTCDateTime, db, utcnow
from grantportal.core.masking import mask_id_number, mask_name, mask_phone


class Citizen(db.Model):
    __tablename__ = "citizen"
    __audit_masked__ = {"phone": mask_phone, "real_name": mask_name, "id_number": mask_id_number}

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), unique=True)
    phone: Mapped[str] = mapped_column(sa.String(11), unique=True)  # 11 ASCII digits, 1[3-9]…
    phone_verified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_version: Mapped[str] = mapped_column(sa.String(20))  # the 个人信息保护说明 agreed to (privacy.py)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # filled only when a process needs them (an objection in the citizen's own name); never public
    real_name: Mapped[str | None] = mapped_column(sa.String(40))
    id_number: Mapped[str | None] = mapped_column(sa.String(18))

    user = relationship("User")


class SmsCode(db.Model):
    __tablename__ = "sms_code"
    __audit_masked__ = {"phone": mask_phone}
    __table_args__ = (
        sa.Index("ix_sms_code_phone_created_at", "phone", "created_at"),
        sa.Index("uq_sms_code_live", "phone", "purpose", unique=True,
                 sqlite_where=sa.text("live"), postgresql_where=sa.text("live")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))  # codes.SIGN_IN …
    phone: Mapped[str] = mapped_column(sa.String(11))
    code_hash: Mapped[str] = mapped_column(sa.String(64))  # HMAC-SHA256 of purpose, phone and code (codes.py)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)  # times the code was checked, the right one included
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    live: Mapped[bool] = mapped_column(default=True)  # the phone and purpose's current code, not used nor dead
    ip: Mapped[str | None] = mapped_column(sa.String(64))  # who asked for it (anomaly checks of public votes)
