"""Uploaded files: checked (size, extension, content, real parse), stored under generated names."""
import hashlib
import io
import zipfile
from datetime import datetime
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, current_app
from sqlalchemy.orm import Mapped, mapped_column

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
    key = get_storage().save(data)
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
