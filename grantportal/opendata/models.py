"""The bulk files of open data kept as stored files (opendata/bulk.py): one row per dataset."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import UTCDateTime, db
from grantportal.core.files import StoredFile


class DatasetFile(db.Model):
    __tablename__ = "dataset_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)  # the download's file name: "awards.xlsx"
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    records: Mapped[int] = mapped_column(default=0)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the data it holds was read
    seconds: Mapped[float] = mapped_column(sa.Float, default=0.0)  # how long building it took
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last time a build was queued

    file: Mapped[StoredFile | None] = relationship()
