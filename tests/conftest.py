"""Test set-up. The suite runs on SQLite by default and on PostgreSQL when
GRANTPORTAL_TEST_DATABASE_URL is set (bin/test does both). The schema is always built by the
migrations, never by ``create_all``."""
import contextvars
import functools
import gc
import os
import shutil
import sqlite3
import threading

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy import SQLAlchemy
from werkzeug.serving import make_server

from grantportal import create_app
from grantportal.core.db import db
from tests import factories, speedups  # noqa: F401  (speedups: imported for its effect)

PG_URL = os.environ.get("GRANTPORTAL_TEST_DATABASE_URL")


@sa.event.listens_for(sa.engine.Engine, "connect")
def _commit_without_waiting_for_the_disk(dbapi_connection, connection_record):
    """Test databases are thrown away, so a commit need not wait for the disk: SQLite ``synchronous = OFF``,
    PostgreSQL ``synchronous_commit = off`` (per connection; the server's setting is left alone). What every
    other connection sees after a commit is unchanged; only a crash of the machine could lose the last
    commits. Measured: the permission matrix's world (47 commits) took 0.45 s on SQLite, now 0.17 s."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")
        return
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute("SET synchronous_commit TO off")
    dbapi_connection.autocommit = autocommit


def _migrate(app):
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    release(app)


_engines = {}


def _engine_options(url):
    """Every app of a test worker on one PostgreSQL database uses one engine, and so one pool of connections, kept
    for the whole session. Each test builds its own app; with an engine of its own, each test opened a new
    connection, and a new PostgreSQL backend reads every table's catalog entries afresh on its first queries:
    ~0.25 s of a test that writes one row, most of the PostgreSQL pass's extra time over SQLite's. The pool's
    connections are reset (rolled back) when returned, as in production; apps leave the shared engine open
    (``release``). SQLite gets a new file per test, so an engine of its own."""
    if not url.startswith("postgresql"):
        return {}
    # threads of the race tests (tests/race.py), several apps at once: room for all of them
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 40,
                                          "gp_shared": True}}


_make_engine = SQLAlchemy._make_engine


def _shared_engine(self, bind_key, options, app):
    """The engine of ``options``, made once for every app that asks for a shared one (``_engine_options``)."""
    if not options.pop("gp_shared", False):
        return _make_engine(self, bind_key, options, app)
    url = str(options["url"])
    if url not in _engines:
        _engines[url] = _make_engine(self, bind_key, options, app)
    return _engines[url]


SQLAlchemy._make_engine = _shared_engine


def release(app):
    """Close ``app``'s connections: a SQLite file's handles, a read replica's (core/replica.py); on PostgreSQL the
    database's go back to the shared pool, open."""
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            if engine not in _engines.values():
                engine.dispose()


def _base_config(tmp_path, url):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(tmp_path),
        "SQLALCHEMY_DATABASE_URI": url,
        **_engine_options(url),
        "STORAGE_DIR": str(tmp_path / "files"),
        "SESSION_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "TOTP_REQUIRED_ROLES": (),  # tests/accounts/test_totp.py switches it on
        "SERVER_NAME": None,
        # the public address documents print (their QR codes): issuing is refused without it. The test client's
        # own address, so links built from it are followed as before; live_server sets its own address
        "PUBLIC_BASE_URL": "http://localhost",
        # the bureau's identity: without it no document is issued (documents/render.py bureau_identity_problem)
        "BUREAU_NAME": "中山市民政局", "BUREAU_USCC": "11442000007252497B", "BUREAU_LEGAL_REP": "陈志明",
        # jobs run right after the commit that queued them, in the test's thread (deterministic): publishing results
        # queues their public checks (awards/proposals/checks.py); tests/core/test_jobs.py tries the thread runner
        "JOBS_SYNC": True,
        # public pages kept for anonymous visitors (core/pagecache.py) as production keeps them, in this process:
        # every test that changes data and then opens a public page checks that the change is seen at once
        "PAGE_CACHE_SECONDS": 60,
    }


def _worker_database_url(worker_id):
    """Each xdist worker (gw0, gw1, ...) gets its own PostgreSQL database, named after the one in
    GRANTPORTAL_TEST_DATABASE_URL with the worker id appended; a run without workers uses that name."""
    url = sa.engine.make_url(PG_URL)
    if worker_id != "master":
        url = url.set(database=f"{url.database}_{worker_id}")
    return url


