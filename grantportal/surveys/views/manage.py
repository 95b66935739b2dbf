"""Officers' survey pages: a project's surveys with the form to open one (the default questionnaire), each survey's
results (counts, the mean and distribution per item; free text masked, for staff only — the project's organization
sees the aggregate), closing early with a reason, and the printable page with the QR code for the service site."""
import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import utcnow
from grantportal.core.permissions import is_staff, require
from grantportal.funding.queries import project_contract
from grantportal.surveys import operations as ops
from grantportal.surveys.blueprint import bp
from grantportal.surveys.forms import CloseForm, SurveyForm
from grantportal.surveys.models import DEFAULT_QUESTIONS, SCALE_WORDS
from grantportal.surveys.permissions import (
    can_close_survey,
    can_list_project_surveys,
    can_open_survey,
    can_print_survey,
    can_view_survey_results,
    may_read_comments,
)
from grantportal.surveys.queries import PUBLIC_MIN_ANSWERS, results_of, survey_for_page, surveys_of


def _contract(contract_id):
    contract = project_contract(contract_id)
    if contract is None:
        abort(404)
    return contract


def _survey(survey_id):
    survey = survey_for_page(survey_id)
    if survey is None:
        abort(404)
    return survey


def _project_page(contract, form=None, status=200, message=None):
    problem = ops.opening_problem(contract)
    return render_template("surveys/project.html", contract=contract, nav_staff=is_staff(current_user),
                           app=contract.award.application,
                           surveys=surveys_of(contract.id), now=utcnow(), form=form or SurveyForm(formdata=None),
                           may_open=bool(can_open_survey(current_user, contract)) and problem is None,
                           problem=problem, message=message, questions=DEFAULT_QUESTIONS), status


@bp.route("/manage/projects/<int:contract_id>/surveys", methods=["GET", "POST"])
@login_required
def project(contract_id):
    """A project's satisfaction surveys, and (officers, project in execution) the form to open one."""
    contract = _contract(contract_id)
    if request.method == "GET":
        require(can_list_project_surveys(current_user, contract))
        return _project_page(contract)
    require(can_open_survey(current_user, contract))
    form = SurveyForm()
    if not form.validate_on_submit():
        return _project_page(contract, form, 400)
    with commit_or_refusal(form) as attempt:
        survey = ops.open_survey(contract, current_user, form.to_data(), utcnow())
    if not attempt.ok:
        return _project_page(_contract(contract_id), form, attempt.status, attempt.message)
    flash("满意度调查已发起。请打印二维码页面交承接机构在服务场所张贴。", "success")
    return redirect(url_for("surveys.results", survey_id=survey.id), 303)


def _results_page(survey, close_form=None, status=200, message=None):
    now = utcnow()
    staff = may_read_comments(current_user)
    return render_template("surveys/results.html", survey=survey, app=survey.contract.award.application,
                           results=results_of(survey, with_comments=staff), staff=staff, state=survey.state(now),
                           may_close=bool(can_close_survey(current_user, survey)) and survey.closes_at > now,
                           close_form=close_form or CloseForm(formdata=None), message=message,
                           scale_words=SCALE_WORDS, public_min=PUBLIC_MIN_ANSWERS), status


@bp.route("/manage/surveys/<int:survey_id>")
@login_required
def results(survey_id):
    survey = _survey(survey_id)
    require(can_view_survey_results(current_user, survey))
    return _results_page(survey)


@bp.route("/manage/surveys/<int:survey_id>/close", methods=["POST"])
@login_required
def close(survey_id):
    """提前结束, with a reason (audited)."""
    survey = _survey(survey_id)
    require(can_close_survey(current_user, survey))
    form = CloseForm()
    if not form.validate():
        return _results_page(survey, form, 400)
    with commit_or_refusal(form) as attempt:
        ops.close_early(survey, current_user, form.reason.data, utcnow())
    if not attempt.ok:
        return _results_page(_survey(survey_id), form, attempt.status, attempt.message)
    flash("问卷已提前结束。", "success")
    return redirect(url_for("surveys.results", survey_id=survey_id), 303)


@bp.route("/surveys/<int:survey_id>/poster")
@login_required
def poster(survey_id):
    """A printable page with the survey's QR code, for the organization to post at the service site."""
    survey = _survey(survey_id)
    require(can_print_survey(current_user, survey))
    link = url_for("surveys.answer", survey_id=survey.id, _external=True)
    qr = segno.make(link, error="m").svg_data_uri(scale=8, border=2)
    return render_template("surveys/poster.html", survey=survey, app=survey.contract.award.application,
                           link=link, qr=qr)
