"""Uploaded files: checked (size, extension, content, real parse), stored under generated names.

The bytes live in storage, the row in the database, and the two must agree (DESIGN.md §6: a crash
mid-transaction leaves nothing partial): the bytes of an upload whose transaction does not commit are
deleted when that transaction ends, and the bytes of a file that was replaced or removed (``discard``) are
deleted only once the transaction that dropped it has committed."""
import hashlib
import io
import logging
import zipfile
from datetime import datetime
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from grantportal.core.db import UTCDateTime, db, utcnow
from grantportal.core.storage import get_storage

KINDS = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DOCUMENT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "docx", "xlsx")
SCAN_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")
NEW_KEYS, DISCARDED_KEYS = "gp_new_file_keys", "gp_discarded_file_keys"

log = logging.getLogger("grantportal.files")
STORAGE_FAILED = ("文件暂时无法保存（服务器存储空间不足或不可写入），本次提交未保存，您填写的其他内容已保留。"
                  "请稍后重新提交；如仍无法上传，请联系平台管理员。")


class StoredFile(db.Model):
    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    extension: Mapped[str] = mapped_column(sa.String(8))
    content_type: Mapped[str] = mapped_column(sa.String(128))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def size_label(self):
        if self.size >= 1024 * 1024:
            return f"{self.size / 1024 / 1024:.1f} MB"
        return f"{max(1, self.size // 1024)} KB"


class UploadError(ValueError):
    pass


class StorageFailed(UploadError):
    """The storage refused the bytes (disk full, read-only, quota): an ``UploadError`` for the form, so the view
    re-renders it and the transaction is never committed."""


