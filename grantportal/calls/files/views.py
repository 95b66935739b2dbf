"""A call's files: the officers' 附件 page (upload, remove) and the download everyone who sees the call has."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from grantportal.calls.files import operations as ops
from grantportal.calls.files.forms import CallFileForm
from grantportal.calls.models import Call, CallFile, CallStatus
from grantportal.calls.permissions import can_edit_call, can_manage_calls, can_view_call
from grantportal.core.commits import commit_or_abort, commit_or_refusal
from grantportal.core.files import UploadError, send_stored
from grantportal.core.forms import ButtonForm
from grantportal.core.paging import get_or_404
from grantportal.core.permissions import require
from grantportal.core.wording import quoted

bp = Blueprint("files", __name__)


def _call(call_id):
    return get_or_404(Call, call_id, selectinload(Call.files).joinedload(CallFile.file))


def _item(call, file_id):
    item = next((f for f in call.files if f.id == file_id), None)
    if item is None:
        abort(404)
    return item


@bp.route("/manage/calls/<int:call_id>/files", methods=["GET", "POST"])
@login_required
def manage(call_id):
    call = _call(call_id)
    require(can_manage_calls(current_user))
    may_edit = can_edit_call(current_user, call) and call.status != CallStatus.CLOSED
    form = CallFileForm()
    message, status = None, 200
    if may_edit and form.validate_on_submit():
        try:
            with commit_or_refusal(form) as attempt:
                ops.add_file(call, form.kind.data, form.title.data, form.file.data, current_user)
        except UploadError as e:
            form.file.errors.append(str(e))
        else:
            if attempt.ok:
                flash(f"已上传{quoted(form.title.data)}。征集发布后，公众可在征集页面下载。", "success")
                return redirect(url_for("files.manage", call_id=call.id))
            message, status = attempt.message, attempt.status
        call = _call(call_id)
    elif form.is_submitted():
        require(may_edit)
    return render_template("calls/files.html", call=call, form=form, may_edit=may_edit, button=ButtonForm(),
                           message=message), status


@bp.route("/manage/calls/<int:call_id>/files/<int:file_id>/remove", methods=["POST"])
@login_required
def remove(call_id, file_id):
    call = _call(call_id)
    require(can_edit_call(current_user, call))
    item = _item(call, file_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    title = item.title
    with commit_or_abort():
        ops.remove_file(item, current_user)
    flash(f"已删除{quoted(title)}。", "success")
    return redirect(url_for("files.manage", call_id=call_id))


@bp.route("/calls/<int:call_id>/files/<int:file_id>")
def download(call_id, file_id):
    call = _call(call_id)
    if not can_view_call(current_user, call):
        abort(404)  # a draft's existence is not public
    return send_stored(_item(call, file_id).file)
