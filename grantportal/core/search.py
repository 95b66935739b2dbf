"""The public index (公示索引): one row per public call, organization and funded project, kept by the writes.

Every public list and the site search read this table, never the domains' own tables row by row: it holds
what a list shows, filters and sorts by (title, 拼音 sort key, category, 镇街, tier, year, amount, date) with an
index for each, and the searchable words (core/search_text.py) behind a full-text index — SQLite FTS5
(``search_fts``, kept by triggers) or a PostgreSQL ``tsvector`` column with a GIN index (migration 0017).
A list page therefore reads one page of index entries, never a COUNT of every row.

Each domain says which of its objects are public and what their entry holds, with ``register(Index(...))``
in its ``search.py`` (imported by grantportal/app.py). Entries follow the writes: when a session flushes
a change to a watched object (the organization itself, its rating record…), the entry of the object it
belongs to is rewritten in the same transaction, or removed when it is no longer public. Rows written in
bulk without the ORM are indexed with ``flask search rebuild``. Grades change with the calendar too:
``refresh_due`` rewrites the entries whose ``changes_on`` day has come (run daily by ``flask search
refresh``, and by the directory once a day in each process).
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from pypinyin import Style, lazy_pinyin
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from grantportal.core.db import Money, db
from grantportal.core.search_text import index_terms
from grantportal.core.timeutil import local_today


class SearchEntry(db.Model):
    __tablename__ = "search_entry"
    __table_args__ = (
        sa.UniqueConstraint("kind", "ref_id", name="uq_search_entry_kind_ref"),
        sa.Index("ix_search_entry_name", "kind", "sort_key", "id"),
        sa.Index("ix_search_entry_date", "kind", "happened_on", "id"),
        sa.Index("ix_search_entry_tier", "kind", "tier", "sort_key", "id"),
        sa.Index("ix_search_entry_category", "kind", "category", "sort_key", "id"),
        sa.Index("ix_search_entry_district", "kind", "district", "sort_key", "id"),
        sa.Index("ix_search_entry_year", "kind", "year", "happened_on", "id"),
        sa.Index("ix_search_entry_amount", "kind", "amount", "id"),
        sa.Index("ix_search_entry_changes_on", "changes_on"),
        sa.Index("ix_search_entry_subtitle", "kind", "subtitle"),
        # the funded projects' list (项目执行): a service field, a status or a 镇街, newest first (migration 0021)
        sa.Index("ix_search_entry_fields", "kind", "fields", "sort_key", "id"),
        sa.Index("ix_search_entry_fields_date", "kind", "fields", "happened_on", "id"),
        sa.Index("ix_search_entry_category_date", "kind", "category", "happened_on", "id"),
        sa.Index("ix_search_entry_district_date", "kind", "district", "happened_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # "call", "org", "project"
    ref_id: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    subtitle: Mapped[str] = mapped_column(sa.String(200), default="")  # public facts only, e.g. the USCC
    sort_key: Mapped[str] = mapped_column(sa.String(255))  # 拼音 of the title, then the title
    category: Mapped[str | None] = mapped_column(sa.String(40))  # organization kind, call type …
    fields: Mapped[str] = mapped_column(sa.String(200), default="")  # service fields, "、"-separated
    district: Mapped[str | None] = mapped_column(sa.String(40))
    tier: Mapped[str | None] = mapped_column(sa.String(4))  # grade in force, organizations only
    year: Mapped[int | None]
    amount: Mapped[Decimal | None] = mapped_column(Money())
    happened_on: Mapped[date | None]  # registered, published, signed
    changes_on: Mapped[date | None]  # the day the entry must be rewritten (a grade expires or starts)
    terms: Mapped[str] = mapped_column(sa.Text, default="")


@dataclass
class Index:
    """How one kind of public object is indexed. ``entry(obj, today)`` gives the entry's columns, or None
    when the object is not public; ``watch`` maps each model whose changes alter an entry to the function
    giving the indexed object it belongs to (or None); ``fan_out`` maps a model whose change alters many
    entries (an organization renamed: each of its projects) to a function giving a SELECT of the indexed
    objects' ids, or None when this change alters none (read after the flush); ``load`` reads objects by id
    with what ``entry`` needs."""

    kind: str
    model: type
    entry: Callable
    watch: dict = field(default_factory=dict)
    fan_out: dict = field(default_factory=dict)
    load: Callable | None = None


INDEXES = {}
KIND_LABELS = {"call": "项目征集", "org": "社会组织", "project": "资助项目"}


def register(index):
    INDEXES[index.kind] = index
    return index


def _row(index, obj, today):
    """The entry's columns for ``obj``, or None when it is not public."""
    values = index.entry(obj, today)
    if values is None:
        return None
    values = dict(values)
    values["terms"] = index_terms(values["title"], values.pop("text", ""))
    values["sort_key"] = sort_key(values["title"])
    return {"kind": index.kind, "ref_id": obj.id, **values}


