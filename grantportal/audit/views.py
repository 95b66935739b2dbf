"""Browsing the audit log: officers and auditors read all of it; the system administrator only the entries
about accounts (they see no domain data). Keyset pagination: newest first."""
from datetime import datetime, time

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from grantportal.audit.permissions import can_view_audit_log, can_view_domain_entries
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.inputs import as_id
from grantportal.core.permissions import require
from grantportal.core.timeutil import local_to_utc

bp = Blueprint("audit", __name__, url_prefix="/audit")

ACCOUNT_ENTRIES = "user"  # what the system administrator may read: changes to accounts (sign-ins included)


def _date(text):
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return None


@bp.route("/")
@login_required
def index():
    require(can_view_audit_log(current_user))
    args = request.args
    query = db.select(AuditEntry)
    accounts_only = not can_view_domain_entries(current_user)
    if accounts_only:
        query = query.where(AuditEntry.object_type == ACCOUNT_ENTRIES)
    filters = {
        "actor": (args.get("actor") or "").strip(),
        "action": (args.get("action") or "").strip(),
        "object_type": (args.get("object_type") or "").strip(),
        "object_id": (args.get("object_id") or "").strip(),
        "request_id": (args.get("request_id") or "").strip(),
        "since": args.get("since") or "",
        "until": args.get("until") or "",
    }
    if filters["actor"]:
        query = query.where(AuditEntry.actor_name == filters["actor"].lower())
    if filters["action"]:
        query = query.where(AuditEntry.action.startswith(filters["action"]))
    if filters["object_type"]:
        query = query.where(AuditEntry.object_type == filters["object_type"])
    if filters["object_id"]:
        query = query.where(AuditEntry.object_id == filters["object_id"])
    if filters["request_id"]:
        query = query.where(AuditEntry.request_id == filters["request_id"])
    since, until = _date(filters["since"]), _date(filters["until"])
    if since:
        query = query.where(AuditEntry.at >= local_to_utc(datetime.combine(since, time.min)))
    if until:
        query = query.where(AuditEntry.at <= local_to_utc(datetime.combine(until, time.max)))
    before = as_id(args.get("before"))
    if before:
        query = query.where(AuditEntry.id < before)
    size = current_app.config["PAGE_SIZE"]
    rows = db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    types = [ACCOUNT_ENTRIES] if accounts_only else db.session.scalars(
        db.select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)).all()
    next_args = {k: v for k, v in filters.items() if v}
    return render_template("audit/index.html", rows=rows, filters=filters, types=types,
                           next_before=rows[-1].id if more else None, next_args=next_args,
                           first_page=not before, accounts_only=accounts_only)
