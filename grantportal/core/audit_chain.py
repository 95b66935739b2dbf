"""The tamper-evident audit log: a hash chain over ``audit_entry``, sealed after the fact (issue 15; DESIGN.md §6).

Triggers refuse UPDATE and DELETE on ``audit_entry`` (migration 0002), but a database superuser can switch them
off, change or delete an entry, or insert one with an old id. The chain makes that detectable: every entry gets a
seal (``audit_seal``) holding

    content_hash = SHA-256(canonical serialization of the entry: every column, ``canonical``)
    link_hash    = SHA-256(the previous seal's link_hash + content_hash)     (the first seal: GENESIS)

so that a change to any sealed entry breaks its seal, and a rewrite that recomputes the seals changes every
later link, the newest one (the chain head) included. ``audit_seal`` refuses UPDATE, DELETE and TRUNCATE like
``audit_entry`` (migration 0029, SQLite and PostgreSQL).

**One chain, with daily heads as checkpoints.** One chain in id order rather than a chain per day or per table:
one head then commits to the whole history, so publishing or backing up the latest head protects every entry
before it, and a chain per day would let a superuser rewrite a whole day and its head together, detectable only
against that day's own published head. Entries are not split by day in the chain; the *daily head* of day D
(site time) is the link hash of the seal of the highest-id entry dated D: the chain as it stood after that
entry. Daily heads go into every backup's manifest (``core/backup.py``) and can be published (the auditor's JSON,
``audit.chain_heads``); ``flask audit verify --against <manifest.json>`` checks that today's chain still has
those links. A rewrite after a backup then fails the comparison even if the rewritten chain is internally
consistent.

**Sealed after the fact, after a settle delay.** Several app processes write entries concurrently and ids can
commit out of order (a transaction holding id 100 may commit after one holding 101), so entries are not chained
when written. A sealing step (``seal_settled``: the job ``SEAL_JOB`` through ``core.jobs``, or ``flask audit
seal``) takes the unsealed entries in id order up to — not including — the first one written less than
``AUDIT_SEAL_SETTLE_SECONDS`` ago (default 300): a transaction still in flight after that long is treated as
one that will not commit a lower id. Only a prefix is sealed, so an entry stamped by a slow clock cannot be
passed over, and a run stops at the newest entry there was when it began (it never chases what is written while
it runs, its own job's progress included). Sealers take turns (a PostgreSQL advisory lock; SQLite's write lock,
taken first) and the seals are a function of the entries alone: sealing twice seals nothing twice, and sealing
from scratch gives the same hashes. Seals and verification results are derived rows: they are not themselves
audited (core/audit.py ``NOT_AUDITED``).

**Verification** (``verify``, ``flask audit verify``, the job ``VERIFY_JOB``) walks entries and seals together
in id order, a batch at a time (keyset, ``BATCH`` rows: memory stays flat for millions of entries), and reports
every entry whose content does not match its seal, every seal whose link does not follow from the seal before
it, every entry below the sealed head without a seal (inserted later) and every seal whose entry is gone. Each
link is checked against the *stored* link before it, so a single change is reported at the entry changed, not
at every entry after it. The result is kept in ``audit_check``; the auditor's page shows the last one.

**Retention and archiving.** Logs are kept at least six months (网络安全法 第二十一条). Entries older than that
may be archived without losing verifiability, by ``flask audit archive`` (core/audit_archive.py; the cut recorded in
``audit_archive``, migration 0034, which is also the only delete the triggers allow). In outline: (1) seal and verify
the whole chain; (2) pick the cut at a daily head at least six months old (entry id N) and write the entries with
ids up to N and their seals, in id order, to an archive file, with N's link hash — that day's head, in every
backup manifest and published head list since that day; keep the archive and its SHA-256 off-line;
(3) in one transaction, append the cut (last archived entry id, its link hash) to the append-only
``audit_archive`` table and delete the archived entries and seals, which the triggers allow for rows at or below
the newest cut and older than six months only. ``verify`` starts at the newest cut (``chain_start``) instead of
GENESIS, and the archive file is checked (``audit_archive.verify_archive``) from its start to the cut hash. Since
the cut hash was published before the cut, neither the archived part nor the kept part can be
rewritten without one of the two walks, or the comparison with a manifest, failing.
"""
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from grantportal.core import jobs
from grantportal.core.audit import AuditEntry
from grantportal.core.db import UTCDateTime, bulk_insert, db, utcnow
from grantportal.core.jobs_models import Job, JobStatus
from grantportal.core.timeutil import site_zone

