from flask import Blueprint

bp = Blueprint("applications", __name__)


@bp.route("/applications/")
def mine():
    return "stub"


@bp.route("/calls/<int:call_id>/apply", methods=["GET", "POST"])
def new(call_id):
    return "stub"


@bp.route("/manage/calls/<int:call_id>/applications")
def call_list(call_id):
    return "stub"
