"""Users, their sessions and login throttling."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import UTCDateTime, db, enum_column, utcnow
from grantportal.core.roles import Role


class User(db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None]  # the last accepted time step: a code works once

    membership = relationship("OrgMember", back_populates="user", uselist=False)

    # Flask-Login: the id is the token of the session this object was loaded for (see auth.py).
    session_token = None
    is_authenticated = True
    is_anonymous = False

    def get_id(self):
        return self.session_token

    @property
    def org(self):
        return self.membership.org if self.membership else None

    def has_role(self, *roles):
        return self.role in roles


class UserSession(db.Model):
    """A signed-in session. Its id is secret and new at each login; logout ends it for good."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(sa.String(64))

    user = relationship(User)


class LoginFailure(db.Model):
    """One failed sign-in (password or dynamic code), kept for a day. Counted per login name and source
    (a known device of that account, else the client address) and per address (auth.py), so that the
    throttle slows a guesser down without locking the owner out from elsewhere."""

    __tablename__ = "login_failure"
    __table_args__ = (sa.Index("ix_login_failure_username_at", "username", "at"),
                      sa.Index("ix_login_failure_ip_at", "ip", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40))  # as typed, normalised; known or not
    source: Mapped[str] = mapped_column(sa.String(80))  # "ip:<address>" or "device:<id>"
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccountToken(db.Model):
    """A single-use secret sent by e-mail or text message: a pending registration, a password reset, a new
    e-mail address or phone number waiting for confirmation. Only the SHA-256 of the secret is stored; it
    is spent by a conditional UPDATE (``used_at IS NULL``), so it works once even under concurrent use."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))  # register · reset · email · phone
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # what the token will write when used: the new address, or the pending account's fields
    username: Mapped[str | None] = mapped_column(sa.String(40))
    name: Mapped[str | None] = mapped_column(sa.String(40))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    attempts: Mapped[int] = mapped_column(default=0)  # wrong codes typed against it (phone codes)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship(User)