log = logging.getLogger("grantportal.audit_chain")

GENESIS = "0" * 64  # the link before the first seal
FORMAT = 1  # of the canonical serialization and of the heads document
# the columns of audit_entry, in the order they are serialized: every column (a test keeps this list complete;
# a new column needs a new FORMAT, or entries sealed before it would no longer match)
FIELDS = ("id", "at", "actor_id", "actor_name", "actor_role", "action", "object_type", "object_id", "before",
          "after", "ip", "request_id")
PREFIX = f"grantportal audit_entry {FORMAT}\n".encode()
BATCH = 5000  # entries per sealing transaction and per verification read
PROBLEMS_KEPT = 50  # problems kept with a verification (all are counted)
SEAL_LOCK = 7_161_746_571_652_277_601  # pg_advisory_xact_lock key of the sealers ("audit seal"; above any row id)
SEAL_JOB = "grantportal.core.audit_chain:seal_job"
VERIFY_JOB = "grantportal.core.audit_chain:verify_job"
SEAL_KIND, VERIFY_KIND = "audit.seal", "audit.verify"


class AuditSeal(db.Model):
    """One sealed entry: its content hash and its link in the chain. Append-only (migration 0029)."""

    __tablename__ = "audit_seal"

    entry_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # no foreign key: a seal outlives
    # its entry when someone deletes the entry, and says so
    day: Mapped[date | None] = mapped_column(sa.Date)  # the entry's date in the site's zone (daily heads)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    link_hash: Mapped[str] = mapped_column(sa.String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (sa.Index("ix_audit_seal_day", "day", "entry_id"),)


class AuditArchive(db.Model):
    """One cut of the chain: entries after ``start_after`` up to ``through_entry_id`` were written to an archive
    file (core/audit_archive.py) and removed; the chain's verification starts at (``through_entry_id``,
    ``link_hash``) of the newest cut. Append-only (migration 0034)."""

    __tablename__ = "audit_archive"

    id: Mapped[int] = mapped_column(primary_key=True)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cutoff: Mapped[date]  # entries dated (site time) before this day were archived
    start_after: Mapped[int]  # the chain's start before this cut (0: the genesis)
    start_hash: Mapped[str] = mapped_column(sa.String(64))
    through_entry_id: Mapped[int] = mapped_column(unique=True)
    link_hash: Mapped[str] = mapped_column(sa.String(64))  # the chain's link at through_entry_id
    entries: Mapped[int]
    file_name: Mapped[str] = mapped_column(sa.String(200))
    file_sha256: Mapped[str] = mapped_column(sa.String(64))


class AuditCheck(db.Model):
    """One verification of the chain and what it found."""

    __tablename__ = "audit_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool]
    through_entry_id: Mapped[int | None]  # the sealed head walked to (None: nothing sealed yet)
    head_hash: Mapped[str | None] = mapped_column(sa.String(64))
    entries: Mapped[int] = mapped_column(default=0)  # seals and entries walked
    problem_count: Mapped[int] = mapped_column(default=0)
    problems: Mapped[list] = mapped_column(sa.JSON, default=list)  # the first PROBLEMS_KEPT, as dicts
    against: Mapped[str | None] = mapped_column(sa.String(200))  # the heads compared with (a backup's manifest)
    source: Mapped[str] = mapped_column(sa.String(16))  # "cli" or "job"
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))


