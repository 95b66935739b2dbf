"""Database base classes and column types shared by every domain."""
import enum
import functools
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Session
from wtforms.fields.choices import SelectChoice

from grantportal.core.errors import Refused
from grantportal.core.inputs import CONTROL_MESSAGE, has_control
from grantportal.core.replica import RoutingSession

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})  # the replica's reads: core/replica.py


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite keeps no time zone, so the value is normalised on the way in and out.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use grantportal.core.timeutil")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def Money(**kw):
    """An amount of yuan: NUMERIC(14,2), read back as Decimal."""
    return sa.Numeric(14, 2, asdecimal=True, **kw)


class LabelledEnum(str, enum.Enum):
    """A status value stored as its code, shown by its Chinese label."""

    def __new__(cls, value, label):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    def __str__(self):
        return self.value

    @classmethod
    def choices(cls):
        """Choices for a WTForms SelectField / RadioField."""

        return [SelectChoice(m.value, m.label) for m in cls]


def enum_column(enum_cls, **kw):
    """An enum stored as its string code (VARCHAR), portable across databases."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        **kw,
    )


def utcnow():
    return datetime.now(UTC)


ZERO = Decimal("0.00")


def built_once(build):
    """A statement built once and kept (per argument, for a ``build`` that takes the model, say), its varying
    values left as ``sa.bindparam`` to pass when executing: ``build`` is called on first use only. Building a
    select with its loader options, and the cache key SQLAlchemy computes from it (kept on the statement
    object), cost a public page about 0.5 ms per plain select and 1.7 ms for one with joined loads — a fifth
    of a detail page's time, spent on every request for the same statement."""
    return functools.cache(build)


def literal_ids(ids):
    """A list of integer ids for ``column.in_(...)``, written into the SQL as numbers instead of one bound
    parameter each: the driver then has no thousands of placeholders to parse (psycopg spends ~10 ms on 2,000).
    Integers only (they are checked), so nothing user-typed reaches the SQL text."""
    ids = [int(i) for i in ids]
    return sa.bindparam("ids", ids, expanding=True, literal_execute=True, unique=True)


def lock_row(model, ident, reload=False):
    """Hold a row lock on ``model`` row ``ident`` until the transaction ends, so that writers on it take
    turns: ``SELECT … FOR UPDATE`` on PostgreSQL; SQLite ignores it and lets one writer in at a time.
    With ``reload`` the row is returned read afresh (what another writer committed before the lock wins
    over the session's copy); otherwise only the lock is taken."""
    query = sa.select(model if reload else model.id).where(model.id == ident).with_for_update()
    if reload:
        return db.session.scalar(query.execution_options(populate_existing=True))
    db.session.execute(query)
    return None


def move_on(row, column, value):
    """Set ``row``'s ``column`` to ``value`` only if the database still holds what this session read there — a
    conditional UPDATE, so of several requests that read the same value at the same moment exactly one moves it
    on (and, say, queues the one job). Returns whether this one did."""
    model = type(row)
    attribute, seen_value = getattr(model, column), getattr(row, column)
    seen = attribute.is_(None) if seen_value is None else attribute == seen_value
    moved = db.session.execute(sa.update(model).where(model.id == row.id, seen).values({column: value})
                               .execution_options(synchronize_session=False))
    return moved.rowcount == 1


class ControlCharacters(Refused):
    """Text with a control character reached a write: refused (400) instead of stored (SQLite) or a 500
    (PostgreSQL cannot store NUL). Forms refuse them next to the field first (core.forms); this is the net
    under every other way text reaches a row."""

    status = 400


@event.listens_for(Session, "before_flush")
def _no_control_characters(session, flush_context, instances):
    for obj in (*session.new, *session.dirty):
        state = sa.inspect(obj)
        for attr in state.mapper.column_attrs:
            value = state.dict.get(attr.key)
            if isinstance(value, str) and has_control(value, multiline=True):
                raise ControlCharacters("提交的内容" + CONTROL_MESSAGE)


def bulk_insert(table, rows, key=None):
    """INSERT many ``rows`` (dicts by column key, the same keys in each, never the primary key) into the Core
    ``table``, in the session's transaction, as fast as the database allows: for writes of thousands of rows that
    the server computed (no form value: the ORM's before_flush checks do not run). With ``key``, a unique column
    of ``rows``, returns the new primary keys in the order of ``rows``.

    The values go through the column types' bind processors, as in any INSERT, and then straight to the driver:
    SQLAlchemy's own executemany spends more time preparing 10,000 parameter sets than the database spends
    storing them. PostgreSQL: ``COPY … FROM STDIN`` (psycopg), the ids drawn from the table's sequence first (a
    multi-row ``INSERT … RETURNING`` spends most of its time in the driver parsing its placeholders). SQLite:
    ``executemany``, the ids read back by ``key`` among the rows above the largest id before the insert."""

    if not rows:
        return []
    conn = db.session.connection()
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    (pk,) = table.primary_key.columns
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]

    def values(row, order=range(len(names))):
        return [row[names[i]] if processors[i] is None else processors[i](row[names[i]]) for i in order]

    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if dialect.name == "postgresql":
            ids = None
            if key is not None:
                ids = sorted(conn.execute(sa.text("SELECT nextval(pg_get_serial_sequence(:table, :column)) "
                                                  "FROM generate_series(1, :n)"),
                                          {"table": table.name, "column": pk.name, "n": len(rows)}).scalars())
                columns = [pk, *columns]
            with cursor.copy(f"COPY {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) "
                             "FROM STDIN") as copy:
                for i, row in enumerate(rows):
                    copy.write_row([ids[i], *values(row)] if ids is not None else values(row))
            return ids
        if dialect.name != "sqlite":
            raise NotImplementedError(f"bulk_insert: {dialect.name}")
        before = (conn.scalar(sa.select(sa.func.max(pk))) or 0) if key is not None else None
        insert = sa.insert(table).compile(dialect=dialect, column_keys=names)
        order = [names.index(name) for name in insert.positiontup]
        cursor.executemany(str(insert), [values(row, order) for row in rows])
    finally:
        cursor.close()
    if key is None:
        return None
    new_id = dict(conn.execute(sa.select(table.c[key], pk).where(pk > before)).all())
    return [new_id[row[key]] for row in rows]
