"""申报回执: a SHA-256 of what was submitted is fixed at submission, and the receipt PDF prints the number, the
time received, the call and that hash, with a CJK font embedded; only those who may see the application
download it."""
from grantportal.applications.models import Application
from grantportal.applications.receipts import content_digest
from grantportal.core.db import db
from grantportal.core.pdf import missing_glyphs, weasyprint_warnings
from grantportal.core.timeutil import format_datetime
from tests import factories as f
from tests.applications.helpers import SIGNED, ready
from tests.documents.conftest import poppler


def _submitted(client, auth):
    user, app = ready(call=f.CallFactory(code="BA100", name="博爱100公益创投"))
    auth.login(user)
    resp = client.post(f"/applications/{app.id}/submit", data={"version": str(app.version), **SIGNED})
    assert resp.status_code == 302
    return user, db.session.get(Application, app.id)


def test_the_receipt_prints_the_number_time_call_and_hash_with_an_embedded_cjk_font(client, auth, tmp_path):
    _user, app = _submitted(client, auth)
    assert app.content_sha256 == content_digest(app)
    with weasyprint_warnings() as warnings:
        resp = client.get(f"/applications/{app.id}/receipt.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert missing_glyphs(warnings) == []
    data = resp.get_data()
    fonts = poppler("pdffonts", data, tmp_path)
    assert "CJK" in fonts and "yes" in fonts.split("\n", 2)[2]  # emb column of the CJK font
    flat = "".join(poppler("pdftotext", data, tmp_path).split())
    assert "申报回执" in flat and app.number in flat
    assert app.content_sha256 in flat
    assert "".join(app.call.title.split()) in flat and "".join(format_datetime(app.submitted_at).split()) in flat


def test_the_application_page_offers_the_receipt_once_submitted(client, auth):
    user, app = ready()
    auth.login(user)
    assert "下载申报回执" not in client.get(f"/applications/{app.id}").get_data(as_text=True)
    assert client.get(f"/applications/{app.id}/receipt.pdf").status_code == 404
    client.post(f"/applications/{app.id}/submit", data={"version": str(app.version), **SIGNED})
    assert "下载申报回执" in client.get(f"/applications/{app.id}").get_data(as_text=True)


def test_the_hash_changes_with_the_submitted_content(client, auth):
    _user, app = _submitted(client, auth)
    before = app.content_sha256
    app.summary += "（补充）"
    assert content_digest(app) != before
    db.session.rollback()


def test_another_organization_cannot_download_the_receipt(client, auth):
    _user, app = _submitted(client, auth)
    auth.logout()
    auth.login(f.member_of(f.OrganizationFactory()))
    assert client.get(f"/applications/{app.id}/receipt.pdf").status_code == 403
