from flask import Blueprint

bp = Blueprint("calls", __name__)


@bp.route("/calls/")
def public_list():
    return "stub"


@bp.route("/calls/<int:call_id>")
def public_detail(call_id):
    return "stub"


@bp.route("/manage/calls/")
def manage():
    return "stub"
