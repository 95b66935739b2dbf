"""The public checks (复核) of published results, computed once and kept (issue 12; DESIGN.md §5, §7).

Building the anonymised score table and recomputing the ranking from it (``score_table.py``), or replaying every
expert draw of a call (``draw_record.py``), reads every ranked application's scores or every draw: linear in the
call's size, about 20 s for the biggest call at national scale. So no request does it. ``compute_job`` computes a
check once and keeps it in a ``PublicCheck`` row: the rows of each page exactly as the page shows them
(``PublicCheckPage``), the sentences of every difference found (复核不一致) and the downloads (CSV, and JSON for
the draws) as stored files. A page then reads one summary row and one page row (``kept_page``), and a download
streams the kept file.

When a check is computed:
- the operations that change what is published (publish, republish, an objection decided, the final results: all
  through ``publicity.record_revision``) call ``results_changed``, which queues the job for both checks after
  their commit;
- a page that finds its check older than ``PUBLIC_CHECK_SECONDS`` (default 3600), or none at all (results
  published before checks were kept), queues it once (``request_refresh``) and meanwhile shows the kept one with
  the time it was computed, or says that it is being prepared. So a score changed behind the platform's back shows
  as 复核不一致 at the latest one period after the change.

The job reads through the same functions the pages used to call, so what a check says is what the page said.
Kept rows are derived data, recomputed from audited rows: they are not audited themselves (core/audit.py).
"""
import csv
import io
import json
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from grantportal.awards.models import CheckKind, Proposal, PublicCheck, PublicCheckPage
from grantportal.awards.proposals import draw_record, score_table
from grantportal.awards.proposals.queries import panel_names
from grantportal.core import jobs
from grantportal.core.db import db, lock_row, move_on, utcnow
from grantportal.core.files import discard, save_file
from grantportal.core.spreadsheet import safe_cell
from grantportal.core.timeutil import format_datetime

JOB_KIND = "awards.public_check"
JOB = "grantportal.awards.proposals.checks:compute_job"
PER_PAGE = {CheckKind.SCORES: 50, CheckKind.DRAW: 20}
PAGE_BATCH = 200  # page rows per INSERT


# --- reading ---------------------------------------------------------------------------------------------

def kept_page(proposal, kind, number):
    """(the kept check or None, the rows of its page ``number``): one statement; a page past the last is the
    last (a second statement, only then). ``number`` None: the check alone."""
    if number is None:
        return kept_check(proposal, kind), []
    found = db.session.execute(
        sa.select(PublicCheck, PublicCheckPage.rows)
        .outerjoin(PublicCheckPage, sa.and_(PublicCheckPage.check_id == PublicCheck.id,
                                            PublicCheckPage.number == number))
        .where(PublicCheck.proposal_id == proposal.id, PublicCheck.kind == kind)).first()
    if found is None:
        return None, []
    check, rows = found
    if rows is None and check.ready and 0 < check.pages < number:
        rows = db.session.scalar(sa.select(PublicCheckPage.rows).where(
            PublicCheckPage.check_id == check.id, PublicCheckPage.number == check.pages))
    return check, rows or []


def kept_check(proposal, kind):
    return db.session.scalar(sa.select(PublicCheck).where(PublicCheck.proposal_id == proposal.id,
                                                          PublicCheck.kind == kind))


def max_age():
    return timedelta(seconds=current_app.config["PUBLIC_CHECK_SECONDS"])


def _on_its_way(check, now):
    """A computation was queued after the kept one and has not had ``JOB_TIMEOUT`` yet to finish."""
    return (check.requested_at is not None
            and (check.computed_at is None or check.requested_at > check.computed_at)
            and now - check.requested_at < timedelta(seconds=current_app.config["JOB_TIMEOUT"]))


def is_due(check, now):
    """Whether a page should queue a new computation: none kept, the kept one older than ``PUBLIC_CHECK_SECONDS``
    or made before the results last changed, and none already on its way."""
    if check is None:
        return True
    if check.ready and not check.outdated and now - check.computed_at < max_age():
        return False
    return not _on_its_way(check, now)


