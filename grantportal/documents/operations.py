"""Writes of issued documents: issue (pending, in the caller's transaction; rendered by a job after the
commit), render (the job), retry, correct (a new version superseding the old), and batches of notices.

Operations flush under a named audit action and never commit; the job functions (``render_job``,
``batch_job``) are the only code here that commits, as a request would. An issued document never changes:
its file and hash are written once; a correction is a new row with a ``-V2`` number.

A document's status changes only through ``DOCUMENT`` (its steps as data, ``core.workflow``):

    待生成 --出具 (the render job)--> 已出具
    待生成 --生成失败 (the render job)--> 生成失败 --重新生成 (officer)--> 待生成

Documents sit below funding: a contract's terms come in as ``render.ContractTerms`` from the caller, and
domains above learn that a document was issued from the ``document_issued`` signal.

When an award stops, its documents still in force are *ended* (``end_documents``: 已失效 / 已终止, a date and a
public reason written here from the facts, never the officer's own words about people), in the transaction of
the step that stopped it: awards' 递补 (``core.signals.award_withdrawn``: 放弃入选资格 or 未按期签订合同; and
``reserve_promoted``: the promoted project's 未入选告知书 no longer holds) and funding's 终止合同 (which calls
``end_on_termination``). The file and its hash never change: /verify says the file is authentic and no longer in
force.
"""
import hashlib
import logging

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app

from grantportal.awards.models import Award, FinalStatus, Proposal, ProposalStatus
from grantportal.awards.proposals.promotion import DropCause
from grantportal.calls.models import Call, CallKind
from grantportal.core import jobs
from grantportal.core import signals as events
from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row, utcnow
from grantportal.core.errors import Refused
from grantportal.core.files import KINDS, StoredFile, save_bytes
from grantportal.core.masking import mask_text
from grantportal.core.notices import notify
from grantportal.core.pdf import PdfError, missing_glyphs, render_pdf, weasyprint_warnings
from grantportal.core.permissions import is_officer
from grantportal.core.timeutil import format_date
from grantportal.core.workflow import StateMachine, Transition
from grantportal.documents import render
from grantportal.documents.models import DocumentEnd, DocumentKind, DocumentStatus, IssuedDocument
from grantportal.orgs.models import OrgMember

log = logging.getLogger("grantportal.documents")
RENDER = "grantportal.documents.operations:render_job"
BATCH = "grantportal.documents.operations:batch_job"
NOTICE_KINDS = (DocumentKind.SELECTION_NOTICE, DocumentKind.REJECTION_NOTICE)
ONE_PER_AWARD = (*render.CONTRACT_KINDS, *NOTICE_KINDS)

signals = Namespace()
# Sent by ``render_one`` with the document once it is issued (its file stored), inside the rendering
# transaction: ``document_issued.send(doc)``. Receivers may change their own rows and flush, never commit.
# This is how a domain above documents (funding: a corrected contract) follows an issue that documents did
# on its own, in a render job, without documents importing it.
document_issued = signals.signal("document-issued")


MISSING_GLYPH = ("文书中有字体无法显示的字符（生僻字或特殊符号），打印出来会是空白方框，因此未出具。"
                 "请核对机构名称、项目名称等内容中的特殊字符，改正后重新生成；如确需使用生僻字，请联系系统管理员。")


class DocumentRefused(Refused):
    """A document operation refused (``core.errors.Refused``: message, field, status)."""


def _the_render_job(user):
    """Rendering is no person's step: the job queued by whoever issued the document takes it, after that
    commit, as nobody (``user`` is None). Any caller may therefore run it; the state is the only check."""
    return True


