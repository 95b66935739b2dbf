"""The public results page (公示 and final results, with their history): one table per level, the
countdown to the end of 公示 (each row linking to its organization's public record and, once its contract is
in force, to its project's page), the expert panel's names when the call publishes them, the decided objections'
public summaries and the record of changes; the anonymised score table and the expert-draw record with their
checks (复核), as kept by ``checks.py``, and their downloads. Filing an objection is ``awards.objections``' business."""
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy.orm import defer

from grantportal.applications.models import Application
from grantportal.awards.models import (
    Award,
    AwardStatus,
    CheckKind,
    FinalStatus,
    Objection,
    ObjectionStatus,
    Proposal,
    ProposalStatus,
    ResultsRevision,
)
from grantportal.awards.objections.permissions import can_file_objections
from grantportal.awards.proposals import checks
from grantportal.awards.proposals.blueprint import bp
from grantportal.awards.proposals.draw_record import METHOD, SNIPPET
from grantportal.calls.models import Call, Level
from grantportal.calls.permissions import can_view_call
from grantportal.core import links, signals
from grantportal.core.commits import load_signed_in_user
from grantportal.core.db import db, utcnow
from grantportal.core.files import stream_stored
from grantportal.core.paging import Pager, page_number
from grantportal.core.web import error_page
from grantportal.orgs.models import Organization, OrgStatus

PER_LEVEL = 50  # rows per level table; a level with more is paged (?level=…&page=…)
MAX_PAGE = 1000
SHOWN = {False: (AwardStatus.SELECTED, AwardStatus.RESERVE), True: (FinalStatus.SELECTED, FinalStatus.RESERVE)}
# what a row of the results page shows (results.html), and nothing else: read as plain rows, no ORM objects
ROW_COLUMNS = (Award.id, Award.level, Award.rank, Award.final_score, Award.bonus, Award.grade, Award.amount,
               Award.status, Award.final_status, Award.reserve_position, Application.title, Application.category,
               Application.org_id, Organization.name.label("org_name"),
               (Organization.status == OrgStatus.VERIFIED).label("org_verified"))


def countdown(ends_at, now):
    """距公示结束还有X天X小时 (computed on the server; countdown.js only keeps it current)."""
    left = ends_at - now
    if left.total_seconds() <= 0:
        return None
    days, hours = left.days, left.seconds // 3600
    if days == 0 and hours == 0:
        return "距公示结束不足1小时"
    return f"距公示结束还有{days}天{hours}小时"


def row_status(award, final):
    """拟入选 / 候补第N位 during 公示; 入选 / 候补第N位 once final."""
    status = award.final_status if final else award.status
    if status in (AwardStatus.RESERVE, FinalStatus.RESERVE):
        label = f"候补第{award.reserve_position}位" if award.reserve_position else "候补"
        return SimpleNamespace(label=label, reserve=True)
    return SimpleNamespace(label=status.label, reserve=False)


