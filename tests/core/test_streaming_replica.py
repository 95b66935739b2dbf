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
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from grantportal import create_app
from grantportal.accounts.models import UserSession
from grantportal.core import doctor, replica
from grantportal.core.db import db
from tests import factories as f
from tests.conftest import PG_URL, RequestEndClient, _base_config, _migrate

pytestmark = pytest.mark.skipif(not PG_URL, reason="a streaming replica is PostgreSQL's: runs in the PostgreSQL "
                                                   "pass (GRANTPORTAL_TEST_DATABASE_URL set)")


def _binaries():
    found = sorted((p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")
                    if all((p.parent / tool).exists() for tool in ("pg_ctl", "postgres", "pg_basebackup"))),
                   key=lambda p: int(p.parts[-2]))
    if not found:
        pytest.skip("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return found[-1]


def _as_server_user():
    """The command prefix that runs the server's tools as a non-root user, and that user's uid/gid."""
    if os.geteuid() != 0:
        return [], None
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and no 'postgres' user to run initdb as")
    if not shutil.which("runuser"):
        pytest.skip("running as root and no runuser to run initdb as the 'postgres' user")
    return ["runuser", "-u", "postgres", "--"], entry


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Pair:
    """A primary and its streaming standby in a temporary folder."""

    def __init__(self):
        self.bin, (self.prefix, user) = _binaries(), _as_server_user()
        self.dir = Path(tempfile.mkdtemp(prefix="gp-replica-"))
        if user is not None:
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        self.ports = {"primary": _free_port(), "standby": _free_port()}
        self.running = []

    def run(self, tool, *args):
        done = subprocess.run([*self.prefix, str(self.bin / tool), *args], capture_output=True, text=True,  # noqa: S603
                              timeout=120)
        assert done.returncode == 0, f"{tool}: {done.stderr[-2000:]}"

    def start(self, name):
        options = (f"-p {self.ports[name]} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off -c max_connections=40")
        self.run("pg_ctl", "-D", str(self.dir / name), "-l", str(self.dir / f"{name}.log"), "-o", options, "-w",
                 "start")
        self.running.append(name)

    def stop(self, name, mode="fast"):
        self.run("pg_ctl", "-D", str(self.dir / name), "-m", mode, "-w", "stop")
        self.running.remove(name)

    def url(self, name, database="gp"):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.ports[name]}/{database}"

    def build(self):
        self.run("initdb", "-D", str(self.dir / "primary"), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--locale=C", "--no-sync")  # trust on the loopback, replication connections included
        self.start("primary")
        self.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U", "postgres", "-D",
                 str(self.dir / "standby"), "-R", "-X", "stream", "--no-sync")  # -R: standby.signal, primary_conninfo
        self.start("standby")

    def teardown(self):
        for name in list(self.running):
            self.stop(name, "immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


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