def write_entries(session, index, objects, today=None):
    """Rewrite the entries of ``objects`` (all of ``index``'s kind) in the session's transaction."""
    today = today or local_today()
    conn = session.connection()
    table = SearchEntry.__table__
    for obj in objects:
        row = _row(index, obj, today)
        where = sa.and_(table.c.kind == index.kind, table.c.ref_id == obj.id)
        if row is None:
            conn.execute(table.delete().where(where))
        elif conn.execute(table.update().where(where).values(**row)).rowcount == 0:
            conn.execute(table.insert().values(**row))


def sort_key(title):
    """拼音 order (多音字 as pypinyin reads them in context), ties by the characters themselves."""
    return (" ".join(lazy_pinyin(title, style=Style.NORMAL, errors="default")) + "|" + title)[:255]


def drop_entry(session, kind, ref_id):
    table = SearchEntry.__table__
    session.connection().execute(table.delete().where(table.c.kind == kind, table.c.ref_id == ref_id))


@event.listens_for(Session, "after_flush")
def _note_changes(session, flush_context):
    """Which indexed objects the flush touched (their entries are written once the flush is over)."""
    if not INDEXES:
        return
    pending = session.info.setdefault("search_pending", {})
    for obj in (*session.new, *session.dirty, *session.deleted):
        for index in INDEXES.values():
            ids_of = index.fan_out.get(type(obj))
            if ids_of is not None and obj not in session.deleted:
                ids = ids_of(obj)
                if ids is not None:
                    session.info.setdefault("search_fan_out", []).append((index.kind, ids))
            owner_of = index.watch.get(type(obj))
            if owner_of is None:
                continue
            if obj in session.deleted and type(obj) is index.model:
                pending.setdefault(index.kind, {})[obj.id] = None
                continue
            owner = owner_of(obj)
            if owner is not None and owner.id is not None:
                pending.setdefault(index.kind, {}).setdefault(owner.id, owner)


def _load(index, ids):
    return index.load(ids) if index.load else db.session.scalars(
        sa.select(index.model).where(index.model.id.in_(ids))).all()


def _write_fanned_out(session, fan_out, batch=500):
    for kind, ids_select in fan_out:
        index = INDEXES[kind]
        ids = session.scalars(ids_select).all()
        for start in range(0, len(ids), batch):
            write_entries(session, index, _load(index, ids[start:start + batch]))


@event.listens_for(Session, "after_flush_postexec")
def _write_pending(session, flush_context):
    pending = session.info.pop("search_pending", None)
    fan_out = session.info.pop("search_fan_out", None)
    if fan_out:
        with session.no_autoflush:
            _write_fanned_out(session, fan_out)
    if not pending:
        return
    with session.no_autoflush:
        for kind, owners in pending.items():
            index = INDEXES[kind]
            for ref_id, owner in owners.items():
                if owner is None or owner in session.deleted or sa.inspect(owner).deleted:
                    drop_entry(session, kind, ref_id)
            write_entries(session, index, [o for o in owners.values()
                                           if o is not None and not sa.inspect(o).deleted])


@event.listens_for(Session, "after_rollback")
def _forget_pending(session):
    session.info.pop("search_pending", None)
    session.info.pop("search_fan_out", None)