@pytest.fixture(scope="session")
def database(tmp_path_factory, worker_id):
    """A migrated database for this worker: a template SQLite file copied per test (tmp_path_factory's base
    directory is already per worker), or one PostgreSQL database, dropped at the end of the session."""
    base = tmp_path_factory.mktemp("db")
    if PG_URL:
        url = _worker_database_url(worker_id)
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
        text_url = url.render_as_string(hide_password=False)
        _migrate(create_app(_base_config(base, text_url)))
        yield {"kind": "postgresql", "url": text_url}
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()
        return
    template = base / "template.db"
    _migrate(create_app(_base_config(base, f"sqlite:///{template}")))
    yield {"kind": "sqlite", "template": template}


@functools.cache
def _emptying_probe():
    """The tables in foreign-key order, and one statement naming those that have rows (built once: building it
    took ~40 ms)."""
    tables = db.metadata.sorted_tables
    return tables, sa.union_all(*(sa.select(sa.literal(i)).where(sa.exists().select_from(table))
                                  for i, table in enumerate(tables)))


def _empty_postgresql(app):
    """Leave the worker's PostgreSQL database as the migrations made it, as ``TRUNCATE <every table> RESTART
    IDENTITY`` would, but only where the test wrote: DELETE the tables that have rows and restart the
    sequences that were used. (TRUNCATE of all 46 tables took ~0.35 s after every test even when they were
    empty; this takes a few milliseconds.) ``session_replication_role = replica`` switches off the foreign
    key checks and the append-only trigger on audit_entry for this transaction only."""
    with app.app_context():
        tables, probe = _emptying_probe()
        with db.engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for i in conn.scalars(probe).all():
                conn.execute(tables[i].delete())
            used = conn.scalars(sa.text("SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences "
                                        "WHERE last_value IS NOT NULL")).all()
            for sequence in used:
                conn.execute(sa.text("SELECT setval(CAST(:seq AS regclass), 1, false)"), {"seq": sequence})


class RequestEndClient(FlaskClient):
    """Each request runs as in production: in its own app context and database session, so it
    sees only what the test committed, and the test sees only what the request committed."""

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect followed inside the request's own context
            return super().open(*args, **kwargs)
        db.session.rollback()  # end the test's transaction: no stale snapshot, no lock held
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            db.session.expire_all()


@pytest.fixture
def db_url(database, tmp_path):
    if database["kind"] == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(database["template"], path)
        return f"sqlite:///{path}"
    return database["url"]


@pytest.fixture(scope="session")
def signing_files(tmp_path_factory):
    """The test CA and bureau certificate (core/signing.py), made once per worker: every test app signs the PDFs
    it renders, as production does."""
    from grantportal.core.signing import make_test_ca

    return make_test_ca(tmp_path_factory.mktemp("signing"), "市民政局")


@pytest.fixture
def app_config(tmp_path, db_url, signing_files):
    return {**_base_config(tmp_path, db_url), **signing_files}


@pytest.fixture
def app(app_config, database):
    app = create_app(app_config)
    app.test_client_class = RequestEndClient
    with app.app_context():
        yield app
        db.session.remove()
    if database["kind"] == "postgresql":
        _empty_postgresql(app)
    release(app)


@pytest.fixture
def make_app(app_config):
    """Another app on the same test database with some settings changed; its connections are closed
    at the end of the test."""
    made = []

    def make(**overrides):
        other = create_app({**app_config, **overrides})
        made.append(other)
        return other

    yield make
    for other in made:
        release(other)


@pytest.fixture
def client(app):
    return app.test_client()


class Auth:
    """Sign a user in the way the site does (a new server-side session)."""

    def __init__(self, client):
        self.client = client

    def login(self, user, password=factories.PASSWORD):
        resp = self.client.post("/login", data={"username": user.username, "password": password})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return resp

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def officer():
    """A project officer (项目官员), not signed in."""
    return factories.UserFactory(officer=True, name="黄主任")


@pytest.fixture
def signed_in_officer(officer, auth):
    """The project officer, signed in on ``client`` through the login form."""
    auth.login(officer)
    return officer


@pytest.fixture
def is_postgres(database):
    return database["kind"] == "postgresql"


@pytest.fixture(autouse=True)
def _app_for_every_test(request):
    """Every test runs inside an app with a fresh migrated database, unless marked ``nodb``."""
    if request.node.get_closest_marker("nodb") is None:
        request.getfixturevalue("app")


# Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, installed by bin/install)
# against the app served from a thread on 127.0.0.1.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = address  # as bin/demo does: the address the site is served on
    try:
        yield address
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    context.close()


def pytest_collection_finish(session):
    """Every module, test and factory is imported by now and lives as long as the worker: ``gc.freeze()`` moves
    those objects out of the collector's sight, so that each full collection (after every PDF, core/pdf.py, and
    Python's own) walks only what the tests make. A full collection had taken ~0.27 s in a worker: 8 s of the
    demo's 29 documents."""
    gc.freeze()
