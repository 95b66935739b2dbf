"""The officer's 待办 home (auditors read it without the export actions), the list of reports waiting for
review, and list exports (answered in the request, or through the job queue when large; see exports.py)."""
from flask import Blueprint, Response, abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from grantportal.calls.models import Call
from grantportal.core.db import db, utcnow
from grantportal.core.jobs import progress_percent
from grantportal.core.jobs_models import Job, JobStatus
from grantportal.core.paging import get_or_404
from grantportal.core.permissions import require
from grantportal.core.storage import get_storage
from grantportal.documents.render import issuing_refusal
from grantportal.monitoring.queries import reports_awaiting_review
from grantportal.workbench import exports
from grantportal.workbench import operations as ops
from grantportal.workbench.permissions import can_download_export, can_export_lists, can_view_workbench
from grantportal.workbench.queries import MAX_PARTS, export_calls, todo_items

bp = Blueprint("workbench", __name__)
REPORTS_SHOWN = 100


def _with_urls(items):
    for item in items:
        if item.link is not None:
            item.link.url = url_for(item.link.endpoint, **item.link.values)
        for part in item.parts:
            part.url = url_for(part.endpoint, **part.values)
    return items


@bp.route("/manage/")
@login_required
def home():
    require(can_view_workbench(current_user))
    items = _with_urls(todo_items(utcnow()))
    can_export = bool(can_export_lists(current_user))
    return render_template("workbench/home.html", items=items, waiting=[i for i in items if i.count],
                           max_parts=MAX_PARTS, can_export=can_export,
                           calls=export_calls() if can_export else [], cannot_issue=issuing_refusal())


@bp.route("/manage/reports/awaiting-review")
@login_required
def reports():
    require(can_view_workbench(current_user))
    return render_template("workbench/reports.html", reports=reports_awaiting_review(REPORTS_SHOWN),
                           shown=REPORTS_SHOWN)


def _export(kind, fmt, call=None):
    rows = exports.count_rows(kind, call)
    job = ops.start_export(current_user, kind, fmt, call, rows)
    db.session.commit()
    if job is not None:
        return redirect(url_for("workbench.export_job", job_id=job.id), 303)
    name, ascii_name = exports.filename(kind, call, fmt), exports.ascii_filename(kind, call, fmt)
    if fmt == "csv":
        # bounded by EXPORT_SYNC_MAX_ROWS, so built in the request (larger lists go to the job queue)
        resp = Response("".join(exports.csv_lines(kind, call)).encode("utf-8"), mimetype="text/csv")
    else:
        resp = Response(exports.xlsx_bytes(kind, call), mimetype=exports.XLSX_TYPE)
    resp.headers["Content-Type"] = exports.content_type(fmt)
    return exports.disposition(resp, name, ascii_name)


@bp.route("/manage/calls/<int:call_id>/export/<any(applications, awards):kind>.<any(xlsx, csv):fmt>")
@login_required
def export_call_list(call_id, kind, fmt):
    call = get_or_404(Call, call_id)
    require(can_export_lists(current_user))
    return _export(exports.KINDS[kind], fmt, call)


@bp.route("/manage/export/<any(payments, monitoring):kind>.<any(xlsx, csv):fmt>")
@login_required
def export_list(kind, fmt):
    require(can_export_lists(current_user))
    return _export(exports.KINDS[kind], fmt)


@bp.route("/manage/exports/<int:job_id>")
@login_required
def export_job(job_id):
    job = get_or_404(Job, job_id)
    if job.kind != "workbench.export":
        abort(404)
    require(can_download_export(current_user, job))
    running = job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    resp = current_app.make_response(render_template("workbench/export_job.html", job=job, running=running,
                                                     percent=progress_percent(job),
                                                     ready=job.status == JobStatus.DONE
                                                     and bool((job.params or {}).get("file_key"))))
    if running:
        resp.headers["Refresh"] = "2"
    return resp


@bp.route("/manage/exports/<int:job_id>/download")
@login_required
def export_download(job_id):
    job = get_or_404(Job, job_id)
    params = job.params or {}
    if job.kind != "workbench.export":
        abort(404)
    require(can_download_export(current_user, job))
    if job.status != JobStatus.DONE or not params.get("file_key"):
        return redirect(url_for("workbench.export_job", job_id=job.id), 303)
    resp = Response(get_storage().read(params["file_key"]), mimetype=exports.XLSX_TYPE)
    resp.headers["Content-Type"] = exports.content_type(params.get("fmt"))
    return exports.disposition(resp, params["filename"], params["ascii_filename"])
