"""The citizen's survey page (phone first, reached from the project's public page or the QR code posted at the
service site): a signed-in citizen answers once; an anonymous visitor is sent to 公众登录 and comes back; staff and
organization accounts are refused with the reason; outside the window the page says why."""
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from grantportal.citizens.web import citizen_sign_in
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import utcnow
from grantportal.core.extensions import limiter
from grantportal.core.paging import MAX_PAGE, page_number
from grantportal.core.permissions import require
from grantportal.funding.permissions import can_view_public_project
from grantportal.surveys import operations as ops
from grantportal.surveys.blueprint import bp
from grantportal.surveys.forms import answer_form
from grantportal.surveys.permissions import can_answer_survey, can_list_own_answers
from grantportal.surveys.queries import answered_page, survey_for_page


def _public_survey(survey_id):
    survey = survey_for_page(survey_id)
    if survey is None or not can_view_public_project(current_user, survey.contract):
        abort(404)
    return survey


def _page(survey, form, status=200, message=None, problem=None, answered=False):
    return render_template("surveys/answer.html", survey=survey, app=survey.contract.award.application,
                           form=form, message=message, problem=problem, answered=answered), status


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PLEDGE"], methods=["POST"])
@citizen_sign_in
def answer(survey_id):
    """服务对象满意度问卷: each rating 1–5 and an optional comment, once per citizen (verified phone)."""
    survey = _public_survey(survey_id)
    require(can_answer_survey(current_user, survey))
    now = utcnow()
    form = answer_form(survey)
    if ops.has_answered(survey, current_user):
        return _page(survey, form, 409 if form.is_submitted() else 200, answered=True)
    problem = ops.answering_problem(survey, now)
    if problem:
        return _page(survey, form, 409, problem=problem)
    if not form.validate_on_submit():
        return _page(survey, form, 400 if form.is_submitted() else 200)
    with commit_or_refusal(form, taken=ops.ALREADY) as attempt:
        ops.answer(survey, current_user, form.to_data(), now)
    if not attempt.ok:
        survey = _public_survey(survey_id)
        if attempt.refused is ops.ALREADY:
            return _page(survey, form, 409, answered=True)
        return _page(survey, form, attempt.status, attempt.message)
    flash("问卷已提交，感谢您的评价！", "success")
    return redirect(url_for("surveys.answer", survey_id=survey_id), 303)


@bp.route("/surveys/mine")
@citizen_sign_in
def mine():
    """我的问卷: every survey the citizen answered, newest first, each linking to its page."""
    require(can_list_own_answers(current_user))
    return render_template("surveys/mine.html", page=answered_page(current_user.id, page_number(MAX_PAGE),
                                                                    current_app.config["PAGE_SIZE"]))