D = DocumentStatus
DOCUMENT = StateMachine(
    "document", "status", DocumentStatus, final=frozenset({D.ISSUED}), refusal=DocumentRefused, noun="文书",
    transitions=(
        Transition("render", frozenset({D.PENDING}), D.ISSUED, "出具", "PDF 生成任务", _the_render_job),
        Transition("fail", frozenset({D.PENDING}), D.FAILED, "记录生成失败", "PDF 生成任务", _the_render_job,
                   audit="document.render_failed"),
        Transition("retry", frozenset({D.FAILED}), D.PENDING, "重新生成", "项目官员", is_officer),
    ),
    not_allowed={D.PENDING: "只有生成失败的文书可以重新生成。"},
)


def contract_kind(call):
    return DocumentKind.CONTRACT_PURCHASE if call.kind == CallKind.PURCHASE else DocumentKind.CONTRACT_VENTURE


def notice_kind(award):
    return DocumentKind.SELECTION_NOTICE if award.final_status == FinalStatus.SELECTED else \
        DocumentKind.REJECTION_NOTICE


def _lock_call(call_id):
    """One numbering at a time per call (a row lock on PostgreSQL; SQLite serialises writers)."""
    lock_row(Call, call_id)


def _number_prefix(call, kind):
    return f"{call.code}-{call.year}-{kind.series}"


def _next_seq(call, kind):
    """The next number in the call's series for ``kind`` (BA100-2026-HT0001, -TZ0001, -ZG0001)."""
    prefix = _number_prefix(call, kind)
    numbers = db.session.scalars(
        sa.select(IssuedDocument.number).where(IssuedDocument.number.startswith(prefix, autoescape=True),
                                               IssuedDocument.version == 1)).all()
    return max((int(n[len(prefix):]) for n in numbers if n[len(prefix):].isdigit()), default=0) + 1


def _next_number(call, kind):
    return f"{_number_prefix(call, kind)}{_next_seq(call, kind):04d}"


def _unique_code():
    while True:
        code = render.new_code()
        if not db.session.scalar(sa.select(IssuedDocument.id).where(IssuedDocument.verification_code == code)):
            return code


def current_document(award, kind):
    return db.session.scalar(sa.select(IssuedDocument).where(
        IssuedDocument.award_id == award.id, IssuedDocument.kind == kind, IssuedDocument.superseded_at.is_(None))
        .order_by(IssuedDocument.version.desc(), IssuedDocument.id.desc()).limit(1))


def _check_issuable(award, kind, extras):
    if award.proposal.status != ProposalStatus.FINAL or award.final_status is None:
        raise DocumentRefused("评审结果尚未最终确定，不能出具文书。")
    selected = award.final_status == FinalStatus.SELECTED
    if kind == DocumentKind.REJECTION_NOTICE and selected:
        raise DocumentRefused("该项目已入选，不能出具未入选告知书。")
    if kind != DocumentKind.REJECTION_NOTICE and not selected:
        raise DocumentRefused(f"该项目未入选，不能出具{kind.label}。")
    if kind == DocumentKind.RECTIFICATION_NOTICE and len((extras or {}).get("reason", "").strip()) < 5:
        raise DocumentRefused("请写明整改事项和理由（不少于5个字）。", field="reason", status=400)
    if kind in ONE_PER_AWARD and current_document(award, kind) is not None:
        raise DocumentRefused(f"该项目的{kind.label}已出具；如需更正，请在文书详情页出具更正版本。")


def require_public_address():
    """Refuse to issue while ``PUBLIC_BASE_URL`` is unset (the QR code and the printed verification address
    must be the public one) or the bureau's own identity is incomplete (``render.bureau_identity_problem``).
    Checked before anything is numbered or written."""
    message = render.issuing_refusal()
    if message:
        raise DocumentRefused(message, status=409)


def _new_document(award, kind, user, number, version, terms=None, extras=None, supersedes=None,
                  reason=None):
    code = _unique_code()
    doc = IssuedDocument(
        kind=kind, number=number, version=version, award=award, verification_code=code,
        status=DocumentStatus.PENDING, facts=render.facts(kind, award, number, version),
        body=render.body(kind, award, number, code, terms=terms, extras=extras),
        created_by_id=getattr(user, "id", None), supersedes=supersedes, reason=reason)
    db.session.add(doc)
    db.session.flush()
    return doc