def _level_tables(proposal, final):
    """One table per level: the selected then the reserve projects, paged past ``PER_LEVEL`` rows. The counts
    are read from the index over the shown rows; a page reads the selected in rank order, then the reserves in
    their order, each from the index (ix_award_public, ix_award_public_final) with no sort of the whole level,
    with the columns the page shows of the award, its application and organization (``ROW_COLUMNS``)."""
    status_col = Award.final_status if final else Award.status
    selected, reserve = SHOWN[final]
    counts = {}
    for level, status, n, total in db.session.execute(
            sa.select(Award.level, status_col, sa.func.count(), sa.func.sum(Award.amount))
            .where(Award.proposal_id == proposal.id, status_col.in_(SHOWN[final]))
            .group_by(Award.level, status_col)):
        entry = counts.setdefault(level, SimpleNamespace(selected=0, reserve=0, amount=0))
        if status == selected:
            entry.selected, entry.amount = n, total
        else:
            entry.reserve = n
    chosen, page = request.args.get("level", ""), page_number(MAX_PAGE)
    tables = []
    for level in Level:
        count = counts.get(level)
        if count is None:
            continue
        pager = Pager(count.selected + count.reserve, page if level.value == chosen else 1, PER_LEVEL)
        shown = (sa.select(*ROW_COLUMNS).join(Application, Application.id == Award.application_id)
                 .join(Organization, Organization.id == Application.org_id)
                 .where(Award.proposal_id == proposal.id, Award.level == level))
        awards = []
        if pager.start < count.selected:
            # the page's ids first, from the index alone (a deep page skips index entries, not joined rows)
            ids = (sa.select(Award.id).where(Award.proposal_id == proposal.id, Award.level == level,
                                             status_col == selected)
                   .order_by(Award.rank, Award.id).offset(pager.start).limit(PER_LEVEL).subquery())
            awards = db.session.execute(shown.join(ids, ids.c.id == Award.id)
                                        .order_by(Award.rank, Award.id)).all()
        if count.reserve and len(awards) < PER_LEVEL:
            awards += db.session.execute(
                shown.where(status_col == reserve).order_by(Award.reserve_position, Award.rank, Award.id)
                .offset(max(0, pager.start - count.selected)).limit(PER_LEVEL - len(awards))).all()
        tables.append(SimpleNamespace(
            level=level, counts=count, start=pager.start, awards=awards, pager=pager))
    return tables


def project_pages(tables):
    """{award id: contract id} for the listed rows whose project page is public (funding answers, one query)."""
    return signals.ask(signals.award_public_projects, [a.id for t in tables for a in t.awards])


def _panel(call, proposal):
    """The names of the call's expert panel, as its kept check of the score table read them (``queries.
    panel_names``; reading them on each request would go through every assignment of the call); None while that
    check is being prepared."""
    check, _ = _kept(call, proposal, CheckKind.SCORES, None)
    return check.summary.get("panel") if check is not None and check.ready else None


def _revisions(proposal):
    """The results' history as the page lists it: when, what kind, the summary (not the rows each revision
    published, which name every listed project)."""
    return db.session.scalars(sa.select(ResultsRevision).where(ResultsRevision.proposal_id == proposal.id)
                              .options(defer(ResultsRevision.rows)).order_by(ResultsRevision.id)).all()


def _objections(proposal):
    """(the decided objections as the page lists them — the project's title, the outcome, when, the public
    summary — in the order decided; how many are still open), in one query. It reads the objections and finds
    each one's award by its key: objections are few, a big call's awards many (joined from the awards' side,
    SQLite would go through every award of the call when it has no statistics on objections)."""
    of_proposal = sa.exists().where(Award.id == Objection.award_id, Award.proposal_id == proposal.id)
    title = (sa.select(Application.title).join(Award, Award.application_id == Application.id)
             .where(Award.id == Objection.award_id).scalar_subquery())
    rows = db.session.execute(
        sa.select(Objection.status, Objection.decided_at, Objection.public_summary, title.label("title"))
        .where(of_proposal).order_by(Objection.decided_at, Objection.id)).all()
    return ([r for r in rows if r.status != ObjectionStatus.RECEIVED],
            sum(1 for r in rows if r.status == ObjectionStatus.RECEIVED))


def _call_and_proposal(call_id):
    """The call (404 if unknown) and its proposal or None, in one query."""
    found = db.session.execute(sa.select(Call, Proposal).outerjoin(Proposal, Proposal.call_id == Call.id)
                               .where(Call.id == call_id)).first()
    if found is None:
        abort(404)
    return found.Call, found.Proposal


@bp.route("/calls/<int:call_id>/results")
def public(call_id):
    call, proposal = _call_and_proposal(call_id)
    if not can_view_call(current_user, call):
        abort(404)  # a draft call's existence is not public, as on its own page
    if proposal is None or not proposal.is_public:
        return render_template("awards/results.html", call=call, proposal=None)
    panel = _panel(call, proposal) if call.publish_panel else None  # first: it may commit (a check queued)
    now = utcnow()
    final = proposal.status == ProposalStatus.FINAL
    filing_open = not final and now < proposal.ends_at
    tables = _level_tables(proposal, final)
    decided, open_objections = _objections(proposal)
    return render_template(
        "awards/results.html", call=call, proposal=proposal, final=final, now=now,
        tables=tables, projects=project_pages(tables) if final else {}, row_status=row_status,
        countdown=countdown(proposal.ends_at, now) if filing_open else None, filing_open=filing_open,
        can_object=filing_open and can_file_objections(current_user, proposal), panel=panel,
        decided=decided, open_objections=open_objections,
        revisions=_revisions(proposal),
        link={"project": links.by_id("projects.project", "contract_id"),
              "org": links.by_id("orgs.public_detail", "org_id"), "object": links.by_id("objections.new", "award_id")})


