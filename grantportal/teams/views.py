"""Pages of grassroots teams: the leader registers the team and follows its supporting organization's decision
(我的团队); the supporting organization's members confirm or decline (挂靠团队)."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.forms import ButtonForm
from grantportal.core.inputs import normalize_code
from grantportal.core.paging import get_or_404
from grantportal.core.permissions import require
from grantportal.core.wording import quoted
from grantportal.orgs.models import Organization, OrgStatus
from grantportal.orgs.queries import search_condition
from grantportal.teams import operations as ops
from grantportal.teams.forms import DeclineForm, SupportingOrgForm, TeamForm
from grantportal.teams.models import SupportStatus, Team
from grantportal.teams.permissions import (
    can_decide_support,
    can_list_supported_teams,
    can_register_team,
    can_view_my_team,
)
from grantportal.teams.queries import team_led_by, teams_of_org

bp = Blueprint("teams", __name__)
SEARCH_LIMIT = 10


def _candidates():
    """Verified organizations matching the page's search (名称或统一社会信用代码), to pick a supporting one."""
    text = (request.args.get("q") or "").strip()[:60]
    if not text:
        return text, []
    orgs = db.session.scalars(sa.select(Organization)
                              .where(Organization.status == OrgStatus.VERIFIED, search_condition(text))
                              .order_by(Organization.name, Organization.id).limit(SEARCH_LIMIT)).all()
    return text, orgs


def _picked():
    """The USCC picked from the search results (?uscc=…), to fill the field."""
    return normalize_code(request.args.get("uscc") or "")[:18]


@bp.route("/teams/register", methods=["GET", "POST"])
@login_required
def register():
    require(can_register_team(current_user))
    if team_led_by(current_user) is not None:
        return redirect(url_for("teams.mine"))
    form = TeamForm(data={"supporting_uscc": _picked()} if request.method == "GET" else None)
    status, message = 200, None
    if request.method == "POST":
        if form.validate():
            with commit_or_refusal(form) as attempt:
                ops.register_team(form.to_data(), current_user, utcnow())
            if attempt.ok:
                flash("团队已登记，已通知支持机构确认挂靠。确认后即可通过支持机构申报。", "success")
                return redirect(url_for("teams.mine"))
            status, message = attempt.status, attempt.message
        else:
            status = 400
    q, candidates = _candidates()
    return render_template("teams/register.html", form=form, q=q, candidates=candidates, message=message), status


@bp.route("/teams/mine", methods=["GET", "POST"])
@login_required
def mine():
    """The leader's team; after a refusal, the form to name another supporting organization (POST)."""
    require(can_view_my_team(current_user))
    team = team_led_by(current_user)
    if team is None:
        if request.method == "POST":
            abort(404)
        return render_template("teams/mine_empty.html", may_register=bool(can_register_team(current_user)))
    form = SupportingOrgForm(data={"supporting_uscc": _picked()} if request.method == "GET" else None)
    status, message = 200, None
    if request.method == "POST":
        if form.validate():
            with commit_or_refusal(form) as attempt:
                ops.rename_support(team, form.supporting_uscc.data, current_user, utcnow())
            if attempt.ok:
                flash("已重新提交挂靠申请，等待支持机构确认。", "success")
                return redirect(url_for("teams.mine"))
            status, message = attempt.status, attempt.message
            team = team_led_by(current_user)
        else:
            status = 400
    q, candidates = _candidates()
    return render_template("teams/mine.html", team=team, form=form, q=q, candidates=candidates, message=message,
                           may_rename=ops.TEAM.allows(team, "rename")), status


@bp.route("/orgs/teams")
@login_required
def supported():
    """The supporting organization's list: teams waiting for its decision first."""
    require(can_list_supported_teams(current_user))
    org = current_user.org
    return render_template("teams/supported.html", org=org, teams=teams_of_org(org.id), button=ButtonForm(),
                           decline_form=DeclineForm(formdata=None), pending=SupportStatus.PENDING,
                           failed_id=None)


def _decide(team_id):
    team = get_or_404(Team, team_id)
    require(can_decide_support(current_user, team))
    return team


@bp.route("/teams/<int:team_id>/confirm", methods=["POST"])
@login_required
def confirm(team_id):
    team = _decide(team_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    with commit_or_refusal() as attempt:
        ops.confirm_support(team, current_user, utcnow())
    if not attempt.ok:
        abort(attempt.status, attempt.message)
    flash(f"已确认作为{quoted(team.name)}的支持机构，已通知团队负责人。", "success")
    return redirect(url_for("teams.supported"))


@bp.route("/teams/<int:team_id>/decline", methods=["POST"])
@login_required
def decline(team_id):
    team = _decide(team_id)
    form = DeclineForm()
    status = 400
    if form.validate():
        with commit_or_refusal(form) as attempt:
            ops.decline_support(team, current_user, form.reason.data, utcnow())
        if attempt.ok:
            flash(f"已拒绝{quoted(team.name)}的挂靠申请，已通知团队负责人。", "success")
            return redirect(url_for("teams.supported"))
        status = attempt.status
    org = current_user.org
    return render_template("teams/supported.html", org=org, teams=teams_of_org(org.id), button=ButtonForm(),
                           decline_form=form, pending=SupportStatus.PENDING, failed_id=team_id), status