def rebuild(kinds=None, batch=5000, today=None):
    """Index every object of ``kinds`` (all by default) again: the kind's entries are replaced, in batches
    of ``batch`` objects read in id order, each committed. Returns {kind: entries written}."""
    today = today or local_today()
    table = SearchEntry.__table__
    written = {}
    for kind in kinds or list(INDEXES):
        index = INDEXES[kind]
        db.session.execute(table.delete().where(table.c.kind == kind))
        written[kind], last = 0, 0
        while True:
            ids = db.session.scalars(sa.select(index.model.id).where(index.model.id > last)
                                     .order_by(index.model.id).limit(batch)).all()
            if not ids:
                break
            last = ids[-1]
            objects = _load(index, ids)
            rows = [row for row in (_row(index, obj, today) for obj in objects) if row is not None]
            if rows:
                db.session.execute(table.insert(), rows)
            written[kind] += len(rows)
            db.session.commit()
            db.session.expunge_all()
    db.session.commit()
    return written


def refresh_due(today=None, limit=5000):
    """Rewrite the entries whose ``changes_on`` day has come (a grade expired or a new one took effect).
    Returns how many were rewritten; commits."""
    today = today or local_today()
    done = 0
    for kind, index in INDEXES.items():
        due = db.session.scalars(sa.select(SearchEntry.ref_id).where(
            SearchEntry.kind == kind, SearchEntry.changes_on <= today).limit(limit)).all()
        if not due:
            continue
        write_entries(db.session, index, _load(index, due), today)
        done += len(due)
    db.session.commit()
    return done


_FTS = sa.table("search_fts", sa.column("rowid"))
_FTS_ORDER = (_FTS.c.rowid.desc(),)  # newest indexed first, in the full-text table's own order (rowid = id)


_CODE_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # in this order under any collation


def _code_range(prefix):
    """Codes starting with ``prefix`` (digits and capital letters), as a range of the (kind, subtitle) index:
    from the prefix up to the next prefix of the same length."""
    prefix = prefix.upper()
    start = SearchEntry.subtitle >= prefix
    for cut in range(len(prefix) - 1, -1, -1):
        position = _CODE_CHARACTERS.find(prefix[cut])
        if 0 <= position < len(_CODE_CHARACTERS) - 1:
            return sa.and_(start, SearchEntry.subtitle < prefix[:cut] + _CODE_CHARACTERS[position + 1])
    return start


def _with_match(stmt, query, order):
    """``stmt`` limited to the entries holding every word of ``query``, served by the full-text index. On
    SQLite the FTS5 table drives the join, so that the newest matches come in its own rowid order and a page
    stops after its rows (``id IN (…)`` would first collect every match: 78 ms for 养老 at 100,000
    organizations, against 0.3 ms)."""
    if query.code_prefix:  # a code typed in part: read the codes' own index, not a million prefix words
        return stmt.where(SearchEntry.kind == "org", _code_range(query.code_prefix)), ORDERS[order]
    if db.engine.dialect.name == "postgresql":
        return stmt.where(sa.literal_column("search_entry.terms_tsv").op("@@")(
            sa.func.to_tsquery(sa.literal_column("'simple'"), query.tsquery()))), ORDERS[order]
    match = sa.text("search_fts MATCH :fts").bindparams(fts=query.fts5())
    if order != "match" and _common(match):
        # a common word in another order (社区 in 拼音 order: 200,000 matches at 1,000,000 organizations; 养老
        # among projects, newest first): walk the order's own index and keep the entries whose words hold the
        # query's, as FTS5 would
        return stmt.where(_holds_words(query)), ORDERS[order]
    stmt = stmt.join(_FTS, _FTS.c.rowid == SearchEntry.id).where(match)
    return stmt, (_FTS_ORDER if order == "match" else ORDERS[order])


def _holds_words(query):
    """The entry's indexed words (``terms``, space-separated) hold every word of ``query``: the same test as
    the full-text MATCH, made on the row in hand (microseconds, against a full-text lookup per row)."""
    padded = " " + SearchEntry.terms + " "
    return sa.and_(*[sa.func.instr(padded, f" {term} ") > 0 for term in query.terms],
                   *[sa.func.instr(padded, f" {prefix}") > 0 for prefix in query.prefixes])


COMMON = 500  # entries holding the words past which an ordered search walks the order's index instead