def _extension(name):
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _looks_like(ext, data):
    if ext == "pdf":
        if not data.startswith(b"%PDF-"):
            return False
        from pypdf import PdfReader  # noqa: PLC0415 (deferred: loaded only when a PDF upload is checked)
        reader = PdfReader(io.BytesIO(data))
        return len(reader.pages) > 0
    if ext in ("jpg", "jpeg", "png"):
        magic = b"\x89PNG\r\n\x1a\n" if ext == "png" else b"\xff\xd8\xff"
        if not data.startswith(magic):
            return False
        from PIL import Image  # noqa: PLC0415 (deferred: loaded only when an image upload is checked)
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
        return True
    if ext in ("docx", "xlsx"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
        inner = "word/document.xml" if ext == "docx" else "xl/workbook.xml"
        return "[Content_Types].xml" in names and inner in names
    return False


def clean_display_name(name):
    """Keep the user's file name (Chinese included) for display; drop any path and control chars."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    return name[:200] or "未命名文件"


def check_upload(storage_file, allowed=DOCUMENT_EXTENSIONS):
    """Read and check an uploaded file; return (display name, ext, bytes) or raise UploadError."""
    name = clean_display_name(storage_file.filename)
    ext = _extension(name)
    if ext not in allowed:
        raise UploadError("不支持该文件类型，请上传 " + "、".join(e.upper() for e in allowed) + " 格式的文件。")
    limit = current_app.config["MAX_FILE_SIZE"]
    data = storage_file.read(limit + 1)
    if len(data) > limit:
        raise UploadError(f"文件过大，单个文件不能超过 {limit // 1024 // 1024} MB。")
    if not data:
        raise UploadError("文件是空的，请重新选择。")
    try:
        ok = _looks_like(ext, data)
    except Exception:  # any parser failure means the content is not what the name says
        ok = False
    if not ok:
        raise UploadError(f"文件内容与扩展名 .{ext} 不符或文件已损坏，请检查后重新上传。")
    return name, ext, data


def store_upload(storage_file, user, allowed=DOCUMENT_EXTENSIONS):
    name, ext, data = check_upload(storage_file, allowed)
    key = save_bytes(data)
    record = StoredFile(
        storage_key=key,
        original_name=name,
        extension=ext,
        content_type=KINDS[ext],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=getattr(user, "id", None),
    )
    db.session.add(record)
    return record


def _stored(save, *args):
    """``save(*args)`` of the storage; its ``OSError`` (ENOSPC, EROFS, EDQUOT …) becomes ``StorageFailed``, logged
    once for the operator (never the file's name: it can be personal)."""
    try:
        return save(*args)
    except OSError as e:
        log.error("storage refused an upload: %s (errno %s)", e.strerror, e.errno)
        raise StorageFailed(STORAGE_FAILED) from e


def save_bytes(data):
    """Store bytes for a row this transaction adds; they are deleted again if it does not commit."""
    key = _stored(get_storage().save, data)
    db.session.info.setdefault(NEW_KEYS, []).append(key)
    return key


def save_file(source, name, extension, content_type, user=None):
    """A ``StoredFile`` for a file this platform generated (an export, a kept download), read from the binary file
    object ``source`` in chunks; its bytes are deleted again if the transaction does not commit."""
    source.seek(0)
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: source.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    source.seek(0)
    key = _stored(get_storage().save_from, source)
    db.session.info.setdefault(NEW_KEYS, []).append(key)
    record = StoredFile(storage_key=key, original_name=name, extension=extension, content_type=content_type,
                        size=size, sha256=digest.hexdigest(), uploaded_by_id=getattr(user, "id", None))
    db.session.add(record)
    return record


def discard(record):
    """A stored file that is replaced or removed: its row goes with this transaction, its bytes once the
    transaction has committed (a rollback keeps both)."""
    if record is None:
        return
    db.session.info.setdefault(DISCARDED_KEYS, []).append(record.storage_key)
    db.session.delete(record)


def references(record):
    """How many rows of any table point at this stored file (a call's 申报指南 copied to the next call, an
    organization's standing document reused by its applications share one file)."""
    db.session.flush()
    total = 0
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == StoredFile.__tablename__:
                total += db.session.scalar(sa.select(sa.func.count()).select_from(table)
                                           .where(fk.parent == record.id))
    return total


def discard_unless_used(record):
    """``discard`` the file once nothing points at it any more (call this after the row that used it is
    gone); a file still used elsewhere stays."""
    if record is not None and not references(record):
        discard(record)


def _delete_bytes(keys):
    if not keys or not has_app_context():
        return
    storage = get_storage()
    for key in keys:
        try:
            storage.delete(key)
        except OSError:  # a file left behind is a leak, not a reason to fail the request
            log.exception("stored bytes not deleted: key=%s", key)


@event.listens_for(Session, "after_commit")
def _files_committed(session):
    if session.in_nested_transaction():  # a SAVEPOINT released: the transaction has not committed yet
        return
    session.info.pop(NEW_KEYS, None)
    _delete_bytes(session.info.pop(DISCARDED_KEYS, None))


@event.listens_for(Session, "after_transaction_end")
def _files_not_committed(session, transaction):
    """The outermost transaction ended without a commit (rollback or close): its uploads are removed."""
    if transaction.parent is None and not transaction.nested:
        session.info.pop(DISCARDED_KEYS, None)
        _delete_bytes(session.info.pop(NEW_KEYS, None))


def send_stored(record, inline=False):
    data = get_storage().read(record.storage_key)
    disposition = "inline" if inline else "attachment"
    ascii_name = f"file-{record.id}.{record.extension}"
    resp = Response(data, mimetype=record.content_type)
    resp.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(record.original_name)}"
    )
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def stream_stored(record, filename, chunk=64 * 1024):
    """A public download of a stored file, read from storage in chunks as it is sent (flat memory whatever its
    size), under ``filename`` (ASCII). The file is opened when sending starts and closed at its end (or when the
    sending stops)."""
    storage, key = get_storage(), record.storage_key

    def chunks():
        with storage.open(key) as source:
            yield from iter(lambda: source.read(chunk), b"")

    resp = Response(chunks(), mimetype=record.content_type)
    resp.headers["Content-Type"] = record.content_type
    resp.headers["Content-Length"] = str(record.size)
    resp.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return resp