# --- hashing ---------------------------------------------------------------------------------------------

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _instant(value):
    """2026-12-07T02:00:00.000000+00:00 (ISO 8601, UTC, microseconds)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:  # what UTCDateTime reads is UTC already
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


def canonical(values):
    """The bytes hashed for one entry: ``values`` in FIELDS order, the time as UTC with microseconds, as compact
    JSON (UTF-8, Chinese as it is), after a prefix naming the format."""
    ident, at, *rest = values
    return PREFIX + _encode([ident, _instant(at), *rest]).encode()


def content_hash(values):
    return hashlib.sha256(canonical(values)).hexdigest()


class _Days:
    """The site's calendar day of UTC instants, with one zone conversion per day (entries come in time order, near
    enough): a walk over millions of entries spends its time hashing, not converting."""

    def __init__(self):
        self.zone = site_zone()
        self.start = self.end = self.day = None

    def __call__(self, at):
        if at is None:
            return None
        if self.start is None or not self.start <= at < self.end:
            self.day = at.astimezone(self.zone).date()
            start = datetime.combine(self.day, time.min, tzinfo=self.zone)
            self.start = start.astimezone(UTC)
            self.end = (start + timedelta(days=1)).replace(tzinfo=self.zone).astimezone(UTC)
        return self.day


def link_hash(previous, content):
    return hashlib.sha256(f"{previous}{content}".encode("ascii")).hexdigest()


_ENTRY = AuditEntry.__table__
_SEAL = AuditSeal.__table__
_ARCHIVE = AuditArchive.__table__
_ENTRY_COLUMNS = [_ENTRY.c[name] for name in FIELDS]


def _entries_after(conn, after, below=None, through=None):
    """Up to ``BATCH`` entries with ``after`` < id (< ``below``) (<= ``through``), in id order: one keyset page."""
    query = sa.select(*_ENTRY_COLUMNS).where(_ENTRY.c.id > after)
    if below is not None:
        query = query.where(_ENTRY.c.id < below)
    if through is not None:
        query = query.where(_ENTRY.c.id <= through)
    return conn.execute(query.order_by(_ENTRY.c.id).limit(BATCH)).all()


@dataclass(frozen=True)
class Point:
    """A place in the chain: an entry id and the link hash there."""
    entry_id: int
    link_hash: str


def chain_start(conn):
    """Where the chain in the database starts: the newest archive cut (core/audit_archive.py), or the genesis."""
    cut = conn.execute(sa.select(_ARCHIVE.c.through_entry_id, _ARCHIVE.c.link_hash)
                       .order_by(_ARCHIVE.c.through_entry_id.desc()).limit(1)).first()
    return Point(cut.through_entry_id, cut.link_hash) if cut else Point(0, GENESIS)


def _head(conn):
    """(entry id, link hash) of the newest seal; when every seal has been archived, the newest cut; else None."""
    head = conn.execute(sa.select(_SEAL.c.entry_id, _SEAL.c.link_hash)
                        .order_by(_SEAL.c.entry_id.desc()).limit(1)).first()
    if head is not None:
        return Point(head.entry_id, head.link_hash)
    start = chain_start(conn)
    return start if start.entry_id else None


# --- sealing ---------------------------------------------------------------------------------------------

@dataclass
class SealResult:
    sealed: int = 0
    through_entry_id: int | None = None
    head_hash: str | None = None
    waiting: int = 0  # entries not sealed yet (too recent, or written while sealing)


def _take_turn(conn):
    """Make concurrent sealers take turns, before the head is read: the advisory lock on PostgreSQL; on SQLite a
    write that touches no row, which takes the database's write lock until the transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEAL_LOCK})
    else:
        conn.execute(sa.text("DELETE FROM audit_seal WHERE 0"))


def sealing_limit(cutoff):
    """The entry id a sealing run stops below: the first entry after the sealed head written at or after ``cutoff``,
    or, when there is none, one past the newest entry now; a run never chases the entries written while it runs (its
    own job's progress is written to the log). Read once per run: on SQLite the search walks the ids after the
    head. None when there is no entry."""
    conn = db.session.connection()
    head = _head(conn)
    recent = conn.scalar(sa.select(sa.func.min(_ENTRY.c.id))
                         .where(_ENTRY.c.id > (head.entry_id if head else 0), _ENTRY.c.at >= cutoff))
    if recent is not None:
        return recent
    newest = conn.scalar(sa.select(sa.func.max(_ENTRY.c.id)))
    return None if newest is None else newest + 1


def seal_batch(below=None):
    """Seal up to ``BATCH`` entries after the head, in id order, below entry id ``below`` (``sealing_limit``). In
    the session's transaction (the caller commits); returns how many were sealed."""
    conn = db.session.connection()
    _take_turn(conn)
    head = _head(conn)
    after, previous = (head.entry_id, head.link_hash) if head else (0, GENESIS)
    rows = _entries_after(conn, after, below=below)
    if not rows:
        return 0
    day_of, now, seals = _Days(), utcnow(), []
    for row in rows:
        content = content_hash(row)
        previous = link_hash(previous, content)
        seals.append({"entry_id": row[0], "day": day_of(row[1]), "content_hash": content, "link_hash": previous,
                      "sealed_at": now})
    bulk_insert(_SEAL, seals)  # the primary key is the entry's id, given, not drawn: no ``key``
    return len(rows)


