"""申报回执: the receipt an organization downloads once its application is received.

At submission ``content_digest`` fixes a SHA-256 of what was submitted (the application's text, amounts,
budget lines and the hashes of its attachments, as canonical JSON) on ``Application.content_sha256``. The
receipt prints the application's number, the time it was received (Asia/Shanghai), the call and that hash,
rendered on demand by ``core.pdf`` (the CJK font embedded, as every PDF of the platform). The organization
can keep the receipt and later show that a given version of its application is the one received."""
import hashlib
import json
from urllib.parse import quote

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.applications.permissions import can_view_application
from grantportal.core.money import format_yuan
from grantportal.core.paging import get_or_404
from grantportal.core.pdf import render_pdf
from grantportal.core.permissions import require
from grantportal.core.timeutil import format_datetime, local_today

bp = Blueprint("receipts", __name__)
FIELDS = ("title", "category", "summary", "need_analysis", "objectives", "activity_plan", "beneficiaries",
          "target_count", "area_served", "team")


def content_digest(app):
    """SHA-256 (hex) of the application's submitted content, as canonical JSON."""
    content = {
        "call": app.call_id, "org": app.org_id, "level": app.level.value,
        **{name: getattr(app, name) for name in FIELDS},
        "total_budget": str(app.total_budget), "requested_amount": str(app.requested_amount),
        "matched_amount": str(app.matched_amount),
        "budget": [[b.category, b.item, str(b.amount), b.source.value] for b in app.budget_lines],
        "attachments": sorted([a.document_id or 0, a.file.original_name, a.file.sha256] for a in app.attachments),
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def receipt_url(app):
    return f"/applications/{app.id}/receipt.pdf"


def receipt_facts(app):
    """What the receipt prints (loaded before rendering)."""
    return {
        "bureau": current_app.config["BUREAU_NAME"], "site": current_app.config["SITE_NAME"],
        "number": app.number, "received_at": format_datetime(app.submitted_at),
        "call": app.call.title, "call_code": f"{app.call.code}-{app.call.year}",
        "org": app.org.name, "uscc": app.org.uscc, "title": app.title, "level": app.level.label,
        "requested": format_yuan(app.requested_amount), "sha256": app.content_sha256,
        "printed_on": local_today().isoformat(),
    }


def render_receipt(app):
    html = render_template("pdf/receipt.html", doc=receipt_facts(app))
    return render_pdf(html, timeout=current_app.config["RENDER_TIMEOUT"])


@bp.route("/applications/<int:app_id>/receipt.pdf")
@login_required
def download(app_id):
    app = get_or_404(Application, app_id, joinedload(Application.call), joinedload(Application.org))
    require(can_view_application(current_user, app))
    if not app.number or not app.content_sha256 or app.submitted_at is None:
        abort(404, "该申报尚未提交，没有申报回执。")
    data = render_receipt(app)
    resp = current_app.response_class(data, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = (f"attachment; filename=\"receipt-{app.id}.pdf\"; "
                                           f"filename*=UTF-8''{quote(f'申报回执-{app.number}.pdf')}")
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