# --- writes: asking for a computation -------------------------------------------------------------------

def _queue(proposal, kind):
    """Queue the job for after the commit, once per transaction and check."""
    for job in jobs.pending(JOB_KIND):
        if job.params.get("proposal_id") == proposal.id and job.params.get("kind") == kind.value:
            return
    jobs.enqueue(JOB_KIND, JOB, title=f"{kind.label}：{proposal.call.title}", total=1,
                 proposal_id=proposal.id, kind=kind.value)


def check_row(proposal, kind):
    """The proposal's ``PublicCheck`` of ``kind``, added (not computed) if there is none: INSERT … ON CONFLICT DO
    NOTHING, so that two requests adding it at the same moment make one row, without an error or a savepoint."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(PublicCheck).values(proposal_id=proposal.id, kind=kind, total=0, per_page=0, pages=0,
                                                  summary={}, differences=[]).on_conflict_do_nothing())
    return kept_check(proposal, kind)


def results_changed(proposal, now):
    """The published results changed at ``now`` (published, published again, changed by an objection, made
    final): both checks are computed again after the commit; until then their pages say that the results
    changed after the check they show."""
    asked = utcnow()
    for kind in CheckKind:
        check = kept_check(proposal, kind) or check_row(proposal, kind)
        check.changed_at, check.requested_at = now, asked
        _queue(proposal, kind)
    db.session.flush()


def request_refresh(proposal, kind, check, now):
    """A page found its check due (``is_due``): queue one computation. Of several requests at the same moment
    only the one that moves ``requested_at`` on from what it read queues it (a conditional UPDATE). Returns
    whether this request queued it; the caller commits."""
    if check is None:
        check = check_row(proposal, kind)
        if not is_due(check, now):  # another request added it and queued its computation first
            return False
    if not move_on(check, "requested_at", now):
        return False
    _queue(proposal, kind)
    return True


# --- the job --------------------------------------------------------------------------------------------

def compute_job(job, proposal_id, kind):
    """The queued job: compute the check and keep it (its own transaction, committed here)."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is not None and proposal.is_public:
        compute(proposal, CheckKind(kind))
        job.done = 1
    db.session.commit()


def compute(proposal, kind, now=None):
    """Compute the check of ``kind`` for the published ``proposal`` and keep it, replacing the kept one unless a
    computation that read the data later was kept meanwhile. Flushes; the caller commits."""
    started = now or utcnow()
    built = build_scores(proposal) if kind == CheckKind.SCORES else build_draws(proposal)
    check = kept_check(proposal, kind) or check_row(proposal, kind)
    check = lock_row(PublicCheck, check.id, reload=True)  # two jobs for one check keep one result at a time
    if check.computed_at is not None and check.computed_at > started:
        built.close()
        return check
    db.session.execute(sa.delete(PublicCheckPage).where(PublicCheckPage.check_id == check.id))
    pages = built.pages()
    for start in range(0, len(pages), PAGE_BATCH):
        db.session.execute(sa.insert(PublicCheckPage), [
            {"check_id": check.id, "number": number, "rows": rows}
            for number, rows in enumerate(pages[start:start + PAGE_BATCH], start + 1)])
    old = [check.file, check.json_file]
    check.file, check.json_file = built.stored("file"), built.stored("json_file")
    check.computed_at, check.total, check.per_page, check.pages = started, len(built.rows), built.per_page, len(pages)
    check.summary, check.differences = built.summary, built.differences
    db.session.flush()
    for record in old:
        discard(record)
    db.session.flush()
    return check


@dataclass
class Built:
    """A computed check before it is kept: its rows as the pages show them, and its downloads in temporary
    files ({attribute: (file, name, extension, content type)})."""

    per_page: int
    rows: list
    summary: dict
    differences: list
    files: dict = field(default_factory=dict)

    def pages(self):
        chunks = [self.rows[i:i + self.per_page] for i in range(0, len(self.rows), self.per_page)]
        return chunks or [[]]

    def stored(self, attribute):
        if attribute not in self.files:
            return None
        source, name, extension, content_type = self.files.pop(attribute)
        with source:
            return save_file(source, name, extension, content_type)

    def close(self):
        for source, *_ in self.files.values():
            source.close()
        self.files.clear()


