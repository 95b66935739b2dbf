"""Public pages kept as rendered for anonymous visitors until public data changes (issue 12, DESIGN.md §7).

At national scale most requests are the same public pages opened by visitors who are not signed in: a call's
results, its projects, an organization's record, the statistics. Rendering each of them again for every visitor
costs a page's queries and template each time; here the page is kept as it was rendered:

- **what is kept**: a GET of a public page (the endpoints of ``grantportal/public_reads.py``, which the replica
  serves too) by a visitor who is not signed in and has no message waiting, answered 200 with a whole body — never a
  streamed download, a redirect, an error, a response that sets a cookie or one whose request wrote anything — and
  without a free-text search (``q``): searches are as many as visitors can type, each rarely asked twice, and would
  only fill the store. Keyed by the full address (scheme, host, path and query string), so every page and filter is
  its own entry (their values come from fixed lists, and an absurd one is redirected), and a page rendered for a
  forged Host header is only ever served for that header;
- **how long**: until public data changes — every commit whose flush touched a row a public page could show bumps
  the store's *generation*, and a page rendered before is never served again — and at most ``PAGE_CACHE_SECONDS``
  (default 60 s), for what changes by the clock alone (a call's deadline passing). 0 turns the store off;
- **which writes count**: all of them except the tables no public page reads (``PRIVATE_TABLES``: sign-ins,
  sessions, tokens, the inbox, jobs, stored files, the audit chain, SMS codes, experts' reviews), a user's sign-in
  bookkeeping (``PRIVATE_COLUMNS``) and an application that is and was a draft. A bulk UPDATE/DELETE/INSERT through
  the session counts like a flush;
- **where**: in Redis when ``REDIS_URL`` is set — shared by every worker, so a write in one is seen by all at once,
  one round trip per page. Without Redis the store is off unless ``PAGE_CACHE_SECONDS`` is set, and then in this
  process's memory, the ``MAX_ENTRIES`` most recently used pages: right for a single process (the tests, the
  benchmark), not for several, where a write in one would not reach the pages another keeps. If Redis cannot be
  reached the page is rendered as if nothing were kept, and the log says so once a minute.

A page read from a streaming replica (core/replica.py) is not kept: the replica may not yet have replayed the
write that moved the generation on, and the page would be kept, stale, under the new one. With a replica the
anonymous public pages are therefore served from the replica and rendered each time (a generation kept in the
database, read from the replica with the data, would let them be kept too: not done yet).

Signed-in users (officers, organizations, experts, citizens) never get a kept page: theirs carry their name and
their own links, and they see their own writes at once. A kept page answers with ``X-Page-Cache: hit``.
"""
import hashlib
import logging
import threading
import time
from collections import OrderedDict

import sqlalchemy as sa
from flask import Response, current_app, g, has_app_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from grantportal.core import replica

log = logging.getLogger("grantportal")

PRIVATE_TABLES = frozenset({
    "user_session", "login_failure", "account_token", "notice", "job", "stored_file", "scheduled_run",
    "audit_entry", "audit_seal", "audit_archive", "audit_check", "sms_code",
    # experts' work while a round runs: the public sees scores only as published (the proposal and its public
    # checks), and reopening a round to change them goes through the round's own row
    "assignment", "review", "review_score", "review_revision", "round_score_sums",
})
PRIVATE_COLUMNS = {"user": frozenset({"last_login_at", "password_hash", "totp_secret", "totp_enabled_at"})}
CHANGED = "gp_public_changed"  # session.info: this transaction wrote something a public page may show
WROTE = "gp_request_wrote"  # session.info: this request flushed something: its page is not kept
MAX_ENTRIES = 2000
REDIS_QUIET = 60


def _is_private(obj, deleted=False):
    table = getattr(obj, "__tablename__", None)
    if table in PRIVATE_TABLES:
        return True
    state = sa.inspect(obj)
    if table in PRIVATE_COLUMNS and not deleted and not state.pending:
        changed = {a.key for a in state.attrs if a.history.has_changes()}
        return changed <= PRIVATE_COLUMNS[table]
    private_while = getattr(obj, "page_cache_private_while", None)  # (attribute, value), e.g. a draft
    if private_while:
        key, value = private_while
        history = state.attrs[key].history
        return all(v == value for v in (*history.added, *history.unchanged, *history.deleted))
    return False


@event.listens_for(Session, "after_flush")
def _note_flush(session, flush_context):
    session.info[WROTE] = True
    if session.info.get(CHANGED):
        return
    if any(not _is_private(o) for o in (*session.new, *session.dirty)) or any(
            not _is_private(o, deleted=True) for o in session.deleted):
        session.info[CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk(state):
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        state.session.info[WROTE] = True
        if getattr(table, "name", None) not in PRIVATE_TABLES:
            state.session.info[CHANGED] = True


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session):
    if session.in_nested_transaction():
        return
    if session.info.pop(CHANGED, False):
        if has_app_context():  # the CLI and jobs commit with or without an app
            store = current_app.extensions.get("gp_pagecache")
            if store is not None:
                store.bump()


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(CHANGED, None)