# --- the anonymised score table, the expert-draw record and their checks (issue 12) ------------------------
# Computed by a job and kept (awards/proposals/checks.py): a page reads one summary row and one page row, a
# download streams the kept file.

MAX_DIFFERENCES = 100  # sentences of 复核不一致 listed on a page; the download has every row to see the rest


def _published_proposal_or_404(call_id):
    """The call's published proposal; 404 for unknown and draft calls and for calls without published results."""
    call, proposal = _call_and_proposal(call_id)
    if not can_view_call(current_user, call):
        abort(404)
    if proposal is None or not proposal.is_public:
        abort(404)
    return call, proposal


def _kept(call, proposal, kind, number=1):
    """The kept check and the rows of its page ``number`` (None: no page). A check that is due (none yet, older than
    PUBLIC_CHECK_SECONDS, or made before the results last changed) is queued first; with a synchronous queue
    (tests, the CLI) it has been computed when the commit returns, so the page shows it at once."""
    check, rows = checks.kept_page(proposal, kind, number)
    now = utcnow()
    if checks.is_due(check, now) and checks.request_refresh(proposal, kind, check, now):
        db.session.commit()  # the job is queued only by this commit
        check, rows = checks.kept_page(proposal, kind, number)
        for shown in (call, proposal):  # the commit expired what the page shows: read here, not by the template
            db.session.refresh(shown)
        load_signed_in_user()
    return check, rows


def _check_page(template, call, proposal, kind, **extra):
    check, rows = _kept(call, proposal, kind, page_number(MAX_PAGE))
    if check is None or not check.ready:
        return render_template(template, call=call, proposal=proposal, check=None, **extra)
    pager = Pager(check.total, page_number(MAX_PAGE), check.per_page)
    return render_template(template, call=call, proposal=proposal, check=check, rows=rows, pager=pager,
                           diffs=check.differences[:MAX_DIFFERENCES], **extra)


@bp.route("/calls/<int:call_id>/results/scores")
def scores(call_id):
    call, proposal = _published_proposal_or_404(call_id)
    return _check_page("awards/scores.html", call, proposal, CheckKind.SCORES)


@bp.route("/calls/<int:call_id>/results/draw")
def draw(call_id):
    call, proposal = _published_proposal_or_404(call_id)
    return _check_page("awards/draw.html", call, proposal, CheckKind.DRAW, method=METHOD, snippet=SNIPPET)


def _kept_download(call_id, kind, attribute, filename):
    """The kept file of the call's check, streamed; 503 with Retry-After while the first check is computed."""
    call, proposal = _published_proposal_or_404(call_id)
    check, _rows = _kept(call, proposal, kind)
    record = getattr(check, attribute) if check is not None and check.ready else None
    if record is None:
        body, status = error_page(503, "复核结果正在生成，完成后即可下载，请稍后再试。")
        return Response(body, status, headers={"Retry-After": "60"})
    return stream_stored(record, filename)


@bp.route("/calls/<int:call_id>/results/scores.csv")
def scores_csv(call_id):
    return _kept_download(call_id, CheckKind.SCORES, "file", f"call-{call_id}-scores.csv")


@bp.route("/calls/<int:call_id>/results/draw.csv")
def draw_csv(call_id):
    return _kept_download(call_id, CheckKind.DRAW, "file", f"call-{call_id}-draws.csv")


@bp.route("/calls/<int:call_id>/results/draw.json")
def draw_json_download(call_id):
    return _kept_download(call_id, CheckKind.DRAW, "json_file", f"call-{call_id}-draws.json")