def _csv_file(lines):
    """The lines as a UTF-8 CSV with a BOM (for spreadsheet programs) in a temporary file, written as they come."""
    out = tempfile.TemporaryFile()
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    text.write("\ufeff")
    writer = csv.writer(text)
    for line in lines:
        writer.writerow([safe_cell(c) for c in line])
    text.flush()
    text.detach()
    return out


def _json_file(data):
    out = tempfile.TemporaryFile()
    text = io.TextIOWrapper(out, encoding="utf-8")
    json.dump(data, text, ensure_ascii=False, indent=1)
    text.flush()
    text.detach()
    return out


CSV = "text/csv; charset=utf-8"


def build_scores(proposal):
    """The score table's check: per ranked application what the page's row shows (the experts' totals under
    their letters, the criterion points when published, the round scores and final score recomputed beside the
    published ones), the rules printed above the table, and the CSV."""
    call = proposal.call
    table = score_table.score_table(call, proposal)
    again = score_table.recompute(table)
    rows = [score_row(table, row, again[row.application_id]) for row in table.rows]
    summary = {"formula": table.formula, "rounds": [{"name": r.name, "words": r.words} for r in table.rounds],
               "tie_break": table.tie_break, "criteria": table.criteria,
               "panel": panel_names(call)}  # printed on the results page only when the call publishes its panel
    built = Built(PER_PAGE[CheckKind.SCORES], rows, summary, score_table.differences(table, again))
    built.files["file"] = (_csv_file(score_table.score_lines(table)), f"call-{call.id}-scores.csv", "csv", CSV)
    return built


def score_row(table, row, again):
    return {
        "number": row.number, "title": row.title, "org": row.org_name, "level": row.level.label,
        "rounds": [{
            "experts": [expert_text(label, total, points if table.criteria else [])
                        for label, total, points in row.scores.get(rule.id, [])],
            "score": f"{again.round_scores[rule.id]}" if rule.id in again.round_scores else "—",
        } for rule in table.rounds],
        "grade": row.grade or "未评级", "tier_bonus": f"{row.tier_bonus}", "matched_bonus": f"{row.matched_bonus}",
        "final": f"{row.published_final}" if row.published_final is not None else "—",
        "rank": row.published_rank, "again_final": f"{again.final}", "again_rank": again.rank,
    }


def expert_text(label, total, points):
    """专家A：88.0（需求分析18，项目设计27，…）: one expert's total, with the criterion points when published."""
    detail = "，".join(f"{name}{p}" for name, p in points)
    return f"{label}：{total}" + (f"（{detail}）" if detail else "")


def build_draws(proposal):
    """The draw record's check: per draw what the page shows (seed, size, every expert considered under a label
    with load or reason, the result and its replay), and the CSV and JSON downloads."""
    call = proposal.call
    record = draw_record.draw_record(call, proposal)
    rows = [draw_row(d) for rnd in record for d in rnd.draws]
    built = Built(PER_PAGE[CheckKind.DRAW], rows, {}, draw_record.differences(record))
    built.files["file"] = (_csv_file(draw_record.draw_lines(record)), f"call-{call.id}-draws.csv", "csv", CSV)
    built.files["json_file"] = (_json_file(draw_record.draw_json(call, record)), f"call-{call.id}-draws.json",
                                "json", "application/json")
    return built


def draw_row(draw):
    again = draw_record.replay(draw)
    return {
        "round_name": draw.round_name, "number": draw.number, "application": draw.application,
        "drawn_at": format_datetime(draw.drawn_at), "seed": draw.seed, "size": draw.size,
        "candidates": len(draw.candidates), "excluded": len(draw.excluded), "picked": draw.picked,
        "again": again, "consistent": again == draw.picked,
        "considered": [list(row) for row in draw_record.considered(draw)],
    }
