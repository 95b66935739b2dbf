"""The public statistics as last computed (``queries.refresh``): the figures of every table as JSON, so that
the page reads one small row instead of summing every funded project, and every app process shows the same
figures."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from grantportal.core.db import UTCDateTime, db, utcnow


class StatisticsSnapshot(db.Model):
    __tablename__ = "statistics_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seconds: Mapped[float] = mapped_column(sa.Float, default=0.0)  # how long the computation took
    figures: Mapped[dict] = mapped_column(sa.JSON)
