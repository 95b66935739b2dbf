"""The public face: home page (信息公示平台), the calls whose 公示 or final results are published (公示与结果)
and the help page for each audience (帮助)."""
import sqlalchemy as sa
from flask import Blueprint, current_app, render_template
from flask_login import current_user

from grantportal.awards.proposals.queries import count_published_results, published_results
from grantportal.calls.cards import card_query, cards, open_figures
from grantportal.calls.models import Call, CallStatus
from grantportal.core.db import db, utcnow
from grantportal.core.paging import Pager, page_number
from grantportal.core.permissions import can_view_public_pages, require
from grantportal.disclosure.statistics.queries import cached
from grantportal.orgs.models import Organization, OrgStatus

bp = Blueprint("disclosure", __name__)

RESULTS_PER_PAGE = 50
RESULTS_MAX_PAGE = 200


@bp.route("/")
def index():
    now = utcnow()
    open_count, open_budget = open_figures(db.session, now)
    calls = cards(db.session, card_query().where(Call.status == CallStatus.PUBLISHED)
                  .order_by(Call.published_at.desc(), Call.id.desc()).limit(6))
    org_count = cached("verified_organizations", lambda: db.session.scalar(
        sa.select(sa.func.count(Organization.id)).where(Organization.status == OrgStatus.VERIFIED)))
    return render_template("disclosure/index.html", calls=calls, org_count=org_count, open_count=open_count,
                           open_budget=open_budget)


@bp.route("/results")
def results():
    """公示与结果: every public call whose 公示 or final results are published, linking to its results page
    (and, once final, to its projects' execution)."""
    require(can_view_public_pages(current_user))
    pager = Pager(count_published_results(), page_number(RESULTS_MAX_PAGE), RESULTS_PER_PAGE)
    return render_template("disclosure/results.html", pager=pager,
                           rows=published_results(pager.start, RESULTS_PER_PAGE))


@bp.route("/help")
def help():
    """帮助: how to sign in and take part, how to object and how to verify a document (公众), how to apply
    (申报机构), how to review (专家). The SMS code's rules are this site's settings."""
    require(can_view_public_pages(current_user))
    cfg = current_app.config
    sms = {"minutes": cfg["SMS_CODE_MINUTES"], "attempts": cfg["SMS_CODE_ATTEMPTS"],
           "resend": cfg["SMS_RESEND_SECONDS"], "daily": cfg["SMS_DAILY_PER_PHONE"]}
    return render_template("disclosure/help.html", sms=sms)