def _common(match):
    """Whether at least COMMON entries hold the words (counted no further, filters aside). Fewer are sorted at
    once; more would be sorted whole for one page (社区: 200,000 at 1,000,000 organizations, 80 times the
    floor), while in the order's index — or a filter's, which holds the same order — a page of them comes
    after a few hundred entries."""
    probe = sa.select(_FTS.c.rowid).where(match).limit(COMMON).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(probe)) >= COMMON


MAX_PAGES = 100  # deep pages are not offered: a narrower search or filter is
ORDERS = {
    "name": (SearchEntry.sort_key, SearchEntry.id),
    "newest": (SearchEntry.happened_on.desc(), SearchEntry.id.desc()),
    "amount": (SearchEntry.amount.desc(), SearchEntry.id.desc()),
    "match": (SearchEntry.id.desc(),),
}


class EntryPage:
    """One page of index entries and whether another follows (no count of every matching row is made);
    the attributes the ``cursor_pager`` macro reads (templates/_form.html)."""

    def __init__(self, items, page, size, has_next):
        self.items, self.page, self.size = items, page, size
        self.has_prev, self.has_next = page > 1, has_next
        self.prev_num, self.next_num = page - 1, page + 1
        self.first = (page - 1) * size + 1 if items else 0
        self.last = (page - 1) * size + len(items)


def _select(kinds, query, filters, order="match"):
    """The statement for ``entries`` and its ORDER BY."""
    stmt = sa.select(SearchEntry)
    if kinds:
        stmt = stmt.where(SearchEntry.kind.in_(kinds) if len(kinds) > 1 else SearchEntry.kind == kinds[0])
    for name, value in (filters or {}).items():
        column = getattr(SearchEntry, name)
        stmt = stmt.where(column.is_(None) if value is None else column == value)
    if query:
        return _with_match(stmt, query, order)
    return stmt, ORDERS[order]


def entries(kinds, query=None, filters=None, order="name", page=1, size=20):
    """Page ``page`` of the entries of ``kinds`` holding every word of ``query`` and equal to ``filters``
    ({column: value, None for empty}), in ``order`` (a key of ORDERS; "match" within one kind is "newest").
    A page past the last one gives the last page instead: ``(EntryPage, moved)`` where ``moved`` is True then."""
    if order == "match" and query and len(kinds or ()) == 1:
        # one kind: newest first, on its own date index (in the full-text order, 养老 among projects would
        # come after the 200,000 organizations holding it)
        order = "newest"
    stmt, order_by = _select(kinds, query, filters, order)
    page = min(max(page, 1), MAX_PAGES)
    rows = _page_rows(stmt, order_by, (page - 1) * size, size + 1)
    if rows or page == 1:
        return EntryPage(rows[:size], page, size, len(rows) > size), False
    within = db.session.scalar(sa.select(sa.func.count()).select_from(
        _select(kinds, query, filters)[0].with_only_columns(SearchEntry.id).limit(page * size).subquery()))
    last = max(1, -(-within // size))
    rows = _page_rows(stmt, order_by, (last - 1) * size, size + 1)
    return EntryPage(rows[:size], last, size, len(rows) > size), True


def _page_rows(stmt, order_by, offset, limit):
    """The rows of one page. Past the first page the skipped entries are read from the index alone (their
    ids), and only the page's rows from the table: OFFSET over whole rows read every skipped row too
    (page 100 of the directory was 2.9 times the floor on PostgreSQL)."""
    if not offset:
        return db.session.scalars(stmt.order_by(*order_by).limit(limit)).all()
    ids = stmt.with_only_columns(SearchEntry.id).order_by(*order_by).offset(offset).limit(limit).subquery()
    outer = (SearchEntry.id.desc(),) if order_by is _FTS_ORDER else order_by
    return db.session.scalars(sa.select(SearchEntry).join(ids, ids.c.id == SearchEntry.id)
                              .order_by(*outer)).all()


def in_models(obj, name, type_, reflected, compare_to):
    """Alembic's ``include_object``: the full-text parts the migration made by hand (SQLite's FTS5 tables,
    PostgreSQL's generated ``terms_tsv`` column) have no model, and are not a difference to migrate."""
    if type_ == "table" and name.startswith("search_fts"):
        return False
    return not ((type_ == "column" and name == "terms_tsv") or (type_ == "index" and name == "ix_search_entry_terms"))