def seal_settled(now=None, progress=None):
    """Seal every entry older than the settle delay, ``BATCH`` per transaction, committing after each (what is
    sealed stays sealed if a later batch fails). For the job and the CLI, never inside a request's transaction.
    ``progress(sealed so far)`` is called after each commit."""
    now = now or utcnow()
    below = sealing_limit(now - timedelta(seconds=current_app.config["AUDIT_SEAL_SETTLE_SECONDS"]))
    result = SealResult()
    if below is None:
        return result
    while True:
        n = seal_batch(below)
        db.session.commit()
        if not n:
            break
        result.sealed += n
        if progress is not None:
            progress(result.sealed)
    conn = db.session.connection()
    head = _head(conn)
    if head is not None:
        result.through_entry_id, result.head_hash = head.entry_id, head.link_hash
    result.waiting = unsealed_count(conn, head)
    db.session.rollback()
    return result


def unsealed_count(conn, head=None):
    after = head.entry_id if head is not None else 0
    return conn.scalar(sa.select(sa.func.count()).select_from(_ENTRY).where(_ENTRY.c.id > after))


# --- verification ----------------------------------------------------------------------------------------

CONTENT, LINK, DAY, UNSEALED, MISSING, HEAD = "content", "link", "day", "unsealed", "missing", "head"


@dataclass(frozen=True)
class Problem:
    kind: str
    entry_id: int | None
    text: str  # Chinese, for the auditor

    def as_dict(self):
        return {"kind": self.kind, "entry_id": self.entry_id, "text": self.text}


@dataclass
class VerifyResult:
    started_at: datetime
    finished_at: datetime | None = None
    through_entry_id: int | None = None
    head_hash: str | None = None
    entries: int = 0
    problem_count: int = 0
    problems: list = field(default_factory=list)  # the first PROBLEMS_KEPT
    against: str | None = None
    heads_compared: int = 0
    start_after: int = 0  # the walk began after this entry (an archive cut; 0: the genesis)

    @property
    def ok(self):
        return self.problem_count == 0

    @property
    def first_problem(self):
        return self.problems[0] if self.problems else None

    def add(self, problem):
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(problem)


def _batched(read):
    """Rows from ``read(after)`` (a keyset page after the given id, in id order) one by one, page after page."""
    after = None
    while True:
        rows = read(after)
        if not rows:
            return
        yield from rows
        after = rows[-1][0]


def _day_text(day):
    return f"{day.year}年{day.month}月{day.day}日"


def expected_heads(document):
    """{entry id: (day or None, link hash)} from a heads document (``chain_heads``: the published JSON), or from a
    backup manifest that holds one under ``audit_chain``; ValueError when it holds none or is malformed."""
    heads = document.get("audit_chain", document) if isinstance(document, dict) else None
    if not isinstance(heads, dict) or not isinstance(heads.get("days"), list):
        raise ValueError("no audit chain heads")
    try:
        found = {int(item["entry_id"]): (date.fromisoformat(item["day"]), _hash(item["hash"]))
                 for item in heads["days"]}
        if heads.get("sealed_through") is not None:
            found.setdefault(int(heads["sealed_through"]), (None, _hash(heads["head"])))
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"malformed audit chain heads: {e}") from e
    return found


def _hash(value):
    if not isinstance(value, str) or len(value) != 64 or value.strip("0123456789abcdef"):
        raise ValueError(f"not a SHA-256 hex digest: {value!r}")
    return value


def _head_name(day, entry_id):
    return f"{_day_text(day)}的链头（第 {entry_id} 条）" if day else f"链头（第 {entry_id} 条）"


def verify(against=None, against_label=None, start_after=None, start_hash=None, progress=None):
    """Walk the chain from its start (the newest archive cut, ``chain_start``, unless given) to the sealed head (as
    it is when the walk begins) and report what does not match; with ``against`` ({entry id: (day, link hash)},
    ``expected_heads``), also every head that the chain no longer has. Reads only. ``progress(entries walked)`` is
    called after each batch."""
    result = VerifyResult(started_at=utcnow(), against=against_label)
    conn = db.session.connection()
    if start_after is None:
        start = chain_start(conn)
        start_after, start_hash = start.entry_id, start.link_hash
    result.start_after = start_after
    head = _head(conn)
    against = dict(against or {})
    result.heads_compared = len(against)
    for entry_id in [i for i in against if i <= start_after]:  # archived: the archive's own walk checks them
        day, expected = against.pop(entry_id)
        if entry_id == start_after and expected != start_hash:
            result.add(Problem(HEAD, entry_id, f"{_head_name(day, entry_id)}与封存链的起点不一致"))
    if head is not None:
        result.through_entry_id, result.head_hash = head.entry_id, head.link_hash
        _walk(conn, head.entry_id, start_after, start_hash, against, result, progress)
    for entry_id, (day, expected) in sorted(against.items()):  # heads the walk did not reach
        result.add(Problem(HEAD, entry_id, f"{_head_name(day, entry_id)}在当前封存链中不存在：这条记录或它的"
                                           f"封存被删除，或封存链被截短（应为 {expected[:16]}…）"))
    result.finished_at = utcnow()
    db.session.rollback()  # end the read transaction (nothing was written)
    return result


