"""Reads of issued documents for pages outside the officer's document pages, including the answer to
``core.signals.award_documents`` (connected when the app is created: ``grantportal/app.py``)."""
import sqlalchemy as sa

from grantportal.core import signals
from grantportal.core.db import db
from grantportal.documents.models import DocumentStatus, IssuedDocument


def issued_for(award):
    """The award's documents as the organization sees them: issued and not superseded, oldest first."""
    return db.session.scalars(sa.select(IssuedDocument).where(
        IssuedDocument.award_id == award.id, IssuedDocument.status == DocumentStatus.ISSUED,
        IssuedDocument.superseded_at.is_(None)).order_by(IssuedDocument.id)).all()


@signals.award_documents.connect
def award_documents(award):
    """For the applicant's award section on the application's page (``issued_for``)."""
    return issued_for(award)