def _enqueue_render(doc, user):
    jobs.enqueue("documents.render", RENDER, title=f"生成{doc.kind.label} {doc.number}", total=1,
                 created_by=user, doc_id=doc.id)


def issue_document(award, kind, user, extras=None, terms=None, enqueue=True):
    """A numbered document for ``award``, pending until the render job (queued for after the commit)
    has written its PDF. A contract needs its ``terms`` (``render.ContractTerms``, from the domain that owns
    the contract); ``extras`` adds to the rendered body (e.g. ``{"reason": …}``)."""
    require_public_address()
    _check_issuable(award, kind, extras)
    if kind in render.CONTRACT_KINDS and terms is None:
        raise DocumentRefused("请先拟定合同。")
    with audit_action("document.issue"):
        call = award.proposal.call
        _lock_call(call.id)
        doc = _new_document(award, kind, user, _next_number(call, kind), 1, terms=terms, extras=extras)
        if enqueue:
            _enqueue_render(doc, user)
    return doc


@events.reserve_promoted.connect
def issue_promotion_notice(award, user, at=None, **_):
    """A reserve promoted after the final result (awards' 递补) gets its own 入选通知书, numbered now in the call's
    TZ series and rendered after the commit (its signing deadline counts from the new notice); it says that the
    project was a reserve and moved up (``promoted``). The 未入选告知书 it may have received as a reserve no longer
    holds: it is ended first (已失效)."""
    at = at or utcnow()
    end_documents(award, user, at, lambda kind: (
        DocumentEnd.LAPSED, f"项目于 {format_date(at)} 按候补顺序递补入选，入选通知书另行出具。"),
        kinds=(DocumentKind.REJECTION_NOTICE,))
    return issue_document(award, DocumentKind.SELECTION_NOTICE, user, extras={"promoted": True})


# --- ending documents: the award stopped ----------------------------------------------------------------

def end_documents(award, user, at, wording, kinds=None):
    """End ``award``'s documents still in force (of ``kinds``, default all): stamped ``ended_at`` = ``at`` and
    ``wording(kind)`` → (``DocumentEnd``, the public reason). Every version not yet replaced is ended, pending and
    failed ones included, so that one rendered later is born ended. The reason is public (/verify): it is written
    from facts and masked (``core.masking.mask_text``) all the same. Flushes under ``document.end``; returns the
    documents ended."""
    query = sa.select(IssuedDocument).where(IssuedDocument.award_id == award.id,
                                            IssuedDocument.superseded_at.is_(None), IssuedDocument.ended_at.is_(None))
    if kinds is not None:
        query = query.where(IssuedDocument.kind.in_(kinds))
    docs = db.session.scalars(query.order_by(IssuedDocument.id)).all()
    if not docs:
        return []
    with audit_action("document.end"):
        for doc in docs:
            state, reason = wording(doc.kind)
            doc.ended_at, doc.end_state, doc.end_reason = at, state, mask_text(reason)
            doc.ended_by_id = getattr(user, "id", None)
        db.session.flush()
    return docs


def _withdrawal_wording(cause, day, promoted):
    """What the award's documents say once it dropped out before its contract came into force (递补)."""
    replaced = "，由递补项目替补" if promoted else ""
    if cause == DropCause.UNSIGNED:
        dropped = f"项目单位未在规定期限内签订合同，于 {day} 取消入选资格"
    else:
        dropped = f"项目单位于 {day} 放弃入选资格"

    def wording(kind):
        if kind in render.CONTRACT_KINDS:
            return DocumentEnd.LAPSED, f"{dropped}，合同未生效{replaced}。"
        if kind == DocumentKind.SELECTION_NOTICE:
            return DocumentEnd.LAPSED, f"{dropped}{replaced}。"
        return DocumentEnd.LAPSED, f"{dropped}，入选资格已取消。"
    return wording


