from flask import Blueprint

bp = Blueprint("applications", __name__)


@bp.route("/applications/")
def mine():
    return "stub"
