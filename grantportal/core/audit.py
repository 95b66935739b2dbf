"""Append-only audit log.

Every flush is watched: each created, changed or deleted row of an audited model is written to
``audit_entry`` in the same transaction, with its before/after values, the acting user and role, the
client IP and the request id. Operations name what they do with ``audit_action("application.submit")``;
a write outside such a block is logged under a generic name. Secret columns are never written
(``SECRET_FIELDS``); the personal columns a model names in ``__audit_masked__`` ({column: masking
function}) are written masked: the log keeps 138****1234, never the number (DESIGN.md §4, §6). The
table refuses UPDATE and DELETE in the database itself (triggers in the migration), and the ORM refuses
them too.

A bulk statement is not a flush: an operation that creates or deletes thousands of rows at once (the award
proposal's 10,000 awards) uses ``insert_rows`` / ``delete_rows``, which write the same entries a flush of
those objects would — one per row, with the whole row as ``after`` (created) or ``before`` (deleted), under
the current ``audit_action`` — so that an auditor still finds every row's history by its type and id.
"""
import contextvars
import json
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from grantportal.core.db import UTCDateTime, bulk_insert, db, utcnow

_action = contextvars.ContextVar("audit_action", default=None)
REDACTED = "***"
# Never written to the log, not even in redacted-diff form.
SECRET_FIELDS = {"password_hash", "token_hash", "totp_secret", "code_hash"}
# Not logged: the log itself, sessions and throttles, and rows derived from audited ones by a job or a refresh
# (the kept public checks of published results, awards/proposals/checks.py; the statistics snapshot; the audit
# chain's seals and verifications, core/audit_chain.py)
NOT_AUDITED = {"audit_entry", "user_session", "login_throttle", "public_check", "public_check_page",
               "statistics_snapshot", "audit_seal", "audit_check"}


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str | None] = mapped_column(sa.String(80))
    actor_role: Mapped[str | None] = mapped_column(sa.String(32))
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    before: Mapped[str | None] = mapped_column(sa.Text)
    after: Mapped[str | None] = mapped_column(sa.Text)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    request_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)

    __table_args__ = (sa.Index("ix_audit_entry_object", "object_type", "object_id"),)

    @staticmethod
    def _pretty(text):
        return json.dumps(json.loads(text), ensure_ascii=False, indent=1) if text else ""

    @property
    def before_pretty(self):
        return self._pretty(self.before)

    @property
    def after_pretty(self):
        return self._pretty(self.after)


@contextmanager
def audit_action(name):
    """Name the writes made inside this block (e.g. ``org.verify``)."""
    token = _action.set(name)
    try:
        yield
    finally:
        _action.reset(token)


def record(action, object_type, object_id=None, details=None):
    """An audit entry for an action that changes no row (e.g. a data export), in the caller's transaction."""
    db.session.add(AuditEntry(**_who(), at=utcnow(), action=action, object_type=object_type,
                              object_id=None if object_id is None else str(object_id),
                              after=json.dumps(details, ensure_ascii=False, default=str) if details else None))


_AS_IS = frozenset({type(None), str, int, float, bool, list, dict})


def _plain(value):
    if type(value) in _AS_IS:  # the common case first (a bulk write plains 200,000 values)
        return value
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return value
    return str(value)


def _columns(obj):
    return [c.key for c in inspect(obj).mapper.column_attrs]


def _shown(obj, key, value):
    """A column's value as the log may keep it: secret columns redacted, personal ones masked."""
    if key in SECRET_FIELDS:
        return REDACTED
    mask = getattr(obj, "__audit_masked__", {}).get(key)
    return _plain(mask(value) if mask is not None and value is not None else value)


def _snapshot(obj):
    return {k: _shown(obj, k, getattr(obj, k)) for k in _columns(obj)}


def _stored_row(obj):
    """The row as it is in the database (for attributes that were expired before being changed)."""
    mapper = inspect(obj).mapper
    session = inspect(obj).session
    pk = mapper.primary_key_from_instance(obj)
    cols = [c.expression for c in mapper.column_attrs]
    query = sa.select(*cols).where(*[c == v for c, v in zip(mapper.primary_key, pk)])
    with session.no_autoflush:
        row = session.execute(query).first()
    return dict(zip([c.key for c in mapper.column_attrs], row)) if row else {}


def _changes(obj):
    state = inspect(obj)
    before, after = {}, {}
    stored = None
    for key in _columns(obj):
        hist = state.attrs[key].history
        if not hist.has_changes():
            continue
        if hist.deleted:
            old = hist.deleted[0]
        elif hist.unchanged:
            old = hist.unchanged[0]
        else:
            if stored is None:
                stored = _stored_row(obj)
            old = stored.get(key)
        new = hist.added[0] if hist.added else None
        if _plain(old) == _plain(new):
            continue
        before[key], after[key] = _shown(obj, key, old), _shown(obj, key, new)
    return before, after