def _walk(conn, through, start_after, previous, against, result, progress):
    """The merge of entries and seals in id order (both read a keyset page at a time). Rows are read by position:
    entry (id, at, …), seal (entry id, day, content hash, link hash)."""
    day_of = _Days()
    seal_columns = (_SEAL.c.entry_id, _SEAL.c.day, _SEAL.c.content_hash, _SEAL.c.link_hash)

    def read_seals(after):
        return conn.execute(sa.select(*seal_columns)
                            .where(_SEAL.c.entry_id > (start_after if after is None else after),
                                   _SEAL.c.entry_id <= through)
                            .order_by(_SEAL.c.entry_id).limit(BATCH)).all()

    entries = _batched(lambda after: _entries_after(conn, start_after if after is None else after, through=through))
    seals = _batched(read_seals)
    entry, seal = next(entries, None), next(seals, None)
    walked = 0
    while entry is not None or seal is not None:
        walked += 1
        if progress is not None and walked % BATCH == 0:
            progress(walked)
        if seal is None or (entry is not None and entry[0] < seal[0]):
            result.add(Problem(UNSEALED, entry[0], f"第 {entry[0]} 条审计记录在已封存的范围内，却没有封存记录："
                                                   "它是在封存之后插入的"))
            entry = next(entries, None)
            continue
        sealed_id, day, content, link = seal
        if entry is None or sealed_id < entry[0]:
            result.add(Problem(MISSING, sealed_id, f"第 {sealed_id} 条审计记录已不存在，但有它的封存记录："
                                                   "它在封存之后被删除"))
        else:
            if content_hash(entry) != content:
                result.add(Problem(CONTENT, sealed_id, f"第 {sealed_id} 条审计记录的内容与封存时不一致：它在封存之后"
                                                       "被修改"))
            elif day_of(entry[1]) != day:
                result.add(Problem(DAY, sealed_id, f"第 {sealed_id} 条审计记录的封存日期与记录时间不符："
                                                   "封存记录被修改"))
            entry = next(entries, None)
        if link_hash(previous, content) != link:
            result.add(Problem(LINK, sealed_id, f"封存链在第 {sealed_id} 条处断开：这条封存记录，或它之前的"
                                                "封存记录，被修改、删除或插入"))
        if against:
            expected = against.pop(sealed_id, None)
            if expected is not None and expected[1] != link:
                result.add(Problem(HEAD, sealed_id, f"{_head_name(expected[0], sealed_id)}与所比对的记录不一致："
                                                    f"当前为 {link[:16]}…，应为 {expected[1][:16]}…；"
                                                    "此前的审计记录在其后被改写"))
        previous = link
        seal = next(seals, None)
    result.entries = walked


def record_check(result, source, requested_by_id=None):
    """Keep a verification's result (the caller commits)."""
    check = AuditCheck(started_at=result.started_at, finished_at=result.finished_at, ok=result.ok,
                       through_entry_id=result.through_entry_id, head_hash=result.head_hash, entries=result.entries,
                       problem_count=result.problem_count, problems=[p.as_dict() for p in result.problems],
                       against=(result.against or None) and result.against[:200], source=source,
                       requested_by_id=requested_by_id)
    db.session.add(check)
    return check


# --- heads: for backups and for publishing ---------------------------------------------------------------

def daily_heads(conn, since=None):
    """(day, entry id, link hash) of each day's highest sealed entry (site time; from ``since`` on), oldest first."""
    last = sa.select(_SEAL.c.day, sa.func.max(_SEAL.c.entry_id).label("entry_id")).group_by(_SEAL.c.day)
    if since is not None:
        last = last.where(_SEAL.c.day >= since)
    last = last.subquery()
    return conn.execute(sa.select(last.c.day, last.c.entry_id, _SEAL.c.link_hash)
                        .join(_SEAL, _SEAL.c.entry_id == last.c.entry_id).order_by(last.c.day)).all()


