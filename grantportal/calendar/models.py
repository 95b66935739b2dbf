"""Each year's confirmed working-day calendar: the official holidays and make-up working days (调休上班) an
officer confirmed from the State Council's notice (国务院办公厅关于某年部分节假日安排的通知)."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import LabelledEnum, UTCDateTime, db, enum_column, utcnow


class DayKind(LabelledEnum):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class CalendarYear(db.Model):
    """A year whose holiday arrangement an officer confirmed; 公示 periods are counted only in such years."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    notice_title: Mapped[str] = mapped_column(sa.String(200))
    notice_number: Mapped[str | None] = mapped_column(sa.String(100))
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    days = relationship("CalendarDay", back_populates="calendar_year", order_by="CalendarDay.day",
                        cascade="all, delete-orphan")
    confirmed_by = relationship("User")


class CalendarDay(db.Model):
    """One day the notice sets apart from the ordinary week: a day off, or a weekend day that is worked."""

    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.ForeignKey("calendar_year.year"), index=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[DayKind] = mapped_column(enum_column(DayKind))
    name: Mapped[str] = mapped_column(sa.String(100), default="")

    calendar_year = relationship(CalendarYear, back_populates="days")
