"""Retention and archiving of the audit log (网络安全法 第二十一条: logs kept at least six months; issue 15).

``flask audit archive --before YYYY-MM-DD [--out DIR]`` moves the oldest part of the sealed chain
(core/audit_chain.py) out of the database into one compressed file, in a way that keeps both parts verifiable:

1. **Refuse** a cut-off less than six months ago (``RETENTION``, by the site's calendar): nothing younger than six
   months ever leaves the database. Seal what has settled, then verify the whole chain in the database: a chain
   with a problem is not archived (its evidence would leave with it).
2. **Pick the cut** (``plan``): the last sealed entry N such that every entry up to N is dated (site time) before
   the cut-off — normally the daily head of the last day before it, the link hash that every backup manifest and
   published heads list since that day holds. The part archived runs from the chain's current start (the previous
   cut, or the genesis) to N.
3. **Write** ``audit-archive-<first>-<N>-<time>.tar.gz`` in ``BACKUP_DIR`` (or the folder given), holding
   ``entries.jsonl`` (each line the entry's canonical serialization — exactly the bytes its content hash was
   computed over, after ``audit_chain.PREFIX``), ``seals.jsonl`` (entry id, day, content hash, link hash, sealed
   at) and ``manifest.json`` (the start and the cut, both with their link hashes, the counts, the daily heads
   inside and each member's SHA-256). Then **read it back and verify it** (``verify_archive``): every entry's
   content hash, every link from the start's hash, the last link equal to the cut's hash in the database.
4. **Remove** in one transaction: append the cut (``AuditArchive``: N, its link hash, the file's name and SHA-256;
   append-only) and delete the seals and entries after the old start up to N. The database's own triggers allow
   exactly this delete and no other (migration 0034): a row at or below the newest recorded cut, and older than six
   months by the database's clock. The new cut row is itself written to the audit log.
5. **Verify what remains**: ``audit_chain.verify`` now starts at the cut (N, its hash) instead of the genesis, so
   the kept part is checked link by link from the archived head.

``flask audit verify --archive FILE`` verifies an archive file on its own (and, when the database recorded that
cut, that the file is the one recorded and ends at the recorded hash). Keep the archive files and their SHA-256
off-line, with the backups: since the cut hash was in backups and published heads before the cut was made, neither
part can be rewritten without its walk, or the comparison with a manifest, failing.
"""
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import current_app

from grantportal.core import audit_chain as chain
from grantportal.core.audit import AuditEntry
from grantportal.core.audit_chain import AuditArchive, AuditSeal, Point
from grantportal.core.db import db, utcnow
from grantportal.core.timeutil import site_zone

RETENTION = relativedelta(months=6)  # 网络安全法 第二十一条: 留存相关的网络日志不少于六个月
KIND = "grantportal audit archive"
FORMAT = 1
MANIFEST, ENTRIES, SEALS = "manifest.json", "entries.jsonl", "seals.jsonl"
_ENTRY, _SEAL, _ARCHIVE = AuditEntry.__table__, AuditSeal.__table__, AuditArchive.__table__
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class ArchiveRefused(Exception):
    """Why nothing was archived (Chinese, for the operator)."""


def latest_cutoff(today=None):
    """The latest cut-off allowed: six months before today (site calendar)."""
    today = today or datetime.now(site_zone()).date()
    return today - RETENTION


@dataclass(frozen=True)
class Plan:
    cutoff: date
    start: Point  # the chain's start before the cut
    through: Point  # the cut: the last entry archived and its link hash
    entries: int


def plan(cutoff):
    """The part of the chain to archive for ``cutoff`` (module docstring, step 2), or None when nothing sealed is
    dated before it."""
    conn = db.session.connection()
    start = chain.chain_start(conn)
    first_start = datetime.combine(cutoff, datetime.min.time(), tzinfo=site_zone())
    young = conn.scalar(sa.select(sa.func.min(_SEAL.c.entry_id)).where(_SEAL.c.entry_id > start.entry_id,
                                                                       _SEAL.c.day >= cutoff))
    young_entry = conn.scalar(sa.select(sa.func.min(_ENTRY.c.id)).where(_ENTRY.c.id > start.entry_id,
                                                                        _ENTRY.c.at >= first_start))
    bounds = [i for i in (young, young_entry) if i is not None]
    query = sa.select(_SEAL.c.entry_id, _SEAL.c.link_hash).where(_SEAL.c.entry_id > start.entry_id)
    if bounds:
        query = query.where(_SEAL.c.entry_id < min(bounds))
    through = conn.execute(query.order_by(_SEAL.c.entry_id.desc()).limit(1)).first()
    if through is None:
        return None
    count = conn.scalar(sa.select(sa.func.count()).select_from(_SEAL)
                        .where(_SEAL.c.entry_id > start.entry_id, _SEAL.c.entry_id <= through.entry_id))
    return Plan(cutoff, start, Point(through.entry_id, through.link_hash), count)


# --- writing ---------------------------------------------------------------------------------------------

