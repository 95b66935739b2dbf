"""Calls for proposals: the public list and detail pages, and the officers' pages to create, edit,
publish and close a call."""

from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from grantportal.calls import workflow
from grantportal.calls.cards import APPLY, card_query, cards
from grantportal.calls.catalogue_link import public_items
from grantportal.calls.copying import copy_data
from grantportal.calls.describe import eligibility_lines
from grantportal.calls.files.operations import copy_files
from grantportal.calls.form_data import call_data, new_call_data
from grantportal.calls.forms import STAGE_KINDS, CallForm, CloseForm
from grantportal.calls.methods import method_info
from grantportal.calls.models import OPTIONAL_STAGES, Call, CallCatalogueItem, CallFile, CallKind, CallStatus
from grantportal.calls.operations import close_call, copy_settings, create_call, publish_call, update_call
from grantportal.calls.permissions import (
    can_change_call_status,
    can_create_call,
    can_edit_call,
    can_manage_calls,
    can_view_call,
)
from grantportal.calls.workflow import CALL
from grantportal.catalogue.models import CatalogueItem
from grantportal.core import signals
from grantportal.core.commits import commit_or_abort, commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.forms import ButtonForm
from grantportal.core.paging import Pager, get_or_404
from grantportal.core.permissions import require
from grantportal.core.timeutil import local_today
from grantportal.core.wording import quoted

bp = Blueprint("calls", __name__)


MAX_PAGE = 200  # bounded pagination: deeper pages are refused, filters narrow instead
PUBLIC_STATUSES = (CallStatus.PUBLISHED, CallStatus.CLOSED)


def _page():
    """?page= within [1, MAX_PAGE]; missing, 0, negative or not a number is page 1."""
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def _choice(name, allowed):
    value = request.args.get(name, "")
    return value if value in allowed else ""


def _year():
    value = request.args.get("year", "")
    return int(value) if value.isascii() and value.isdigit() and 1900 < int(value) < 2200 else None


# -- public -----------------------------------------------------------------------------------------
@bp.route("/calls/")
def public_list():
    now = utcnow()
    kind = _choice("kind", {k.value for k in CallKind})
    status = _choice("status", set(workflow.PUBLIC_PHASES))
    year = _year()
    query = card_query().where(Call.status.in_(PUBLIC_STATUSES))
    if kind:
        query = query.where(Call.kind == CallKind(kind))
    if year:
        query = query.where(Call.year == year)
    published = Call.status == CallStatus.PUBLISHED
    phase_filter = {
        workflow.Phase.OPEN: sa.and_(published, APPLY.opens_at <= now, APPLY.closes_at > now),
        workflow.Phase.UPCOMING: sa.and_(published, APPLY.opens_at > now),
        workflow.Phase.DEADLINE_PASSED: sa.and_(published, APPLY.closes_at <= now),
        workflow.Phase.CLOSED: Call.status == CallStatus.CLOSED,
    }
    if status:
        query = query.where(phase_filter[status])
    size = current_app.config["PAGE_SIZE"]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    page = Pager(total, _page(), size)
    notes = []
    if total and _page() > page.pages:  # past the last page: the last page, said so
        notes.append(f"所选页码超出结果范围，已显示第 {page.page} 页。")
    items = cards(db.session, query.order_by(Call.published_at.desc(), Call.id.desc()).offset(page.start).limit(size))
    years = db.session.scalars(sa.select(Call.year).where(Call.status.in_(PUBLIC_STATUSES))
                               .distinct().order_by(Call.year.desc())).all()
    filters = {"kind": kind, "status": status, "year": year or ""}
    return render_template("calls/public_list.html", page=page, items=items, filters=filters, years=years, now=now,
                           notes=notes, kinds=list(CallKind), phases=workflow.PUBLIC_PHASES,
                           labels=workflow.PHASE_LABELS, phase=workflow.phase)


@bp.route("/calls/<int:call_id>")
def public_detail(call_id):
    call = db.first_or_404(
        sa.select(Call).where(Call.id == call_id)
        .options(selectinload(Call.levels), selectinload(Call.stages), selectinload(Call.documents),
                 selectinload(Call.criteria), selectinload(Call.files).joinedload(CallFile.file),
                 selectinload(Call.funding_sources),
                 selectinload(Call.catalogue_links).joinedload(CallCatalogueItem.item).joinedload(CatalogueItem.catalogue)))
    if not can_view_call(current_user, call):
        abort(404)  # a draft's existence is not public: 404, not 403
    now = utcnow()
    return render_template("calls/public_detail.html", call=call, now=now, phase=workflow.phase(call, now),
                           labels=workflow.PHASE_LABELS, Phase=workflow.Phase,
                           eligibility=eligibility_lines(call),
                           stages=[(s, workflow.stage_status(s, now)) for s in call.stages if s.enabled],
                           proposal=signals.ask(signals.call_public_proposal, call),
                           method=method_info(call, None), catalogue_items=public_items(call))


