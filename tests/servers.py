"""Servers a test starts for itself, in a temporary folder on free ports, so the machine's own PostgreSQL (5432) and
Redis (6379) are never touched: PostgreSQL clusters from the server binaries (``initdb``, ``pg_ctl``; as the
``postgres`` user when run as root, since initdb refuses root) and ``redis-server``. Each helper skips the test,
saying why, where the binaries are missing. Used by the streaming-replica test, the two-server test and the fault
drills."""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process=None, seconds=10, what="server"):
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert process is None or process.poll() is None, f"{what} exited"
            assert time.monotonic() < deadline, f"{what} did not start"
            time.sleep(0.05)


def pg_binaries(tools=("pg_ctl", "postgres")):
    """The newest PostgreSQL server binaries folder, or skip."""
    found = sorted((p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")
                    if all((p.parent / tool).exists() for tool in tools)),
                   key=lambda p: int(p.parts[-2]))
    if not found:
        pytest.skip("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return found[-1]


def as_server_user():
    """The command prefix that runs the server's tools as a non-root user, and that user's passwd entry."""
    if os.geteuid() != 0:
        return [], None
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and no 'postgres' user to run initdb as")
    if not shutil.which("runuser"):
        pytest.skip("running as root and no runuser to run initdb as the 'postgres' user")
    return ["runuser", "-u", "postgres", "--"], entry


class PgClusters:
    """PostgreSQL clusters (data folders) under one temporary folder, each on its own free port, trust
    authentication on the loopback."""

    def __init__(self, names, tools=("pg_ctl", "postgres"), prefix="gp-pg-"):
        self.bin, (self.prefix, user) = pg_binaries(tools), as_server_user()
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        if user is not None:
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        self.ports = {name: free_port() for name in names}
        self.running = []

    def run(self, tool, *args):
        done = subprocess.run([*self.prefix, str(self.bin / tool), *args], capture_output=True, text=True,  # noqa: S603
                              timeout=120)
        assert done.returncode == 0, f"{tool}: {done.stderr[-2000:]}"

    def initdb(self, name):
        self.run("initdb", "-D", str(self.dir / name), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--locale=C", "--no-sync")  # trust on the loopback, replication connections included

    def _options(self, name):
        return (f"-p {self.ports[name]} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c full_page_writes=off -c max_connections=40")

    def start(self, name):
        self.run("pg_ctl", "-D", str(self.dir / name), "-l", str(self.dir / f"{name}.log"), "-o", self._options(name),
                 "-w", "start")
        self.running.append(name)

    def restart(self, name, mode="fast"):
        """``pg_ctl restart -m fast``: every connection is cut, the server comes back on the same port."""
        self.run("pg_ctl", "-D", str(self.dir / name), "-l", str(self.dir / f"{name}.log"), "-o", self._options(name),
                 "-m", mode, "-w", "restart")

    def stop(self, name, mode="fast"):
        self.run("pg_ctl", "-D", str(self.dir / name), "-m", mode, "-w", "stop")
        self.running.remove(name)

    def url(self, name, database="gp"):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.ports[name]}/{database}"

    def teardown(self):
        for name in list(self.running):
            self.stop(name, "immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """A ``redis-server`` of the test's own on a free port, no persistence; ``stop`` and ``start`` again on the
    same port (a Redis outage and its return)."""

    def __init__(self, folder):
        self.server = shutil.which("redis-server")
        if not self.server:
            pytest.skip("redis-server not installed here (apt-get install redis-server)")
        self.folder, self.port, self.process = folder, free_port(), None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen([self.server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",  # noqa: S603
                                         "--appendonly", "no", "--dir", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.process, what="redis-server")
        return self

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None