@events.award_withdrawn.connect
def end_on_withdrawal(award, user, at=None, cause=None, promoted=None, **_):
    """A finally selected project dropped out (awards' 递补: 放弃入选资格, or its contract not signed in time): its
    入选通知书, any contract not yet in force and any other current document lapse, in the same transaction."""
    at = at or utcnow()
    return end_documents(award, user, at, _withdrawal_wording(cause, format_date(at), promoted is not None))


def end_on_termination(award, user, at, public_reason=None):
    """终止合同 (funding, after a serious breach): the contract is 已终止 with the public reason, the award's other
    current documents (入选通知书, 整改通知书) lapse. Called by funding in its termination's transaction."""
    day = format_date(at)
    public_reason = " ".join((public_reason or "").split())

    def wording(kind):
        if kind in render.CONTRACT_KINDS:
            return DocumentEnd.TERMINATED, (f"合同已于 {day} 终止：{public_reason.rstrip('。')}。" if public_reason
                                            else f"合同已于 {day} 终止。")
        return DocumentEnd.LAPSED, f"项目合同已于 {day} 终止。"
    return end_documents(award, user, at, wording)


def issue_correction(doc, user, reason):
    """A new version of ``doc`` (number ``…-V2``, new verification code, the data as it is now) that
    supersedes ``doc`` once rendered. The old document keeps its file; both stay listed.

    A contract's terms are carried over from ``doc``: they are fixed once the contract is issued (funding
    issues it only from 待出具, and the call's plan and term are locked once it has a contract)."""
    require_public_address()
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise DocumentRefused("请写明更正原因（不少于5个字）。", field="reason", status=400)
    if doc.status != DocumentStatus.ISSUED or not doc.is_current:
        raise DocumentRefused("只能更正已出具的现行文书。")
    if doc.ended_at is not None:
        raise DocumentRefused(f"该文书{doc.end_state.label}，不能更正。")
    if db.session.scalar(sa.select(IssuedDocument.id).where(IssuedDocument.supersedes_id == doc.id)):
        raise DocumentRefused("该文书已有更正版本在生成或已出具。")
    base = doc.number.split("-V")[0] if doc.version > 1 else doc.number
    version = doc.version + 1
    extras = {k: v for k, v in (doc.body or {}).items() if k in ("reason", "contract")}
    with audit_action("document.correct"):
        _lock_call(doc.award.proposal.call_id)
        new = _new_document(doc.award, doc.kind, user, f"{base}-V{version}", version,
                            extras={**extras, "correction_reason": reason, "supersedes_number": doc.number},
                            supersedes=doc, reason=reason)
        _enqueue_render(new, user)
    return new


def retry(doc, user):
    """A failed document back to 待生成, its render job queued again (after the commit)."""
    step = DOCUMENT.require(user, doc, "retry")
    with audit_action(DOCUMENT.audit_action(step)):
        doc.status, doc.error = step.target, None
        db.session.flush()
        _enqueue_render(doc, user)


# --- rendering (the job) ------------------------------------------------------------------------------

def _members(award):
    return [m.user for m in db.session.scalars(
        sa.select(OrgMember).where(OrgMember.org_id == award.application.org_id)) if m.user.is_active]