# -- management -------------------------------------------------------------------------------------
@bp.route("/manage/calls/")
@login_required
def manage():
    require(can_manage_calls(current_user))
    status = _choice("status", {s.value for s in CallStatus})
    year = _year()
    query = sa.select(Call).options(selectinload(Call.stages))
    if status:
        query = query.where(Call.status == CallStatus(status))
    if year:
        query = query.where(Call.year == year)
    query = query.order_by(Call.created_at.desc(), Call.id.desc())
    page = db.paginate(query, page=_page(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    counts = signals.ask(signals.call_application_counts, [c.id for c in page.items])
    years = db.session.scalars(sa.select(Call.year).distinct().order_by(Call.year.desc())).all()
    return render_template("calls/manage.html", page=page, counts=counts,
                           filters={"status": status, "year": year or ""}, years=years,
                           statuses=list(CallStatus), now=utcnow(), can_create=can_create_call(current_user),
                           can={c.id: SimpleNamespace(edit=can_edit_call(current_user, c),
                                                      move=can_change_call_status(current_user, c))
                                for c in page.items},
                           phase=workflow.phase, labels=workflow.PHASE_LABELS)


@bp.route("/manage/calls/new", methods=["GET", "POST"])
@login_required
def create():
    require(can_create_call(current_user))
    source = _copy_source()
    if request.method == "POST":
        form = CallForm()
    else:
        form = CallForm(data=copy_data(source) if source else new_call_data(local_today()))
    return _edit_page(form, None, source)


def _copy_source():
    """The call to copy (``?from=<id>``), with what the copy reads, or None; an unknown id is a 404."""
    source_id = request.args.get("from", "")
    if not source_id:
        return None
    if not (source_id.isascii() and source_id.isdigit()) or int(source_id) >= 2 ** 31:
        abort(404)
    return get_or_404(Call, int(source_id), selectinload(Call.levels), selectinload(Call.stages),
                      selectinload(Call.documents), selectinload(Call.criteria), selectinload(Call.files))


@bp.route("/manage/calls/<int:call_id>/edit", methods=["GET", "POST"])
@login_required
def edit(call_id):
    call = db.get_or_404(Call, call_id)
    require(can_edit_call(current_user, call))
    if not workflow.is_editable(call):
        abort(409, "已结束的征集不能再修改。")
    options = {"call": call, "locked": workflow.has_applications(call),
               "documents_in_use": signals.ask(signals.call_documents_in_use, call)}
    form = CallForm(**options) if request.method == "POST" else CallForm(data=call_data(call), **options)
    return _edit_page(form, call)


def _edit_page(form, call, source=None):
    if request.method == "POST":
        section = request.form.get("add_row")
        if section:  # "增加一行": show the form again with one more row, nothing saved
            if not form.grow(section):
                flash("已达到该部分允许的最多行数。", "warning")
            return _render_form(form, call, source)
        if form.validate():
            settings = form.settings()
            with commit_or_abort():
                if call is None:
                    call = create_call(current_user, settings)
                    message = "征集已创建（草稿）。核对无误后可发布。"
                    if source is not None:
                        copy_settings(source, call, current_user)
                        copy_files(source, call, current_user)
                        message = (f"已以{quoted(source.title)}为模板创建征集（草稿），评审结果设置、资金拨付设置"
                                   "和附件已一并复制。请核对后发布。")
                else:
                    update_call(call, current_user, settings)
                    message = "征集已保存。"
            flash(message, "success")
            return redirect(url_for("calls.edit", call_id=call.id))
    else:
        form.pad()
    return _render_form(form, call, source)


def _render_form(form, call, source=None):
    if call is not None:  # what the page shows of the call, loaded before it renders
        call = db.session.scalar(sa.select(Call).where(Call.id == call.id)
                                 .options(selectinload(Call.levels), selectinload(Call.criteria))
                                 .execution_options(populate_existing=True))
    return render_template("calls/form.html", form=form, call=call, source=source, stage_kinds=STAGE_KINDS,
                           optional_stages=OPTIONAL_STAGES, CallStatus=CallStatus,
                           method_info=method_info(call, signals.ask(signals.call_valid_responses, call))
                           if call is not None else None)


@bp.route("/manage/calls/<int:call_id>/publish", methods=["GET", "POST"])
@login_required
def publish(call_id):
    call = db.get_or_404(Call, call_id)
    require(can_change_call_status(current_user, call))
    if call.status != CallStatus.DRAFT:
        abort(409, "只有草稿状态的征集才能发布；该征集已发布或已结束。")
    form = ButtonForm()
    ok = bool(CALL.check(current_user, call, "publish"))
    if form.validate_on_submit():
        with commit_or_refusal() as attempt:
            publish_call(call, current_user)
        if attempt.ok:
            flash(f"{quoted(call.title)}已发布，公众现在可以在项目征集页面看到。", "success")
            return redirect(url_for("calls.manage"))
    code = 409 if request.method == "POST" else 200
    return render_template("calls/publish.html", call=call, form=form, ok=ok,
                           problems=workflow.publish_problems(call)), code


@bp.route("/manage/calls/<int:call_id>/close", methods=["GET", "POST"])
@login_required
def close(call_id):
    call = db.get_or_404(Call, call_id)
    require(can_change_call_status(current_user, call))
    decision = CALL.check(current_user, call, "close", confirmed=True)  # the form asks for the confirmation
    if not decision:
        abort(409, decision.reason)
    form = CloseForm()
    if form.validate_on_submit():
        with commit_or_abort():
            close_call(call, current_user)
        flash(f"{quoted(call.title)}已结束。", "success")
        return redirect(url_for("calls.manage"))
    return render_template("calls/close.html", call=call, form=form, now=utcnow(),
                           still_open=workflow.accepting_applications(call))
