"""Reads from a PostgreSQL streaming replica (DESIGN.md §8 "replicas for the public site"; issue 15).

With ``GRANTPORTAL_REPLICA_DATABASE_URL`` set (the setting ``REPLICA_DATABASE_URL``), the app has a second,
read-only engine: the Flask-SQLAlchemy bind ``replica`` (every transaction on it is ``READ ONLY``, whatever
server it points to, so a misrouted write fails instead of landing on the wrong database). Which requests read
from it is decided once, when the request starts (``_choose``):

- an **anonymous GET or HEAD of a public page** — one of the endpoints the app names (``grantportal/public_reads.py``:
  the home page and 公示 pages, calls' public pages and their files, the organizations' directory and records, the
  public project pages, statistics, site search, open-data downloads, the Atom feed, sitemaps, document
  verification) — reads from the replica;
- **everything else reads the primary**: every POST, every request of a signed-in user (Flask-Login's ``_user_id``
  is in the session cookie: officers, organizations, experts and citizens see their own writes at once, on
  public pages too), every page not named, the CLI, jobs and the scheduler.

Inside a request that reads the replica (``RoutingSession.get_bind``), only plain ORM/Core ``SELECT`` statements
go there. A flush, an INSERT/UPDATE/DELETE, a ``SELECT … FOR UPDATE`` (``lock_row``), raw SQL text and
``session.connection()`` go to the primary, and once the request has written anything (a public page that
queues a recomputation, say) every later read of the request does too, so it reads its own writes. A visitor
therefore sees the public site as of the replica's replay point — normally milliseconds behind; a signed-in
officer who has just published results sees them at once, and an anonymous visitor a moment later.

Without the setting there is one engine and nothing changes (the embedded SQLite default, tests). If the
replica is down, its pages fail like pages on a down primary: ``/readyz`` reports it (``replica``) so the load
balancer stops sending traffic, and ``flask doctor`` says whether it is reachable and read-only (a streaming
standby, ``pg_is_in_recovery()``). Replication itself (``pg_basebackup -R``, ``primary_conninfo``) is the
database server's business: docs/scaling.md.
"""
import sqlalchemy as sa
from flask import current_app, request, session
from flask_sqlalchemy.session import Session as FlaskSession

BIND = "replica"
READS = "gp_replica_reads"  # session.info: this request's plain reads go to the replica
WROTE = "gp_replica_wrote"  # session.info: this request has written to the primary: read it from now on


class RoutingSession(FlaskSession):
    """``db.session``: chooses the replica for a plain read when the request reads the replica (module docstring),
    the primary otherwise."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kw):
        info = self.info
        if bind is None and info.get(READS) and not info.get(WROTE):
            if not self._flushing and isinstance(clause, sa.sql.Select) and clause._for_update_arg is None:
                return self._db.engines[BIND]
            info[WROTE] = True  # a write, a lock, raw SQL, a connection asked for: the primary from now on
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kw)


def engine_options(url):
    """The replica bind's engine options (SQLALCHEMY_BINDS): like the primary's, read-only on the server side."""
    options = {"url": url, "pool_pre_ping": True, "hide_parameters": True}
    if url.startswith("postgresql"):
        options["connect_args"] = {"options": "-c default_transaction_read_only=on"}
    return options


def init_app(app, endpoints, db):
    """Route the anonymous GETs of ``endpoints`` to the replica, when one is configured."""
    if not app.config.get("REPLICA_DATABASE_URL"):
        return
    endpoints = frozenset(endpoints)

    @app.before_request
    def _choose():
        if (request.method in ("GET", "HEAD") and request.endpoint in endpoints
                and session.get("_user_id") is None):
            choose(db, True)


def choose(db, from_replica):
    """Make this app context's plain reads go to the replica (or not): for work done for a request after it has
    returned, such as a streamed download's later pieces, read from the same database as the request."""
    if from_replica:
        db.session().info[READS] = True


def configured(app=None):
    return bool((app or current_app).config.get("REPLICA_DATABASE_URL"))


def reads_replica(db):
    """Whether this request's plain reads go to the replica (for tests and diagnostics)."""
    info = db.session().info
    return bool(info.get(READS) and not info.get(WROTE))


def status(engine):
    """(reachable, read-only standby, lag in seconds or None, reason) of the replica ``engine``: what ``flask
    doctor`` and ``/readyz`` report. The reason names the failure's kind, never an address or a password."""
    try:
        with engine.connect() as conn:
            if conn.dialect.name != "postgresql":
                return True, False, None, "不是 PostgreSQL"
            standby = conn.scalar(sa.text("SELECT pg_is_in_recovery()"))
            read_only = conn.scalar(sa.text("SHOW transaction_read_only")) == "on"
            lag = conn.scalar(sa.text("SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"))
    except Exception as exc:  # noqa: BLE001 (any failure means unreachable; the kind is reported)
        return False, False, None, f"无法连接（{type(exc).__name__}）"
    return True, bool(standby and read_only), (float(lag) if lag is not None else None), None
