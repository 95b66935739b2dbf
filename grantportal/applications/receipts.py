"""申报回执: the receipt an organization downloads once its application is received.

At submission ``content_digest`` fixes a SHA-256 of what was submitted (the application's text, amounts,
budget lines and the hashes of its attachments, as canonical JSON) on ``Application.content_sha256``. The
receipt prints the application's number, the time it was received (Asia/Shanghai), the call and that hash,
rendered on demand by ``core.pdf`` (the CJK font embedded, as every PDF of the platform), followed by the
诚信承诺书 as the representative signed it (text, signer, time, text version: calls/integrity.py). The organization
can keep the receipt and later show that a given version of its application is the one received."""
import hashlib
import json

from flask import current_app, render_template

from grantportal.calls.integrity import text_version
from grantportal.core.money import format_yuan
from grantportal.core.pdf import render_pdf
from grantportal.core.timeutil import format_datetime, local_today

FIELDS = ("title", "category", "summary", "need_analysis", "objectives", "activity_plan", "beneficiaries",
          "target_count", "area_served", "district", "team")


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
    if app.team_id is not None:  # a grassroots team's application (teams/): the 项目执行团队 is part of it
        content["executing_team"] = app.team_id
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
        "team": (f"{app.executing_team.name}（备案编号 {app.executing_team.filing_number}）"
                 if app.executing_team is not None else None),
        "requested": format_yuan(app.requested_amount), "sha256": app.content_sha256,
        "printed_on": local_today().isoformat(),
        # 诚信承诺书 as signed (applications signed before pledges existed have none)
        "pledge": app.pledge_text.splitlines() if app.pledge_text else None, "pledge_signer": app.pledge_signer,
        "pledge_signed_at": format_datetime(app.pledge_signed_at) if app.pledge_signed_at else None,
        "pledge_version": text_version(app.pledge_text) if app.pledge_text else None,
    }


def render_receipt(app):
    html = render_template("pdf/receipt.html", doc=receipt_facts(app))
    return render_pdf(html, timeout=current_app.config["RENDER_TIMEOUT"])