class MemoryStore:
    """This process's pages: the ``MAX_ENTRIES`` most recently used, each with its generation and time."""

    def __init__(self, seconds):
        self.seconds, self.generation = seconds, 0
        self.pages = OrderedDict()
        self.lock = threading.Lock()

    def bump(self):
        with self.lock:
            self.generation += 1
            self.pages.clear()

    def get(self, key):
        """(the current generation, the page kept for ``key`` at it or None)."""
        with self.lock:
            entry = self.pages.get(key)
            if entry is None:
                return self.generation, None
            generation, stored_at, page = entry
            if generation != self.generation or time.monotonic() - stored_at > self.seconds:
                del self.pages[key]
                return self.generation, None
            self.pages.move_to_end(key)
            return generation, page

    def put(self, key, generation, page):
        with self.lock:
            if generation != self.generation:
                return  # public data changed while the page was rendered
            self.pages[key] = (generation, time.monotonic(), page)
            self.pages.move_to_end(key)
            while len(self.pages) > MAX_ENTRIES:
                self.pages.popitem(last=False)


class RedisStore:
    """Pages shared by every worker: ``gp:pages:<site>:<SHA-256 of the address>`` holding the generation it was
    rendered at, its type and body, expiring after the store's seconds; read with the generation counter in one
    round trip."""

    def __init__(self, url, seconds, site):
        from redis import Redis  # noqa: PLC0415 (only when Redis is configured)
        from redis.exceptions import RedisError  # noqa: PLC0415

        self.seconds, self.errors = seconds, RedisError
        self.prefix = f"gp:pages:{site}:"  # one site's pages: another database on the same Redis has its own
        self.generation_key = self.prefix + "generation"
        self.redis = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        self.warned_at = None

    def _failed(self, e):
        now = time.monotonic()
        if self.warned_at is None or now - self.warned_at > REDIS_QUIET:
            log.warning("page store unreachable (%s): public pages rendered on every request", type(e).__name__)
        self.warned_at = now

    def _key(self, key):
        return self.prefix + hashlib.sha256(key.encode()).hexdigest()

    def bump(self):
        try:
            self.redis.incr(self.generation_key)
        except self.errors as e:
            self._failed(e)

    def get(self, key):
        """(the current generation — None when Redis cannot be reached —, the page kept at it or None)."""
        try:
            generation, kept = self.redis.mget(self.generation_key, self._key(key))
        except self.errors as e:
            self._failed(e)
            return None, None
        generation = int(generation or 0)
        if kept is None:
            return generation, None
        kept_at, mimetype, body = kept.split(b"\n", 2)
        return generation, ((mimetype.decode(), body) if int(kept_at) == generation else None)

    def put(self, key, generation, page):
        mimetype, body = page
        try:
            self.redis.set(self._key(key), b"%d\n%s\n%s" % (generation, mimetype.encode(), body), ex=self.seconds)
        except self.errors as e:
            self._failed(e)


def _keepable():
    return (request.method == "GET" and request.endpoint in current_app.extensions["gp_pagecache_endpoints"]
            and not request.args.get("q") and not current_user.is_authenticated and "_flashes" not in session)


def init_app(app, endpoints, db):
    """Keep the anonymous GETs of ``endpoints`` (module docstring); nothing when PAGE_CACHE_SECONDS is 0."""
    seconds = app.config.get("PAGE_CACHE_SECONDS", 0)
    if not seconds:
        return
    url = app.config.get("REDIS_URL")
    site = hashlib.sha256(str(app.config["SQLALCHEMY_DATABASE_URI"]).encode()).hexdigest()[:12]
    store = RedisStore(url, seconds, site) if url else MemoryStore(seconds)
    app.extensions["gp_pagecache"] = store
    app.extensions["gp_pagecache_endpoints"] = frozenset(endpoints)

    @app.before_request
    def _serve_kept():
        if not _keepable():
            return None
        key = request.url  # with the scheme and host: a page built with a forged Host header is never another's
        generation, page = store.get(key)
        if page is not None:
            mimetype, body = page
            return Response(body, mimetype=mimetype, headers={"X-Page-Cache": "hit"})
        if generation is not None:
            db.session().info.pop(WROTE, None)
            g.page_cache = (key, generation)
        return None

    @app.after_request
    def _keep(resp):
        kept = g.pop("page_cache", None)
        if (kept is None or resp.status_code != 200 or resp.is_streamed or resp.direct_passthrough
                or "Set-Cookie" in resp.headers or session.modified or db.session().info.get(WROTE)
                or db.session().info.get(replica.READS)):
            return resp
        key, generation = kept
        store.put(key, generation, (resp.mimetype, resp.get_data()))
        return resp
