"""Issued PDFs are PDF/A-2b, carry a title, an author and a creation date, and are digitally signed (PAdES) with
the bureau's certificate (core/signing.py); /verify shows the signature next to the hash (issue 14).

veraPDF is not packaged for Debian 12 (`apt-cache policy verapdf`: no candidate), so PDF/A-2b is checked here by
the rules a validator would apply that can be read with the tools at hand: the XMP identification (pdfaid:part 2,
conformance B), the sRGB output intent with its embedded ICC profile (/GTS_PDFA1), every font embedded
(`pdffonts`), no encryption, the Info dictionary agreeing with the XMP (title, author, creation date, producer —
after pyHanko's incremental update too), and the signature widget printable and zero-sized. The signature is
checked by pyHanko against the test CA and by poppler's `pdfsig`."""
import asyncio
import contextvars
import hashlib
import io
import shutil
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
from pypdf import PdfReader

from grantportal.core import signing
from grantportal.core.db import db
from grantportal.core.pdf import render_pdf
from grantportal.documents import operations as ops
from grantportal.documents.models import DocumentKind
from tests.documents.conftest import file_bytes, fresh, issued_contract, poppler

NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
      "dc": "http://purl.org/dc/elements/1.1/", "xmp": "http://ns.adobe.com/xap/1.0/",
      "pdf": "http://ns.adobe.com/pdf/1.3/"}
needs_pdfsig = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler's pdfsig is not installed")


def issued(final):
    _call, (award, _), officer = final
    doc = ops.issue_document(award, DocumentKind.SELECTION_NOTICE, officer)
    db.session.commit()
    return fresh(doc.id)


def xmp(data):
    """The XMP packet's values: ``{"pdfaid:part": "2", "dc:title": "…", …}`` (attributes or elements alike)."""
    stream = PdfReader(io.BytesIO(data)).trailer["/Root"]["/Metadata"].get_object()
    root = ET.fromstring(stream.get_data())  # noqa: S314 (the XMP of a PDF this test just made)
    names = {uri: prefix for prefix, uri in NS.items()}
    values = {}

    def short(tag):
        uri, _, local = tag[1:].partition("}")
        return f"{names.get(uri, uri)}:{local}"

    for desc in root.iter(f"{{{NS['rdf']}}}Description"):
        for key, value in desc.attrib.items():
            values[short(key)] = value
        for child in desc:
            values[short(child.tag)] = "".join(child.itertext()).strip()
    return values


