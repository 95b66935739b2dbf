import subprocess
from datetime import date

import pytest

from grantportal.core.db import db
from grantportal.core.storage import get_storage
from grantportal.documents import operations as ops
from grantportal.documents.models import IssuedDocument
from grantportal.funding.contracts.operations import prepare_contract
from grantportal.funding.queries import contract_terms
from tests import factories as f


@pytest.fixture(autouse=True)
def sync_jobs(app):
    """Jobs run right after the commit that queued them (deterministic)."""
    app.config.update(JOBS_SYNC=True, PUBLIC_BASE_URL="https://gp.example.cn")


def poppler(tool, data, tmp_path, *args):
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])], check=True,  # noqa: S603 (poppler tools, fixed args)
                          capture_output=True, text=True).stdout


def file_bytes(doc):
    return get_storage().read(doc.file.storage_key)


def fresh(doc_id):
    db.session.expire_all()
    return db.session.get(IssuedDocument, doc_id)


def issued_contract(award, officer, starts_on=date(2026, 7, 1)):
    """Prepare and issue ``award``'s contract (committed; rendered by then)."""
    contract = prepare_contract(award, officer, starts_on)
    doc = ops.issue_document(award, ops.contract_kind(award.proposal.call), officer, terms=contract_terms(contract))
    contract.document = doc
    db.session.commit()
    return contract, fresh(doc.id)


@pytest.fixture
def final():
    """(call, [selected 5万, selected 6万], officer)."""
    call, awards = f.final_awards()
    return call, awards, call.created_by