def render_one(doc):
    """Render and store one pending document in the current session (no commit). Returns True when
    issued; on a renderer error the document is marked failed with a short message (details logged).
    Once issued, ``document_issued`` is sent."""
    doc.attempts += 1
    try:
        with weasyprint_warnings() as warnings:
            data = render_pdf(render.document_html(doc), timeout=current_app.config["RENDER_TIMEOUT"])
    except Exception as e:  # any renderer failure: the decision stays, the document waits for a retry
        log.exception("document %s (%s) failed to render", doc.id, doc.number)
        DOCUMENT.move(doc, None, "fail",
                      error=str(e) if isinstance(e, PdfError) else "PDF 生成程序出错，请稍后重新生成。")
        return False
    if missing_glyphs(warnings):  # a character no embedded font has would print as an empty box
        log.warning("document %s (%s): %d missing glyph(s)", doc.id, doc.number, len(missing_glyphs(warnings)))
        DOCUMENT.move(doc, None, "fail", error=MISSING_GLYPH)
        return False
    digest = hashlib.sha256(data).hexdigest()
    step = DOCUMENT.require(None, doc, "render")
    with audit_action(DOCUMENT.audit_action(step)):
        record = StoredFile(storage_key=save_bytes(data), original_name=f"{doc.kind.label}-{doc.number}.pdf",
                            extension="pdf", content_type=KINDS["pdf"], size=len(data), sha256=digest,
                            uploaded_by_id=doc.created_by_id)
        db.session.add(record)
        doc.file, doc.sha256, doc.status, doc.error = record, digest, step.target, None
        doc.issued_at = utcnow()
        if doc.supersedes is not None:
            doc.supersedes.superseded_at = doc.issued_at
        db.session.flush()
        document_issued.send(doc)  # e.g. funding: a corrected contract replaces the old one on the contract
        for user in _members(doc.award):
            notify(user, f"{doc.kind.label}已出具", f"{doc.facts['project']}的{doc.kind.label}（编号 {doc.number}）"
                   "已出具，可登录平台下载。", link=f"/documents/{doc.id}/download")
    return True


def render_job(job, doc_id):
    doc = db.session.get(IssuedDocument, doc_id)
    if doc is None or not DOCUMENT.allows(doc, "render"):
        return
    ok = render_one(doc)
    job.done, job.failed = (1, 0) if ok else (0, 1)
    db.session.commit()


# --- batches of notices -------------------------------------------------------------------------------

def awards_without_notice(call):
    """The call's finally decided awards that have no current 入选/未入选 notice yet, in id order."""
    has_notice = sa.select(IssuedDocument.id).where(IssuedDocument.award_id == Award.id,
                                                    IssuedDocument.kind.in_(NOTICE_KINDS)).exists()
    return db.session.scalars(
        sa.select(Award).join(Proposal, Proposal.id == Award.proposal_id)
        .where(Proposal.call_id == call.id, Proposal.status == ProposalStatus.FINAL,
               Award.final_status.is_not(None), ~has_notice).order_by(Award.id)).all()


def issue_notice_batch(call, user):
    """入选通知书 for every selected project and 未入选告知书 for the others, numbered now (pending) and
    rendered by one job with visible progress. Returns the job."""
    require_public_address()
    awards = awards_without_notice(call)
    if not awards:
        raise DocumentRefused("该项目征集的所有项目均已出具通知书，或结果尚未最终确定。")
    with audit_action("document.issue_batch"):
        _lock_call(call.id)
        series = DocumentKind.SELECTION_NOTICE  # 入选 and 未入选 notices share the TZ series
        prefix, seq = _number_prefix(call, series), _next_seq(call, series)
        ids = []
        for i, award in enumerate(awards):
            doc = _new_document(award, notice_kind(award), user, f"{prefix}{seq + i:04d}", 1)
            ids.append(doc.id)
        job = jobs.enqueue("documents.issue_batch", BATCH, title=f"{call.title}：出具入选/未入选通知书",
                           total=len(ids), created_by=user, call_id=call.id, doc_ids=ids)
    return job


def batch_job(job, call_id, doc_ids):
    """Render the batch's documents one by one, committing each with the job's progress."""
    for doc_id in doc_ids:
        doc = db.session.get(IssuedDocument, doc_id)
        if doc is None or not DOCUMENT.allows(doc, "render"):
            job.done += 1
        elif render_one(doc):
            job.done += 1
        else:
            job.failed += 1
        db.session.commit()