def chain_heads(conn):
    """The chain's heads as a JSON-ready document: the newest seal (``sealed_through``, ``head``) and each day's
    head (``daily_heads``). ``conn`` is any connection to the database (a backup passes the one its dump reads
    through); None if the database has no seal table."""
    if not sa.inspect(conn).has_table(_SEAL.name):
        return None
    head = _head(conn)
    start = chain_start(conn) if sa.inspect(conn).has_table(_ARCHIVE.name) else Point(0, GENESIS)
    return {
        "format": FORMAT,
        "algorithm": "sha256",
        "genesis": GENESIS,
        "archived_through": start.entry_id or None,  # entries up to here are in archive files (audit_archive)
        "archived_hash": start.link_hash if start.entry_id else None,
        "sealed_through": head.entry_id if head else None,
        "head": head.link_hash if head else None,
        "days": [{"day": row.day.isoformat(), "entry_id": row.entry_id, "hash": row.link_hash}
                 for row in daily_heads(conn) if row.day is not None],
    }


# --- status, for the auditor's page ----------------------------------------------------------------------

@dataclass(frozen=True)
class ChainStatus:
    through_entry_id: int | None
    through_entry_at: datetime | None
    sealed_at: datetime | None
    head_hash: str | None
    unsealed: int
    settle_minutes: int
    last_check: AuditCheck | None
    checks: list
    verifying: Job | None  # a verification queued or running
    recent_days: list  # (day, entry_id, link_hash) rows, newest first
    archived: AuditArchive | None = None  # the newest archive cut (core/audit_archive.py): the chain starts there


def chain_status(recent_checks=10, recent_days=14):
    conn = db.session.connection()
    head = conn.execute(sa.select(_SEAL.c.entry_id, _SEAL.c.link_hash, _SEAL.c.sealed_at, _ENTRY.c.at)
                        .outerjoin(_ENTRY, _ENTRY.c.id == _SEAL.c.entry_id)
                        .order_by(_SEAL.c.entry_id.desc()).limit(1)).first()
    checks = db.session.scalars(sa.select(AuditCheck).order_by(AuditCheck.id.desc()).limit(recent_checks)).all()
    verifying = running_verification()
    today = datetime.now(site_zone()).date()
    days = daily_heads(conn, since=today - timedelta(days=recent_days - 1))
    return ChainStatus(
        through_entry_id=head.entry_id if head else None,
        through_entry_at=head.at if head else None,
        sealed_at=head.sealed_at if head else None,
        head_hash=head.link_hash if head else None,
        unsealed=unsealed_count(conn, head),
        settle_minutes=current_app.config["AUDIT_SEAL_SETTLE_SECONDS"] // 60,
        last_check=checks[0] if checks else None,
        checks=checks,
        verifying=verifying,
        recent_days=list(reversed(days)),
        archived=db.session.scalar(sa.select(AuditArchive).order_by(AuditArchive.through_entry_id.desc()).limit(1)),
    )


# --- jobs ------------------------------------------------------------------------------------------------

def queue_seal(created_by=None):
    """Queue a sealing run for after the commit (the scheduler's, or anyone's); one per transaction."""
    if not jobs.pending(SEAL_KIND):
        jobs.enqueue(SEAL_KIND, SEAL_JOB, title="审计日志封存", created_by=created_by)


def running_verification():
    """The verification queued in this transaction, or queued or running and younger than ``JOB_TIMEOUT`` (an
    older one was lost with its worker), or None."""
    pending = jobs.pending(VERIFY_KIND)
    if pending:
        return pending[0]
    since = utcnow() - timedelta(seconds=current_app.config["JOB_TIMEOUT"])
    return db.session.scalar(sa.select(Job).where(Job.kind == VERIFY_KIND, Job.created_at >= since,
                                                  Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
                             .order_by(Job.id.desc()).limit(1))


def queue_verify(created_by=None):
    """Queue a verification for after the commit; returns the job."""
    return jobs.enqueue(VERIFY_KIND, VERIFY_JOB, title="审计日志封存链核验", created_by=created_by)


def seal_job(job):
    def progress(sealed):
        job.done = sealed
        db.session.commit()

    result = seal_settled(progress=progress)
    job.done = job.total = result.sealed
    log.info("audit chain sealed %s entries, through %s", result.sealed, result.through_entry_id)


def verify_job(job):
    result = verify()
    record_check(result, "job", job.created_by_id)
    job.total = job.done = result.entries
    job.failed = result.problem_count
    if not result.ok:
        log.warning("audit chain verification found %s problems, the first at entry %s", result.problem_count,
                    result.first_problem.entry_id)
