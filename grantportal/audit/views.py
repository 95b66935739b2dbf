"""Browsing the audit log: officers and auditors read all of it; the system administrator only the entries
about accounts (they see no domain data). Keyset pagination: newest first.

The auditor's page on the audit chain (core/audit_chain.py): how far the log is sealed, what the last
verifications found, the recent daily heads; the heads as JSON to publish; a verification on demand."""
import json
from datetime import datetime, time

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.audit import operations as ops
from grantportal.audit.permissions import can_check_audit_chain, can_view_audit_log, can_view_domain_entries
from grantportal.core import audit_chain
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
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
                           first_page=not before, accounts_only=accounts_only,
                           can_check_chain=bool(can_check_audit_chain(current_user)))


@bp.route("/chain")
@login_required
def chain():
    require(can_check_audit_chain(current_user))
    status = audit_chain.chain_status()
    return render_template("audit/chain.html", status=status, last=status.last_check)


@bp.route("/chain/heads.json")
@login_required
def chain_heads():
    """The chain's heads to publish (or keep off-line): ``flask audit verify --against`` reads this file."""
    require(can_check_audit_chain(current_user))
    heads = audit_chain.chain_heads(db.session.connection())
    document = {"site": current_app.config["SITE_NAME"], "bureau": current_app.config["BUREAU_NAME"],
                "generated_at": utcnow().isoformat(timespec="seconds"), **heads}
    resp = Response(json.dumps(document, ensure_ascii=False, indent=1), mimetype="application/json")
    resp.headers["Content-Disposition"] = f"attachment; filename=audit-chain-heads-{utcnow():%Y%m%d}.json"
    return resp


@bp.route("/chain/verify", methods=["POST"])
@login_required
def verify_chain():
    require(can_check_audit_chain(current_user))
    _job, queued = ops.request_verification(current_user)
    db.session.commit()
    flash("已开始核验封存链，完成后本页显示结果。" if queued else "核验已在进行中，完成后本页显示结果。", "success")
    return redirect(url_for("audit.chain"))
