"""Issue 11, inputs: control characters, pasted codes and phones, formula-like export cells, error pages."""
import io

import pytest
import sqlalchemy as sa
from PIL import Image

from grantportal.core.db import db
from grantportal.core.files import StoredFile, discard, store_upload
from grantportal.core.inputs import as_id, normalize_phone
from grantportal.core.spreadsheet import safe_cell
from grantportal.core.storage import get_storage
from tests.factories import PASSWORD, UserFactory


def _png():
    out = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(out, "PNG")
    return out.getvalue()


PNG = _png()


class Upload(io.BytesIO):
    def __init__(self, data, filename):
        super().__init__(data)
        self.filename = filename


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", " =HYPERLINK(\"x\")",
                                  "\n=1", "\u200b=1", "\u3000+1", "\ufeff@x", "＝1"])
def test_every_formula_like_cell_is_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["社区长者助餐", "A-1", "", 12, None, "1 + 1"])
def test_ordinary_cells_are_left_alone(value):
    assert safe_cell(value) == value


def test_phone_numbers_are_ascii_digits_after_normalisation():
    assert normalize_phone("１３８ ００１３ ８０００") == "13800138000"
    assert normalize_phone("０７６０－８８８８８８８８") == "0760-88888888"


def test_a_query_parameter_with_a_control_character_is_ignored(client):
    resp = client.get("/calls/?q=%E5%85%BB%E8%80%81%00&page=%00")
    assert resp.status_code == 200


def test_a_10000_character_query_is_the_sites_own_414(client):
    resp = client.get("/?q=" + "养" * 10_000)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 414
    assert "网址过长" in body and "URI Too Long" not in body
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]


def test_405_is_the_sites_own_page(client):
    resp = client.put("/")
    assert resp.status_code == 405
    assert "请求方式不允许" in resp.get_data(as_text=True)


def _production(make_app):
    return make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)


def test_a_failed_write_is_the_sites_500_page_with_headers_and_no_query(make_app, monkeypatch):
    app = _production(make_app)
    user = UserFactory()
    db.session.commit()

    @app.route("/_boom", methods=["POST"])
    def boom():
        db.session.add(StoredFile(storage_key="k", original_name="x", extension="pdf", content_type="x",
                                  size=1, sha256="0" * 64))
        db.session.add(StoredFile(storage_key="k", original_name="y", extension="pdf", content_type="x",
                                  size=1, sha256="0" * 64))
        db.session.commit()  # unique storage_key: IntegrityError

    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    statements = []
    with app.app_context():
        engine = db.engine
    def record(*args):
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", record)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        resp = client.post("/_boom")
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 500
    assert "系统繁忙" in body and "Internal Server Error" not in body
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    inserts = [i for i, s in enumerate(statements) if s.lstrip().upper().startswith("INSERT")]
    assert inserts, "the write was tried"
    after = statements[inserts[-1] + 1:]
    assert not [s for s in after if s.lstrip().upper().startswith("SELECT")], after


def test_database_down_is_the_sites_500_page(make_app):
    app = _production(make_app)
    app.config["SQLALCHEMY_ENGINES"] = None
    with app.app_context():
        db.engine.dispose()
        real_connect = db.engine.pool._creator

        def refuse():
            raise OSError("database is down")

        db.engine.pool._creator = refuse
    try:
        resp = app.test_client().get("/calls/")
        assert resp.status_code == 500
        assert "系统繁忙" in resp.get_data(as_text=True)
        assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    finally:
        with app.app_context():
            db.engine.pool._creator = real_connect


def test_upload_bytes_are_removed_when_the_transaction_rolls_back(app):
    user = UserFactory()
    db.session.commit()
    record = store_upload(Upload(PNG, "现场.png"), user, allowed=("png",))
    path = get_storage()._path(record.storage_key)
    assert path.exists()
    db.session.rollback()
    assert not path.exists()


def test_upload_bytes_stay_after_commit_and_go_when_the_file_is_replaced(app):
    user = UserFactory()
    record = store_upload(Upload(PNG, "旧.png"), user, allowed=("png",))
    db.session.commit()
    path = get_storage()._path(record.storage_key)
    assert path.exists()
    discard(record)
    db.session.rollback()  # the replacement did not happen: the old file stays
    assert path.exists()
    discard(db.session.get(StoredFile, record.id))
    db.session.commit()
    assert not path.exists()
    assert db.session.get(StoredFile, record.id) is None


@pytest.mark.parametrize("text,expected", [("42", 42), ("0042", 42), ("0", None), ("", None), (None, None),
                                           ("²", None), ("４２", None), ("-1", None), (" 42", None),
                                           (str(2**31 - 1), 2**31 - 1), (str(2**31), None), ("9" * 30, None)])
def test_an_id_from_a_form_is_ascii_digits_within_the_integer_column(text, expected):
    assert as_id(text) == expected
