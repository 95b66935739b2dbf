"""The public site served from a real PostgreSQL streaming replica (core/replica.py; issue 15).

The test builds its own pair from the PostgreSQL binaries (``initdb``, ``pg_ctl``, ``pg_basebackup -R``) in a
temporary folder on free ports, trust authentication on the loopback, as the ``postgres`` user when run as root
(initdb refuses root), so the machine's own server is never touched. The app gets the primary as its database
and the standby as ``REPLICA_DATABASE_URL``; the migrations and the data are written to the primary and reach
the standby by streaming replication. Then:

- with replay paused on the standby and an organization renamed on the primary, an anonymous visitor still sees
  the old name (the replica) while a signed-in officer sees the new one (the primary), and the officer's sign-in
  (a write: a ``user_session`` row) is on the primary and not yet on the standby;
- replay resumed, the visitor sees the new name;
- with the primary stopped, the public organization page and the open-data download still serve (from the
  standby alone) while a signed-in page cannot.

Runs in the PostgreSQL pass (``GRANTPORTAL_TEST_DATABASE_URL`` set); skipped, saying why, where the binaries or a
non-root user to run them are missing. About 15 s, most of it the migrations.
"""
import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from grantportal import create_app
from grantportal.accounts.models import UserSession
from grantportal.core import doctor, replica
from grantportal.core.db import db
from tests import factories as f
from tests.conftest import PG_URL, RequestEndClient, _base_config, _migrate
from tests.servers import PgClusters

pytestmark = pytest.mark.skipif(not PG_URL, reason="a streaming replica is PostgreSQL's: runs in the PostgreSQL "
                                                   "pass (GRANTPORTAL_TEST_DATABASE_URL set)")


class Pair(PgClusters):
    """A primary and its streaming standby in a temporary folder (tests/servers.py)."""

    def __init__(self):
        super().__init__(("primary", "standby"), tools=("pg_ctl", "postgres", "pg_basebackup"), prefix="gp-replica-")

    def build(self):
        self.initdb("primary")
        self.start("primary")
        self.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U", "postgres", "-D",
                 str(self.dir / "standby"), "-R", "-X", "stream", "--no-sync")  # -R: standby.signal, primary_conninfo
        self.start("standby")


@pytest.fixture
def pair():
    made = Pair()
    try:
        made.build()
        yield made
    finally:
        made.teardown()


def _caught_up(primary, standby, seconds=30):
    """Wait until the standby has replayed everything the primary has written so far."""
    with primary.connect() as conn:
        lsn = conn.scalar(sa.text("SELECT pg_current_wal_insert_lsn()::text"))
    deadline = time.monotonic() + seconds
    with standby.connect() as conn:
        while not conn.scalar(sa.text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"), {"lsn": lsn}):
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.05)
            conn.rollback()


def test_the_public_site_is_served_from_a_streaming_replica(pair, tmp_path):
    admin = sa.create_engine(pair.url("primary", "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("CREATE DATABASE gp"))
    config = _base_config(tmp_path, pair.url("primary"))
    config.pop("SQLALCHEMY_ENGINE_OPTIONS", None)  # engines of its own, not the test worker's shared ones
    config["REPLICA_DATABASE_URL"] = pair.url("standby")
    app = create_app(config)
    app.test_client_class = RequestEndClient  # each request in its own app context and session, as served
    _migrate(app)
    standby_admin = sa.create_engine(pair.url("standby", "postgres"), isolation_level="AUTOCOMMIT")
    try:
        with app.app_context():
            primary, standby = db.engines[None], db.engines[replica.BIND]
            made = f.OrganizationFactory(name="中山市长者关爱服务中心")
            officer = f.UserFactory(officer=True)
            org, officer = SimpleNamespace(id=made.id), SimpleNamespace(id=officer.id, username=officer.username)
            _caught_up(primary, standby)
            visitor, staff = app.test_client(), app.test_client()
            page = visitor.get(f"/orgs/{org.id}").get_data(as_text=True)
            assert "中山市长者关爱服务中心" in page

            # replay paused: the primary moves on, the standby stays where it was
            with standby_admin.connect() as conn:
                conn.execute(sa.text("SELECT pg_wal_replay_pause()"))
            with primary.begin() as conn:
                conn.execute(sa.text("UPDATE organization SET name = '中山市颐康社会工作服务中心' WHERE id = :id"),
                             {"id": org.id})
            page = visitor.get(f"/orgs/{org.id}").get_data(as_text=True)
            assert "中山市长者关爱服务中心" in page and "颐康" not in page  # the visitor reads the standby
            resp = staff.post("/login", data={"username": officer.username, "password": f.PASSWORD})
            assert resp.status_code == 302
            page = staff.get(f"/orgs/{org.id}").get_data(as_text=True)
            assert "中山市颐康社会工作服务中心" in page  # the signed-in officer reads the primary
            sessions = sa.select(sa.func.count()).select_from(UserSession).where(UserSession.user_id == officer.id)
            with primary.connect() as conn:
                assert conn.scalar(sessions) == 1  # the sign-in was written to the primary ...
            with standby.connect() as conn:
                assert conn.scalar(sessions) == 0  # ... and has not reached the paused standby

            with standby_admin.connect() as conn:
                conn.execute(sa.text("SELECT pg_wal_replay_resume()"))
            _caught_up(primary, standby)
            assert "中山市颐康社会工作服务中心" in visitor.get(f"/orgs/{org.id}").get_data(as_text=True)

            # flask doctor and /readyz see a reachable, read-only standby
            found, line = doctor.replica_findings(app)
            assert found == [] and "只读的流复制备库" in line
            assert visitor.get("/readyz").get_json()["checks"]["replica"]["ok"]

            # the primary stopped: the public pages still serve from the standby alone
            primary.dispose()
            pair.stop("primary")
            assert "中山市颐康社会工作服务中心" in visitor.get(f"/orgs/{org.id}").get_data(as_text=True)
            assert visitor.get("/orgs/").status_code == 200
            assert visitor.get("/data/awards.csv").status_code == 200
            with pytest.raises(sa.exc.OperationalError):
                staff.get("/manage/")  # a signed-in page reads the primary
            db.session.remove()
    finally:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
        admin.dispose()
        standby_admin.dispose()
