"""文书核验 for citizens: the code typed from the paper (spaces, hyphens, case tolerated) leads to the document;
with the electronic file the page answers 一致 / 不一致 by its SHA-256; the QR address keeps working."""
import io

from grantportal.core.db import db
from grantportal.documents import operations as ops
from grantportal.documents.models import DocumentKind
from tests.documents.conftest import file_bytes, fresh


def issued(final):
    _call, (award, _), officer = final
    doc = ops.issue_document(award, DocumentKind.SELECTION_NOTICE, officer)
    db.session.commit()
    return fresh(doc.id)


def typed(code):
    """As a citizen types it off the paper: lower case, in groups of four with hyphens and spaces."""
    return " - ".join(code.lower()[i:i + 4] for i in range(0, len(code), 4))


def test_the_form_is_public_and_linked_from_home_and_help(client):
    page = client.get("/verify").get_data(as_text=True)
    assert "核验码" in page and 'enctype="multipart/form-data"' in page
    assert 'href="/verify"' in client.get("/").get_data(as_text=True)
    assert 'href="/verify"' in client.get("/help").get_data(as_text=True)


def test_a_code_typed_loosely_leads_to_the_document(final, client):
    doc = issued(final)
    resp = client.post("/verify", data={"code": typed(doc.verification_code)})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/verify/{doc.verification_code}")
    assert client.get(f"/verify/{typed(doc.verification_code).replace(' ', '')}").status_code == 200  # QR path too


def test_the_issued_file_is_answered_the_same(final, client):
    doc = issued(final)
    data = {"code": typed(doc.verification_code), "file": (io.BytesIO(file_bytes(doc)), "入选通知书.pdf")}
    resp = client.post("/verify", data=data, content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "<strong>一致</strong>" in page and "是平台出具的原件" in page and doc.number in page


def test_a_changed_file_is_answered_not_the_same(final, client):
    doc = issued(final)
    changed = file_bytes(doc) + b"\n%% edited"
    data = {"code": doc.verification_code, "file": (io.BytesIO(changed), "入选通知书.pdf")}
    page = client.post("/verify", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "<strong>不一致</strong>" in page and "不是该文书的原件" in page


def test_an_unknown_or_empty_code_is_answered_in_words(final, client):
    doc = issued(final)
    wrong = doc.verification_code[:-1] + ("2" if doc.verification_code[-1] != "2" else "3")
    resp = client.post("/verify", data={"code": wrong})
    assert resp.status_code == 404 and "未找到该核验码对应的文书" in resp.get_data(as_text=True)
    resp = client.post("/verify", data={"code": "  "})
    assert resp.status_code == 400 and "请输入文书上印制的核验码" in resp.get_data(as_text=True)
    for junk in ("😀" * 20, "<script>", "x" * 500):
        resp = client.post("/verify", data={"code": junk})
        assert resp.status_code in (400, 404) and doc.number not in resp.get_data(as_text=True)