def one_byte_changed(data):
    """``data`` with one byte flipped inside the signed range, in the middle of the page content."""
    start = data.index(b"stream", len(data) // 4) + 20
    changed = bytearray(data)
    changed[start] ^= 0x01
    return bytes(changed)


def test_an_issued_document_is_signed_by_the_bureau_and_its_hash_is_of_the_signed_file(final):
    doc = issued(final)
    data = file_bytes(doc)
    assert hashlib.sha256(data).hexdigest() == doc.sha256  # /verify's hash is of the signed bytes
    check = signing.check_signature(data)
    assert check.status == signing.VALID and check.label == "有效", check.reason
    assert check.signer == "市民政局" and "测试" in check.issuer and check.signed_at is not None


def test_one_changed_byte_or_an_appended_line_makes_the_signature_invalid(final):
    data = file_bytes(issued(final))
    changed = signing.check_signature(one_byte_changed(data))
    assert changed.status == signing.INVALID and changed.label == "无效" and "修改" in changed.reason
    appended = signing.check_signature(data + b"\n%% edited\n")
    assert appended.status == signing.INVALID


def test_the_same_file_is_validated_once_for_a_while_and_again_once_the_answer_is_old(final, monkeypatch):
    data = file_bytes(issued(final))
    validations, clock = [], [5000.0]
    real = signing._check_signature
    monkeypatch.setattr(signing, "_check_signature", lambda d, c: validations.append(d) or real(d, c))
    monkeypatch.setattr(signing.time, "monotonic", lambda: clock[0])
    first = signing.check_signature(data)
    assert signing.check_signature(bytes(data)) == first and len(validations) == 1  # the same bytes: kept
    assert signing.check_signature(one_byte_changed(data)).status == signing.INVALID and len(validations) == 2
    clock[0] += signing.KEEP_SECONDS + 1
    assert signing.check_signature(data).status == signing.VALID and len(validations) == 3


@needs_pdfsig
def test_poppler_pdfsig_validates_the_signature_and_sees_a_changed_byte(final, tmp_path):
    data = file_bytes(issued(final))
    report = poppler("pdfsig", data, tmp_path)
    assert "Signature is Valid." in report and "Total document signed" in report
    assert "Signer Certificate Common Name: 市民政局" in report and "ETSI.CAdES.detached" in report
    assert "Signature is Valid." not in poppler("pdfsig", one_byte_changed(data), tmp_path)


def test_the_pdf_is_pdfa_2b_with_title_author_and_creation_date(final, tmp_path):
    _call, (award, _), officer = final
    _contract, doc = issued_contract(award, officer)
    data = file_bytes(doc)
    meta = xmp(data)
    assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
    reader = PdfReader(io.BytesIO(data))
    assert not reader.is_encrypted and data.startswith(b"%PDF-1.7")
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert [i.get_object()["/S"] for i in intents] == ["/GTS_PDFA1"]
    assert intents[0].get_object()["/DestOutputProfile"].get_object().get_data()  # the ICC profile is embedded
    fonts = poppler("pdffonts", data, tmp_path).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # the "emb" column
    assert any("CJK" in line for line in fonts)
    info = dict(line.split(":", 1) for line in poppler("pdfinfo", data, tmp_path).splitlines() if ":" in line)
    assert info["Title"].strip() == f"{doc.kind.label} {doc.number}" and info["Author"].strip() == "中山市民政局"
    assert info["CreationDate"].strip()
    # the Info dictionary agrees with the XMP, after pyHanko's incremental update too (PDF/A 6.6.2.3.1)
    assert reader.metadata["/Title"] == meta["dc:title"] and reader.metadata["/Author"] == meta["dc:creator"]
    assert reader.metadata["/Producer"] == meta["pdf:Producer"]
    created = reader.metadata.creation_date.strftime("%Y-%m-%dT%H:%M:%S")
    assert meta["xmp:CreateDate"].startswith(created)
    # the invisible signature widget: printable, zero-sized, so it needs no appearance stream (PDF/A 6.3.2)
    widget = next(a.get_object() for a in reader.pages[0]["/Annots"] if a.get_object()["/FT"] == "/Sig")
    assert widget["/F"] & 4 and not widget["/F"] & 2 and [float(x) for x in widget["/Rect"]] == [0, 0, 0, 0]


def test_verify_shows_the_signature_valid_and_its_signer_next_to_the_hash(final, client):
    doc = issued(final)
    page = client.get(f"/verify/{doc.verification_code}").get_data(as_text=True)
    assert doc.sha256 in page and "数字签名" in page
    assert "<strong>有效</strong>，签署者：市民政局" in page


def test_verify_checks_the_signature_of_an_uploaded_file(final, client):
    doc = issued(final)
    data = file_bytes(doc)

    def upload(content):
        form = {"code": doc.verification_code, "file": (io.BytesIO(content), "入选通知书.pdf")}
        return client.post("/verify", data=form, content_type="multipart/form-data").get_data(as_text=True)

    assert "您上传的文件的数字签名：<strong>有效</strong>，签署者：市民政局" in upload(data)
    tampered = upload(one_byte_changed(data))
    assert "<strong>不一致</strong>" in tampered and "您上传的文件的数字签名：<strong>无效</strong>" in tampered
    assert "您上传的文件的数字签名：<strong>未签名</strong>" in upload(b"not a pdf at all")


def test_without_a_certificate_documents_are_issued_unsigned_and_verify_says_so(final, app, client):
    app.config.update(SIGNING_KEY_FILE=None, SIGNING_CERT_FILE=None)
    doc = issued(final)
    data = file_bytes(doc)
    assert signing.check_signature(data).status == signing.UNSIGNED
    assert xmp(data)["pdfaid:part"] == "2"  # still PDF/A-2b
    assert "<strong>未签名</strong>" in client.get(f"/verify/{doc.verification_code}").get_data(as_text=True)


def test_another_ca_is_not_trusted(final, app, tmp_path):
    data = file_bytes(issued(final))
    other = signing.make_test_ca(tmp_path / "other", "市民政局")
    app.config["SIGNING_TRUST_ROOTS_FILE"] = other["SIGNING_TRUST_ROOTS_FILE"]
    check = signing.check_signature(data)
    assert check.status == signing.INVALID and "信任" in check.reason


def test_make_test_ca_writes_the_test_certificate_once_and_keeps_a_real_one(app, tmp_path):
    app.config.update(INSTANCE_PATH=str(tmp_path), SIGNING_KEY_FILE=None, SIGNING_CERT_FILE=None,
                      SIGNING_TRUST_ROOTS_FILE=None)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["documents", "make-test-ca"]).output
    cert = tmp_path / "signing" / "test-bureau.pem"
    assert "测试签名证书" in out and app.config["SIGNING_CERT_FILE"] == str(cert)
    assert signing.is_test_certificate(cert)
    assert (tmp_path / "signing" / "test-bureau.key").stat().st_mode & 0o077 == 0  # the key: its owner only
    first = cert.read_bytes()
    runner.invoke(args=["documents", "make-test-ca"])
    assert cert.read_bytes() == first  # kept
    real = signing.make_test_ca(tmp_path / "real", "市民政局", ca_org="某数字证书认证中心")
    app.config.update(real)
    assert "未生成测试证书" in runner.invoke(args=["documents", "make-test-ca"]).output
    assert app.config["SIGNING_CERT_FILE"] == real["SIGNING_CERT_FILE"]


def test_signing_and_checking_work_inside_a_running_event_loop(app):
    """pyHanko's synchronous calls start their own event loop: called where one runs (an async caller, a test
    driving a browser), they still sign and check."""
    async def inside():  # render_pdf signs (a certificate is configured in the tests)
        signed = render_pdf("<html><head><title>测试</title></head><body><p>事件循环中的签名</p></body></html>")
        return signing.check_signature(signed)

    # a thread of its own runs the loop: this worker's thread may hold one already (the session's browser, for the
    # browser tests), where asyncio.run would refuse to start; the app context goes with the copied context
    with ThreadPoolExecutor(1) as pool:
        check = pool.submit(contextvars.copy_context().run, asyncio.run, inside()).result()
    assert check.status == signing.VALID