def _entry_line(row):
    """The entry's canonical serialization without the prefix: what ``audit_chain.canonical`` hashes."""
    return chain.canonical(row)[len(chain.PREFIX):]


def _seal_line(row):
    entry_id, day, content, link, sealed_at = row
    return _encode([entry_id, day.isoformat() if day else None, content, link,
                    sealed_at.isoformat(timespec="microseconds")]).encode()


def _archive_path(out_dir, the_plan, now):
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"audit-archive-{the_plan.start.entry_id + 1}-{the_plan.through.entry_id}-{now:%Y%m%dT%H%M%SZ}"
    path, n = out_dir / f"{stem}.tar.gz", 1
    while path.exists():
        n += 1
        path = out_dir / f"{stem}-{n}.tar.gz"
    return path


def _member(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(utcnow().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def write_archive(the_plan, out_dir):
    """Write the planned part of the chain to a new archive file in ``out_dir``; returns its path. Reads a batch
    at a time; the two line files are built in memory (about 1 KB per entry, so ~1 GB per million: archive a few
    months at a time)."""
    conn = db.session.connection()
    start, through = the_plan.start.entry_id, the_plan.through.entry_id
    entries, seals, days = bytearray(), bytearray(), {}
    first = None
    for row in chain._batched(lambda after: chain._entries_after(conn, start if after is None else after,
                                                                through=through)):
        first = row[0] if first is None else first
        entries += _entry_line(row) + b"\n"
    columns = (_SEAL.c.entry_id, _SEAL.c.day, _SEAL.c.content_hash, _SEAL.c.link_hash, _SEAL.c.sealed_at)
    for row in chain._batched(lambda after: conn.execute(
            sa.select(*columns).where(_SEAL.c.entry_id > (start if after is None else after),
                                      _SEAL.c.entry_id <= through)
            .order_by(_SEAL.c.entry_id).limit(chain.BATCH)).all()):
        seals += _seal_line(row) + b"\n"
        if row[1] is not None:
            days[row[1]] = (row[0], row[3])
    now = utcnow()
    manifest = {
        "kind": KIND, "format": FORMAT, "chain_format": chain.FORMAT, "algorithm": "sha256",
        "created_at": now.isoformat(timespec="seconds"), "cutoff": the_plan.cutoff.isoformat(),
        "site": current_app.config["SITE_NAME"], "bureau": current_app.config["BUREAU_NAME"],
        "start_after": start, "start_hash": the_plan.start.link_hash,
        "first_entry_id": first, "through_entry_id": through, "through_hash": the_plan.through.link_hash,
        "entries": entries.count(b"\n"), "seals": seals.count(b"\n"),
        "days": [{"day": day.isoformat(), "entry_id": i, "hash": h} for day, (i, h) in sorted(days.items())],
        "files": {ENTRIES: hashlib.sha256(entries).hexdigest(), SEALS: hashlib.sha256(seals).hexdigest()},
    }
    path = _archive_path(Path(out_dir), the_plan, now)
    partial = path.with_name(path.name + ".part")
    with tarfile.open(partial, "w:gz") as tar:
        _member(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        _member(tar, ENTRIES, bytes(entries))
        _member(tar, SEALS, bytes(seals))
    partial.chmod(0o600)
    partial.replace(path)
    return path


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


# --- verifying a file ------------------------------------------------------------------------------------

@dataclass
class ArchiveCheck:
    path: Path
    manifest: dict | None = None
    sha256: str | None = None
    entries: int = 0
    problems: list = field(default_factory=list)  # Chinese sentences
    recorded: AuditArchive | None = None  # the database's record of this cut, when there is one

    @property
    def ok(self):
        return not self.problems


def _read(path):
    with tarfile.open(path, "r:gz") as tar:
        return {name: tar.extractfile(name).read() for name in (MANIFEST, ENTRIES, SEALS)}


def verify_archive(path, against_database=True):
    """Check an archive file: its members against the manifest's SHA-256, every entry against its seal, every link
    from the start's hash to the cut's, the daily heads; with ``against_database``, also the database's record of
    the cut (same file SHA-256, same link hash) when it has one. Reads only."""
    check = ArchiveCheck(Path(path))
    add = check.problems.append
    try:
        check.sha256 = file_sha256(path)
        members = _read(path)
        manifest = check.manifest = json.loads(members[MANIFEST])
        if manifest.get("kind") != KIND or manifest.get("chain_format") != chain.FORMAT:
            add("不是本平台的审计日志归档文件，或格式版本不同。")
            return check
    except (OSError, tarfile.TarError, KeyError, ValueError, AttributeError) as e:
        add(f"无法读取归档文件：{e}")
        return check
    for name in (ENTRIES, SEALS):
        if hashlib.sha256(members[name]).hexdigest() != manifest["files"].get(name):
            add(f"{name} 的 SHA-256 与清单不符：文件在归档后被修改。")
    entries = members[ENTRIES].splitlines()
    seals = [json.loads(line) for line in members[SEALS].splitlines()]
    check.entries = len(entries)
    if len(entries) != manifest["entries"] or len(seals) != manifest["seals"] or len(entries) != len(seals):
        add(f"条数不符：清单写明 {manifest['entries']} 条记录、{manifest['seals']} 条封存，"
            f"文件中有 {len(entries)} 条记录、{len(seals)} 条封存。")
    previous, days = manifest["start_hash"], {}
    last_id = manifest["start_after"]
    for line, seal in zip(entries, seals, strict=False):
        entry_id = json.loads(line)[0]
        sealed_id, day, content, link = seal[0], seal[1], seal[2], seal[3]
        if entry_id != sealed_id or entry_id <= last_id:
            add(f"第 {entry_id} 条记录与第 {sealed_id} 条封存的顺序不对应。")
            break
        if hashlib.sha256(chain.PREFIX + line).hexdigest() != content:
            add(f"第 {entry_id} 条审计记录的内容与封存不一致：归档后被修改。")
        if chain.link_hash(previous, content) != link:
            add(f"封存链在第 {entry_id} 条处断开。")
        previous, last_id = link, entry_id
        if day is not None:
            days[day] = (entry_id, link)
    if last_id != manifest["through_entry_id"] or previous != manifest["through_hash"]:
        add(f"归档的封存链没有走到清单写明的终点（第 {manifest['through_entry_id']} 条）。")
    listed = {item["day"]: (item["entry_id"], item["hash"]) for item in manifest.get("days", [])}
    if listed != days:
        add("清单中的每日链头与归档的封存记录不符。")
    if against_database:
        _compare_with_database(check)
    return check


def _compare_with_database(check):
    manifest = check.manifest
    record = db.session.scalar(sa.select(AuditArchive)
                               .where(AuditArchive.through_entry_id == manifest["through_entry_id"]))
    check.recorded = record
    if record is None:
        return
    if record.link_hash != manifest["through_hash"] or record.start_hash != manifest["start_hash"]:
        check.problems.append("归档文件的起点或终点链值与数据库中的归档记录不一致。")
    if record.file_sha256 != check.sha256:
        check.problems.append(f"归档文件的 SHA-256 与数据库记录的不同（记录为 {record.file_sha256[:16]}…）："
                              "这不是当时写出的文件。")


# --- the whole command -----------------------------------------------------------------------------------

@dataclass
class ArchiveResult:
    path: Path
    plan: Plan
    sha256: str
    remaining: chain.VerifyResult


def archive(cutoff, out_dir=None, today=None):
    """Steps 1–5 of the module docstring; raises ``ArchiveRefused`` before anything is removed when a step fails."""
    latest = latest_cutoff(today)
    if cutoff > latest:
        raise ArchiveRefused(f"截止日期 {cutoff.isoformat()} 距今不足六个月：审计日志至少保存六个月（网络安全法"
                             f"第二十一条），最晚只能归档 {latest.isoformat()} 之前的记录。")
    chain.seal_settled()
    checked = chain.verify()
    if not checked.ok:
        raise ArchiveRefused(f"封存链核验未通过（{checked.problem_count} 处问题，第一处："
                             f"{checked.first_problem.text}）：先查明问题，核验通过后才能归档。")
    the_plan = plan(cutoff)
    if the_plan is None:
        raise ArchiveRefused(f"没有 {cutoff.isoformat()} 之前的已封存记录可归档。")
    path = write_archive(the_plan, Path(out_dir or current_app.config["BACKUP_DIR"]))
    db.session.rollback()  # end the read transaction before checking the file
    check = verify_archive(path, against_database=False)
    if not check.ok:
        raise ArchiveRefused(f"写出的归档文件 {path.name} 核验未通过（{check.problems[0]}），数据库中的记录未删除。")
    _remove(the_plan, path, check.sha256)
    remaining = chain.verify()
    chain.record_check(remaining, "cli")
    db.session.commit()
    return ArchiveResult(path, the_plan, check.sha256, remaining)


def _remove(the_plan, path, sha256):
    """Record the cut and delete what the archive holds, in one transaction, while no sealer runs."""
    conn = db.session.connection()
    chain._take_turn(conn)
    start = chain.chain_start(conn)
    at_cut = conn.scalar(sa.select(_SEAL.c.link_hash).where(_SEAL.c.entry_id == the_plan.through.entry_id))
    if start != the_plan.start or at_cut != the_plan.through.link_hash:
        db.session.rollback()
        raise ArchiveRefused("归档期间封存链的起点或终点发生了变化（另一次归档？），数据库中的记录未删除；请重新运行。")
    db.session.add(AuditArchive(cutoff=the_plan.cutoff, start_after=start.entry_id, start_hash=start.link_hash,
                                through_entry_id=the_plan.through.entry_id, link_hash=the_plan.through.link_hash,
                                entries=the_plan.entries, file_name=path.name, file_sha256=sha256))
    db.session.flush()
    span = (start.entry_id, the_plan.through.entry_id)
    conn.execute(_SEAL.delete().where(_SEAL.c.entry_id > span[0], _SEAL.c.entry_id <= span[1]))
    conn.execute(_ENTRY.delete().where(_ENTRY.c.id > span[0], _ENTRY.c.id <= span[1]))
    db.session.commit()
