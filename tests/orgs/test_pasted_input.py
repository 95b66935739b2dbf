"""Issue 11: a registration typed or pasted as people do, and one that fails, leaves no stray bytes."""
from pathlib import Path

from grantportal.core.db import db
from grantportal.core.files import StoredFile
from grantportal.core.inputs import CONTROL_MESSAGE
from grantportal.orgs import forms as org_forms
from grantportal.orgs.models import Organization
from tests.factories import OrganizationFactory, UserFactory
from tests.orgs.conftest import CODE


def _stored_files(app):
    return sorted(p.name for p in Path(app.config["STORAGE_DIR"]).rglob("*") if p.is_file())


def test_a_code_pasted_with_spaces_and_full_width_characters_is_accepted(client, auth, registration):
    auth.login(UserFactory())
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in CODE)
    pasted = "\u3000" + " ".join([full_width[:6], full_width[6:12], full_width[12:]]) + " "
    resp = client.post("/org/register", data=registration(uscc=pasted, contact_phone="１３８ ００１３ ８０００"))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    org = db.session.scalar(db.select(Organization))
    assert org.uscc == CODE and org.contact_phone == "13800138000"


def test_the_code_field_has_no_maxlength_that_would_cut_a_paste(client, auth):
    auth.login(UserFactory())
    page = client.get("/org/register").get_data(as_text=True)
    field = page[page.index('id="uscc"') - 200:page.index('id="uscc"') + 200]
    assert "maxlength" not in field


def test_a_nul_byte_is_refused_next_to_the_field_and_nothing_is_stored(client, auth, registration):
    auth.login(UserFactory())
    resp = client.post("/org/register", data=registration(name="阳光\x00社工服务中心", charter_scope="养老\x00服务"))
    body = resp.get_data(as_text=True)
    assert resp.status_code in (200, 400)
    assert body.count(CONTROL_MESSAGE) == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(Organization)) == 0


def test_a_registration_that_rolls_back_leaves_no_uploaded_bytes(app, client, auth, registration, monkeypatch):
    """Two people register the same code at once: the second passes the form's check, its certificate is
    stored, then the unique constraint refuses the row and the request rolls back."""
    OrganizationFactory(uscc=CODE)
    db.session.commit()
    before = _stored_files(app)
    monkeypatch.setattr(org_forms, "code_taken", lambda code, org=None: False)
    auth.login(UserFactory())
    resp = client.post("/org/register", data=registration())
    assert "已登记" in resp.get_data(as_text=True)
    assert _stored_files(app) == before
    assert db.session.scalar(db.select(db.func.count()).select_from(StoredFile)) == 0