def _who():
    if not has_request_context():
        return {"actor_id": None, "actor_name": "system", "actor_role": "system",
                "ip": None, "request_id": None}
    user = getattr(g, "audit_user", None)
    return {
        "actor_id": getattr(user, "id", None),
        "actor_name": getattr(user, "username", None),
        "actor_role": getattr(getattr(user, "role", None), "value", None) if user else "anonymous",
        "ip": request.remote_addr,
        "request_id": getattr(g, "request_id", None),
    }


def _pending(session):
    rows = []
    action = _action.get()
    for verb, objs in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            table = getattr(obj, "__tablename__", None)
            if table is None or table in NOT_AUDITED:
                continue
            if verb == "update":
                if not session.is_modified(obj, include_collections=False):
                    continue
                before, after = _changes(obj)
                if not after:
                    continue
            elif verb == "create":
                before, after = None, None
            else:
                before, after = _snapshot(obj), None
            rows.append((verb, obj, table, before, after))
    return action, rows


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise RuntimeError("audit_entry is append-only")
    session.info["audit_rows"] = _pending(session)


def _entry(who, now, action, table, verb, ident, before, after):
    return {
        **who,
        "at": now,
        "action": action or f"{table}.{verb}",
        "object_type": table,
        "object_id": ",".join(str(i) for i in ident) if any(i is not None for i in ident) else None,
        "before": json.dumps(before, ensure_ascii=False) if before else None,
        "after": json.dumps(after, ensure_ascii=False) if after else None,
    }


@event.listens_for(Session, "after_flush")
def _write_audit_rows(session, flush_context):
    action, rows = session.info.pop("audit_rows", (None, []))
    if not rows:
        return
    who = _who()
    now = utcnow()
    values = []
    for verb, obj, table, before, after in rows:
        if verb == "create":
            after = _snapshot(obj)
        ident = inspect(obj).mapper.primary_key_from_instance(obj)
        values.append(_entry(who, now, action, table, verb, ident, before, after))
    session.execute(sa.insert(AuditEntry), values)


# --- bulk writes: the entries a flush of the same objects would write ---------------------------------------

def _row_snapshot(keys, values):
    return {k: (REDACTED if k in SECRET_FIELDS else _plain(v)) for k, v in zip(keys, values)}


def _bulk_model(model):
    mapper = inspect(model)
    table = mapper.local_table.name
    if table in NOT_AUDITED or len(mapper.primary_key) != 1:
        raise ValueError(f"{table}: bulk writes are for audited tables with a one-column primary key")
    return mapper, table


def insert_rows(model, rows, key):
    """INSERT ``rows`` of ``model`` (dicts of attribute values; every column that is not the primary key, in
    the same keys for every row) with ``db.bulk_insert``, and write one ``create`` audit entry per row as a flush
    of the same new objects would: the whole row, its new id included, as ``after``. ``key`` names a unique
    column by which the new ids are matched to the rows. Returns the new ids in the order of ``rows``. The
    session's objects are not touched: expire any relationship that lists these rows. No before_flush check
    runs: the values must come from the server, not from a form."""

    if not rows:
        return []
    mapper, table = _bulk_model(model)
    pk = mapper.primary_key[0]
    keys = [a.key for a in mapper.column_attrs]
    columns = {a.key: a.columns[0] for a in mapper.column_attrs}
    given = [k for k in keys if columns[k] is not pk]
    if set(rows[0]) != set(given):
        raise ValueError(f"{table}: every column but the primary key, no more: {sorted(set(rows[0]) ^ set(given))}")
    pk_key = next(k for k in keys if columns[k] is pk)
    same = all(columns[k].key == k for k in given)  # attribute keys are the column keys (no copy needed)
    ids = bulk_insert(mapper.local_table, rows if same else [{columns[k].key: row[k] for k in given} for row in rows],
                      key=columns[key].key)
    who, now, action = _who(), utcnow(), _action.get()
    entries = []
    for ident, row in zip(ids, rows):
        after = _row_snapshot(keys, [ident if k == pk_key else row[k] for k in keys])
        entries.append(_entry(who, now, action, table, "create", (ident,), None, after))
    bulk_insert(AuditEntry.__table__, entries)
    return ids


def delete_rows(model, *where):
    """DELETE the rows of ``model`` matching ``where`` in one statement, after writing one ``delete`` audit
    entry per row as a flush of the same deletions would: the row as stored, every column, as ``before``.
    Objects of those rows in the session are marked deleted (``synchronize_session``). Returns how many."""

    mapper, table = _bulk_model(model)
    keys = [a.key for a in mapper.column_attrs]
    session = db.session
    pk = mapper.primary_key[0]
    stored = session.execute(sa.select(*[a.columns[0] for a in mapper.column_attrs]).where(*where)
                             .order_by(pk)).all()
    if not stored:
        return 0
    who, now, action = _who(), utcnow(), _action.get()
    pk_index = [a.columns[0] for a in mapper.column_attrs].index(pk)
    entries = [_entry(who, now, action, table, "delete", (row[pk_index],), _row_snapshot(keys, row), None)
               for row in stored]
    bulk_insert(AuditEntry.__table__, entries)
    session.execute(sa.delete(model).where(*where))
    return len(stored)
