import io

from tests.factories import UserFactory


def test_security_headers_on_every_response(client):
    for path in ("/", "/login", "/no-such-page", "/static/css/site.css"):
        resp = client.get(path)
        resp.close()
        assert "default-src 'self'" in resp.headers["Content-Security-Policy"], path
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["Referrer-Policy"] == "same-origin"


def test_unknown_page_is_a_chinese_404_without_internals(client):
    resp = client.get("/no-such-page")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 404
    assert "页面不存在" in body and "Traceback" not in body and "Not Found" not in body


def test_oversize_upload_is_a_chinese_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    resp = client.post("/login", data={"username": "x", "password": "y",
                                       "f": (io.BytesIO(b"x" * 4096), "big.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 413
    assert "文件过大" in resp.get_data(as_text=True)


def test_session_cookie_flags(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    user = UserFactory(officer=True)
    resp = client.post("/login", data={"username": user.username, "password": "Test-password-2026"})
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_production_defaults_use_secure_cookies_and_a_generated_key(tmp_path, monkeypatch):
    from grantportal.config import default_config

    monkeypatch.delenv("GRANTPORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("GRANTPORTAL_SECURE_COOKIES", raising=False)
    first = default_config(tmp_path)
    second = default_config(tmp_path)
    assert first["SESSION_COOKIE_SECURE"] is True
    assert len(first["SECRET_KEY"]) == 64 and first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_given_secret_key_is_used_and_no_key_file_is_written(tmp_path, monkeypatch):
    from grantportal.config import default_config

    monkeypatch.delenv("GRANTPORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert default_config(tmp_path, {"SECRET_KEY": "given-key"})["SECRET_KEY"] == "given-key"
    assert not (tmp_path / "secret_key").exists()


def test_database_url_selects_postgresql(tmp_path, monkeypatch):
    from grantportal.config import default_config

    monkeypatch.setenv("DATABASE_URL", "postgresql://gp@db.internal/grantportal")
    assert default_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://gp@db.internal/grantportal"
    monkeypatch.delenv("DATABASE_URL")
    assert default_config(tmp_path)["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_document_settings_come_from_the_environment(tmp_path, monkeypatch):
    from grantportal.config import default_config

    monkeypatch.setenv("GRANTPORTAL_BUREAU_USCC", "11442000007654321X")
    monkeypatch.setenv("GRANTPORTAL_BUREAU_LEGAL_REP", "王建国")
    monkeypatch.setenv("GRANTPORTAL_PUBLIC_BASE_URL", "https://gycx.example.gov.cn")
    config = default_config(tmp_path)
    assert (config["BUREAU_USCC"], config["BUREAU_LEGAL_REP"], config["PUBLIC_BASE_URL"]) == (
        "11442000007654321X", "王建国", "https://gycx.example.gov.cn")


def test_test_client_follows_redirects(client, auth):
    """The harness itself: a followed redirect runs like any other request."""
    auth.login(UserFactory(officer=True))
    resp = client.post("/logout", follow_redirects=True)
    assert resp.status_code == 200 and "您已安全退出" in resp.get_data(as_text=True)
