from flask import Blueprint

bp = Blueprint("orgs", __name__)


@bp.route("/org/")
def mine():
    return "stub"


@bp.route("/org/register")
def register():
    return "stub"


@bp.route("/manage/orgs/")
def manage():
    return "stub"
