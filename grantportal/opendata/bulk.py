"""The bulk XLSX of every funded project, built by a job and kept as a stored file (issue 12).

A spreadsheet cannot be streamed as it is read: openpyxl writes the whole workbook before its first byte can be
sent, and for 100,000 projects that takes minutes — longer than a visitor, or a proxy, waits. So no request builds
it: ``build_job`` writes the file (rows read in keyset batches, written to a temporary file as they come: flat
memory) and keeps it in a ``DatasetFile`` row; ``/data/awards.xlsx`` streams the kept file from storage.

The file is built again when a download finds it older than ``OPEN_DATA_FILE_SECONDS`` (default 3600) — one job,
queued by one request (a conditional UPDATE, as the public checks do) — and meanwhile the kept one is sent; the
数据开放 page says when it was built. While there is none yet, the download answers 503 with Retry-After. The
JSON and CSV downloads are streamed as they are read and always current. Kept files are derived data: not audited.
"""
import os
import tempfile
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from grantportal.core import jobs
from grantportal.core.db import db, move_on, utcnow
from grantportal.core.files import discard, save_file
from grantportal.opendata import ocds, queries
from grantportal.opendata.downloads import Urls, write_xlsx
from grantportal.opendata.models import DatasetFile

JOB_KIND = "opendata.dataset_file"
JOB = "grantportal.opendata.bulk:build_job"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AWARDS_XLSX = "awards.xlsx"


def kept(name):
    return db.session.scalar(sa.select(DatasetFile).where(DatasetFile.name == name))


def _max_age():
    return timedelta(seconds=current_app.config["OPEN_DATA_FILE_SECONDS"])


def is_due(dataset, now):
    """Whether a download should queue a build: none kept or the kept one too old, and none on its way."""
    if dataset is not None and dataset.file_id is not None and now - dataset.built_at < _max_age():
        return False
    on_its_way = (dataset is not None and dataset.requested_at is not None
                  and (dataset.built_at is None or dataset.requested_at > dataset.built_at)
                  and now - dataset.requested_at < timedelta(seconds=current_app.config["JOB_TIMEOUT"]))
    return not on_its_way


def request_build(name, dataset, now, base, script_root):
    """Queue one build of ``name`` (links in it under ``base``): of several requests at the same moment only the
    one that moves ``requested_at`` on from what it read queues it. Returns whether this one did; the caller
    commits."""
    if dataset is None:
        insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        db.session.execute(insert(DatasetFile).values(name=name, records=0, seconds=0.0).on_conflict_do_nothing())
        dataset = kept(name)
        if not is_due(dataset, now):
            return False
    if not move_on(dataset, "requested_at", now):
        return False
    jobs.enqueue(JOB_KIND, JOB, title=f"生成数据文件 {name}", total=1, name=name, base=base, script_root=script_root)
    return True


def _addresses(base, script_root):
    """The publisher and the stable addresses inside the data, as the download request would have built them."""
    config = current_app.config
    adapter = current_app.url_map.bind("localhost", script_name=script_root or "/")
    publisher = ocds.Publisher(ocid_prefix=config["OCID_PREFIX"], bureau_name=config["BUREAU_NAME"],
                               bureau_uscc=config["BUREAU_USCC"],
                               policy_url=base + adapter.build("opendata.index", {}))
    return publisher, Urls(base, adapter)


def build_job(job, name, base, script_root="/"):
    """The queued job: build the file and keep it (its own transaction, committed here)."""
    if name != AWARDS_XLSX:
        raise ValueError(f"unknown dataset: {name}")
    build(name, base, script_root)
    job.done = 1
    db.session.commit()


def build(name, base, script_root="/"):
    """Build the awards XLSX now and keep it in place of the kept one. Flushes; the caller commits."""
    started, clock = utcnow(), time.perf_counter()
    publisher, urls = _addresses(base, script_root)
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        records = write_xlsx(queries.award_rows(), publisher, urls, path)
        with open(path, "rb") as source:
            record = save_file(source, name, "xlsx", XLSX)
    finally:
        os.unlink(path)
    dataset = kept(name)
    if dataset is None:
        dataset = DatasetFile(name=name)
        db.session.add(dataset)
    old = dataset.file
    dataset.file, dataset.records, dataset.built_at = record, records, started
    dataset.seconds = time.perf_counter() - clock
    db.session.flush()
    if old is not None:
        discard(old)
    return dataset
