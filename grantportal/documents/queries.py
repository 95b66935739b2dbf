"""Reads of issued documents for pages outside the officer's document pages: the public verification (a
document by its code, a file compared with it, the digital signature of either), and the answer to
``core.signals.award_documents`` (connected when the app is created: ``grantportal/app.py``)."""
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import defer

from grantportal.core import signals
from grantportal.core.db import db
from grantportal.core.inputs import normalize_code
from grantportal.core.signing import check_signature
from grantportal.core.storage import get_storage
from grantportal.documents.models import DocumentStatus, IssuedDocument

HASH_CHUNK = 64 * 1024


def verification_code(text):
    """A code as typed from the paper: full-width characters, spaces and hyphens dropped, upper case
    ("abcd-efgh 2345 6789" → "ABCDEFGH23456789")."""
    code = normalize_code(text)
    return code.replace("-", "") if isinstance(code, str) else code


def issued_by_code(text):
    """The issued document carrying this code (superseded ones included: their page says so), or None for
    anything else — an unknown code, one still being rendered, or text that cannot be a code."""
    code = verification_code(text or "")
    if not (0 < len(code) <= 32 and code.isascii() and code.isalnum()):
        return None
    doc = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.verification_code == code)
                            .options(defer(IssuedDocument.body)))  # what was rendered: not shown here
    return doc if doc is not None and doc.status == DocumentStatus.ISSUED else None


def newer_version(doc):
    """The issued correction that replaced ``doc``, or None. A document is stamped ``superseded_at`` when its
    correction is issued (operations.py), so one that is not was replaced by nothing and needs no query."""
    if doc.superseded_at is None:
        return None
    return db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.supersedes_id == doc.id,
                                                             IssuedDocument.status == DocumentStatus.ISSUED)
                             .options(defer(IssuedDocument.body)))


@dataclass(frozen=True)
class Comparison:
    """An uploaded file against the issued document's record: its SHA-256 and whether it is the same."""

    sha256: str
    same: bool

    @property
    def verdict(self):
        return "一致" if self.same else "不一致"

    @property
    def words(self):
        if self.same:
            return "您上传的文件与平台出具的文书完全一致（SHA-256 校验值相同），是平台出具的原件。"
        return ("您上传的文件与平台出具的文书不一致（SHA-256 校验值不同），不是该文书的原件，"
                "或已被修改。请以本页所列的文书信息为准。")


def compare_file(doc, stream):
    """Hash ``stream`` (read in chunks, never stored) and compare it with the document's recorded hash."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(HASH_CHUNK), b""):
        digest.update(chunk)
    sha256 = digest.hexdigest()
    return Comparison(sha256, bool(doc.sha256) and sha256 == doc.sha256.lower())


def document_signature(doc):
    """The digital signature of the document's issued file (``core.signing.SignatureCheck``: 有效 / 无效 / 未签名
    and the signer), checked now against the configured trust roots; None while it has no file."""
    if doc.file is None:
        return None
    return check_signature(get_storage().read(doc.file.storage_key))


def upload_signature(stream):
    """The digital signature of an uploaded file (read from its start, in memory, never stored)."""
    stream.seek(0)
    return check_signature(stream.read())


def issued_for(award):
    """The award's documents as the organization sees them: issued and not superseded, oldest first."""
    return db.session.scalars(sa.select(IssuedDocument).where(
        IssuedDocument.award_id == award.id, IssuedDocument.status == DocumentStatus.ISSUED,
        IssuedDocument.superseded_at.is_(None)).order_by(IssuedDocument.id)).all()


@signals.award_documents.connect
def award_documents(award):
    """For the applicant's award section on the application's page (``issued_for``)."""
    return issued_for(award)
