"""Reads from a replica (core/replica.py): anonymous GETs of the public pages read the replica engine and never the
primary; signed-in pages and every write use the primary. Here the "replica" is the test database itself opened
read-only (SQLite ``mode=ro``; PostgreSQL ``default_transaction_read_only``), with every statement counted per
engine; tests/core/test_streaming_replica.py does it with a real PostgreSQL streaming standby."""
import contextlib
import socket

import pytest
import sqlalchemy as sa

from grantportal.core import doctor, replica
from grantportal.core.db import db
from grantportal.public_reads import PUBLIC_READS
from tests import factories as f
from tests.opendata.conftest import world, world_snapshot  # noqa: F401  (the fixtures: a call with results, a project in force)


def _read_only_url(db_url):
    if db_url.startswith("sqlite:///"):
        return f"sqlite:///file:{db_url[len('sqlite:///'):]}?mode=ro&uri=true"
    return f"{db_url}?application_name=gp_replica"  # another URL: tests share engines per URL (conftest)


@pytest.fixture
def app_config(app_config, db_url):
    # every page read from the database on each request (no page kept: core/pagecache.py), to see which one it reads
    return {**app_config, "REPLICA_DATABASE_URL": _read_only_url(db_url), "PAGE_CACHE_SECONDS": 0}


@pytest.fixture
def statements(app):
    """{"primary": n, "replica": n}: statements each engine ran while counting (``with statements.counting():``)."""

    class Counter(dict):
        active = False

        @contextlib.contextmanager
        def counting(self):
            self.clear()
            self.update(primary=0, replica=0)
            self.active = True
            try:
                yield self
            finally:
                self.active = False

    counter = Counter()
    listeners = []
    for name, engine in (("primary", db.engines[None]), ("replica", db.engines[replica.BIND])):
        def count(*args, name=name):
            if counter.active:
                counter[name] += 1
        sa.event.listen(engine, "before_cursor_execute", count)
        listeners.append((engine, count))
    yield counter
    for engine, count in listeners:
        sa.event.remove(engine, "before_cursor_execute", count)
    db.engines[replica.BIND].dispose()


STATIC = {"/help", "/robots.txt", "/verify"}  # pages that read no table


def _public_pages(w):
    call, contract, org = w.call.id, w.contract.id, w.awards[0].application.org_id
    return ["/", "/results", "/help", "/search?q=养老", "/statistics", "/calls/", f"/calls/{call}",
            f"/calls/{call}/results", f"/calls/{call}/results/scores", f"/calls/{call}/results/draw", "/orgs/",
            "/orgs/?q=社区", f"/orgs/{org}", "/projects/", f"/calls/{call}/projects", f"/projects/{contract}", "/data/",
            "/data/awards.json", "/data/awards.csv", "/data/awards.xlsx", "/data/awards-360giving.csv",
            f"/data/calls/{call}/ocds.json", f"/data/projects/{contract}/ocds-record.json", "/feeds/updates.atom",
            "/sitemap.xml", "/sitemaps/pages.xml", "/robots.txt", "/verify"]


def test_anonymous_visitors_read_the_public_site_from_the_replica_alone(client, world, statements):  # noqa: F811
    client.get("/statistics")  # computed once, as the first visitor after a change would (a job, on the primary)
    client.get("/data/awards.xlsx")  # built once by the job its first download queues (on the primary)
    for path in _public_pages(world):
        with statements.counting():
            resp = client.get(path)
            b"".join(resp.response)  # streamed downloads read while they are sent
        assert resp.status_code == 200, path
        assert statements["primary"] == 0, (path, dict(statements))
        assert statements["replica"] > 0 or path in STATIC, (path, dict(statements))


def test_signed_in_pages_and_writes_use_the_primary(client, auth, world, statements):  # noqa: F811
    auth.login(world.officer)
    for path in ("/", f"/orgs/{world.awards[0].application.org_id}", "/manage/"):
        with statements.counting():
            assert client.get(path).status_code == 200
        assert statements["replica"] == 0 and statements["primary"] > 0, (path, dict(statements))
    auth.logout()
    user = f.UserFactory()
    with statements.counting():  # a POST (signing in) from an anonymous visitor: the primary
        auth.login(user)
    assert statements["replica"] == 0 and statements["primary"] > 0


def test_a_request_that_writes_reads_the_primary_from_then_on(app, statements):
    with app.test_request_context("/"):
        session = db.session()
        session.info[replica.READS] = True
        with statements.counting():
            session.scalar(sa.select(sa.func.count()).select_from(sa.table("user")))
            assert replica.reads_replica(db) and statements["replica"] == 1
            db.session.execute(sa.select(sa.literal(1)).with_for_update())  # a lock: the primary
            assert not replica.reads_replica(db)
            session.scalar(sa.select(sa.literal(1)))
        assert statements == {"primary": 2, "replica": 1}
        db.session.rollback()


def test_every_public_read_is_a_get_route_anonymous_visitors_may_open(app):
    from tests.permissions.test_matrix import ROWS  # noqa: PLC0415 (the matrix, built from every domain's rows)

    endpoints = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for name in PUBLIC_READS:
        assert name in endpoints and "GET" in endpoints[name].methods, name
        rows = [row for row in ROWS if row.endpoint == name and row.method == "GET"]
        assert rows and any(row.expect["anonymous"].status == 200 for row in rows), name  # public, not a login


def test_the_doctor_says_when_the_replica_is_not_a_reachable_read_only_standby(app, make_app, db_url):
    found, line = doctor.replica_findings(make_app(REPLICA_DATABASE_URL=None))
    assert found == [] and line is None  # no replica: nothing to say
    if db_url.startswith("sqlite"):
        [finding], _ = doctor.replica_findings(app)
        assert finding.blocking and "不是 PostgreSQL" in finding.problem
        return
    [finding], _ = doctor.replica_findings(app)  # the primary itself, opened read-only: not a standby
    assert finding.blocking and "不是流复制备库" in finding.problem
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    down = make_app(REPLICA_DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{port}/gp?connect_timeout=2")
    [finding], _ = doctor.replica_findings(down)
    assert finding.blocking and "无法连接" in finding.problem and str(port) not in finding.problem
    resp = down.test_client().get("/readyz")
    assert resp.status_code == 503 and not resp.get_json()["checks"]["replica"]["ok"]
