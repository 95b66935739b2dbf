"""The call's funding pages: the funding summary of its selected projects (award, paid, recovered, matched
funds, leverage) and its funding settings (tranche plan, contract term, reporting interval).

Writes go through ``funding.operations``; each request commits once and, when the operation refuses,
rolls back and shows why next to the field, keeping what was typed."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.calls.models import Call
from grantportal.calls.sources import breakdown_text, call_shares, split
from grantportal.calls.tranche_plan import PlanError, describe, parse_plan
from grantportal.core.commits import commit_or_refusal
from grantportal.core.paging import Pager, get_or_404, page_number
from grantportal.core.permissions import require
from grantportal.funding import operations as ops
from grantportal.funding.forms import FundingSettingsForm, settings_data
from grantportal.funding.matched.queries import call_summary_count, call_summary_rows, call_summary_totals
from grantportal.funding.permissions import (
    can_edit_funding_settings,
    can_view_call_funding,
    can_view_funding_settings,
)
from grantportal.funding.queries import call_has_contracts

bp = Blueprint("funding", __name__)

PER_PAGE = 100
MAX_PAGE = 10_000


# --- the call: funding summary and settings --------------------------------------------------------------

@bp.route("/manage/calls/<int:call_id>/funding")
@login_required
def call_funding(call_id):
    call = get_or_404(Call, call_id)
    require(can_view_call_funding(current_user, call))
    total = call_summary_count(call)
    pager = Pager(total, page_number(MAX_PAGE), PER_PAGE)
    rows = call_summary_rows(call, pager.start, PER_PAGE)
    shares = call_shares(call)  # each project's money by the call's funding sources (calls/sources.py)
    by_source = {row.award.id: (breakdown_text(split(row.seed, shares)),
                                breakdown_text(split(row.paid - row.recovered, shares))) for row in rows}
    return render_template("funding/call_funding.html", call=call, rows=rows, pager=pager,
                           totals=call_summary_totals(call), start=pager.start, by_source=by_source,
                           sources=call.funding_sources)


def _plan_or_none(call):
    try:
        return parse_plan(call.tranche_plan)
    except PlanError:
        return None


def _place_settings_errors(form, messages):
    """PlanError messages start with 第N期 (the N-th used row): put them next to that row; the rest above
    the plan. Returns the plan-level messages."""
    rows = form.used_rows()
    general = []
    for field_name, texts in messages.items():
        if field_name != "plan":
            form[field_name].errors = [*form[field_name].errors, *texts]
            continue
        for text in texts:
            n = next((i for i in range(1, len(rows) + 1) if text.startswith(f"第{i}期")), None)
            if n is None:
                general.append(text)
            else:
                row_field = rows[n - 1][1] if "条件" in text else rows[n - 1][0]
                row_field.errors = [*row_field.errors, text]
    return general


@bp.route("/manage/calls/<int:call_id>/funding-settings", methods=["GET", "POST"])
@login_required
def settings(call_id):
    call = get_or_404(Call, call_id)
    if request.method == "POST":
        require(can_edit_funding_settings(current_user, call))
    else:
        require(can_view_funding_settings(current_user, call))
    locked = call_has_contracts(call)
    plan = _plan_or_none(call)
    plan_errors, status = [], 200
    if request.method == "GET":
        form = FundingSettingsForm(data=settings_data(call, plan or []))
    else:
        form = FundingSettingsForm()
        valid = form.validate()
        if valid:
            with commit_or_refusal() as attempt:
                ops.update_funding_settings(call, current_user, form.plan(), form.contract_months.number,
                                            form.report_every_months.number)
            if not attempt.ok:
                plan_errors, status = _place_settings_errors(form, attempt.refused.messages), attempt.status
            else:
                flash("拨付与合同设置已保存。", "success")
                return redirect(url_for("funding.settings", call_id=call_id), 303)
        else:
            status = 400
        call = get_or_404(Call, call_id)
    return render_template("funding/settings.html", call=call, form=form, plan=plan,
                           plan_words=describe(plan) if plan else None, plan_errors=plan_errors, locked=locked,
                           can_act=can_edit_funding_settings(current_user, call)), status
