"""The inbox pages (站内消息) of every signed-in user, and the unread count the navigation shows.

The count is computed before the view runs (``count_unread``, a before-request hook) and read by the
navigation from ``g``, so no page queries while its template renders."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.core.db import db
from grantportal.core.notices import Notice
from grantportal.core.paging import get_or_404, page_number
from grantportal.core.permissions import is_signed_in, require
from grantportal.inbox.operations import mark_all_read, mark_read
from grantportal.inbox.permissions import can_list_notices, can_read_notice
from grantportal.inbox.queries import notice_page, unread_count

bp = Blueprint("inbox", __name__)
MAX_PAGE = 1000


@bp.before_app_request
def count_unread():
    """``g.unread_notices``: the signed-in user's unread notices (None for visitors and static files)."""
    g.unread_notices = None
    if request.endpoint != "static" and is_signed_in(current_user):
        g.unread_notices = unread_count(current_user.id)


def _own_notice(notice_id):
    """The user's own notice; another user's is a 404 (an id says nothing about whose it is)."""
    notice = get_or_404(Notice, notice_id)
    if not can_read_notice(current_user, notice):
        abort(404)
    return notice


def _safe_link(link):
    """Only the site's own paths are followed (a notice's link is written by the platform)."""
    return link if link and link.startswith("/") and not link.startswith("//") and "\\" not in link else None


@bp.route("/inbox")
@login_required
def index():
    require(can_list_notices(current_user))
    page = notice_page(current_user.id, page_number(MAX_PAGE))
    links = {n.id: _safe_link(n.link) for n in page.items}
    return render_template("inbox/index.html", page=page, links=links, unread=g.unread_notices)


@bp.route("/inbox/<int:notice_id>/read", methods=["POST"])
@login_required
def read(notice_id):
    notice = _own_notice(notice_id)
    mark_read(notice)
    db.session.commit()
    link = _safe_link(notice.link)
    if request.form.get("go") and link:
        return redirect(link)
    return redirect(url_for("inbox.index", page=request.args.get("page", 1, type=int)))


@bp.route("/inbox/read-all", methods=["POST"])
@login_required
def read_all():
    require(can_list_notices(current_user))
    count = mark_all_read(current_user)
    db.session.commit()
    flash(f"已将{count}条消息标为已读。" if count else "没有未读消息。", "success")
    return redirect(url_for("inbox.index"))
