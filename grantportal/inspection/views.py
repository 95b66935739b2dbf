"""Pages of third-party supervision: the officer's agencies (register, staff accounts, appointments and ending
one early); the third party's 我的监管项目 and a project's supervision page; 实地检查 (made for a tablet) and
evaluations, each with the officer's 确认 / 退回; visit photos.

Writes go through ``inspection.operations``; each request commits once and, when an operation refuses, rolls
back and shows why next to the field, keeping what was typed."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.files import UploadError, check_upload, send_stored
from grantportal.core.inputs import as_id
from grantportal.core.notices import notices_committed
from grantportal.core.paging import get_or_404
from grantportal.core.permissions import require
from grantportal.core.photos import PHOTO_EXTENSIONS
from grantportal.core.timeutil import local_today
from grantportal.core.wording import quoted
from grantportal.funding.payments.tranches import tranche_states
from grantportal.funding.queries import project_contract
from grantportal.inspection import operations as ops
from grantportal.inspection import queries
from grantportal.inspection.forms import (
    AgencyForm,
    AppointmentForm,
    DecideForm,
    EndAppointmentForm,
    EvaluationForm,
    StaffForm,
    VisitForm,
    evaluation_data,
    evaluation_kind,
    visit_data,
)
from grantportal.inspection.models import (
    Appointment,
    CheckResult,
    EvaluationKind,
    InspectionVisit,
    ThirdPartyEvaluation,
    VisitPhoto,
    WorkStatus,
)
from grantportal.inspection.permissions import (
    can_decide_inspection_work,
    can_edit_inspection_work,
    can_end_appointment,
    can_list_agencies,
    can_list_supervised_projects,
    can_manage_agencies,
    can_record_inspection,
    can_view_inspection_work,
    can_view_supervised_project,
)

bp = Blueprint("inspection", __name__)


def _contract(contract_id):
    contract = project_contract(contract_id)
    if contract is None:
        abort(404)
    return contract


def _visit(visit_id):
    return get_or_404(InspectionVisit, visit_id, joinedload(InspectionVisit.agency),
                      selectinload(InspectionVisit.checks), selectinload(InspectionVisit.photos)
                      .joinedload(VisitPhoto.file))


def _evaluation(evaluation_id):
    return get_or_404(ThirdPartyEvaluation, evaluation_id, joinedload(ThirdPartyEvaluation.agency),
                      selectinload(ThirdPartyEvaluation.scores))


def visit_link(visit):
    return url_for("inspection.visit", visit_id=visit.id)


def evaluation_link(evaluation):
    return url_for("inspection.evaluation", evaluation_id=evaluation.id)


def work_link(work):
    return visit_link(work) if isinstance(work, InspectionVisit) else evaluation_link(work)


# --- the officer's agencies ------------------------------------------------------------------------------

def _agencies_page(form=None, status=200):
    return render_template("inspection/agencies.html", agencies=queries.agencies(),
                           form=form or AgencyForm(), can_manage=can_manage_agencies(current_user)), status


@bp.route("/manage/third-parties")
@login_required
def agencies():
    require(can_list_agencies(current_user))
    return _agencies_page()


@bp.route("/manage/third-parties", methods=["POST"])
@login_required
def create_agency():
    require(can_manage_agencies(current_user))
    form = AgencyForm()
    if not form.validate():
        return _agencies_page(form, 400)
    with commit_or_refusal(form) as attempt:
        agency = ops.create_agency(current_user, form.to_data())
    if not attempt.ok:
        return _agencies_page(form, attempt.status)
    flash(f"已登记第三方机构{quoted(agency.name)}。请添加其工作人员账户并委托监管。", "success")
    return redirect(url_for("inspection.agency", agency_id=agency.id), 303)


def _agency(agency_id):
    agency = queries.agency_page(agency_id)
    if agency is None:
        abort(404)
    return agency


def _agency_page(agency, staff_form=None, appointment_form=None, message=None, status=200):
    return render_template("inspection/agency.html", agency=agency, staff_form=staff_form or StaffForm(),
                           appointment_form=appointment_form or AppointmentForm(),
                           calls=queries.calls_with_contracts(), contracts=queries.appointable_contracts(),
                           can_manage=can_manage_agencies(current_user), message=message,
                           today=local_today()), status


@bp.route("/manage/third-parties/<int:agency_id>")
@login_required
def agency(agency_id):
    agency = _agency(agency_id)
    require(can_list_agencies(current_user))
    return _agency_page(agency)


@bp.route("/manage/third-parties/<int:agency_id>/staff", methods=["POST"])
@login_required
def add_staff(agency_id):
    agency = _agency(agency_id)
    require(can_manage_agencies(current_user))
    form = StaffForm()
    if not form.validate():
        return _agency_page(agency, staff_form=form, status=400)
    with commit_or_refusal(form) as attempt:
        user = ops.add_staff(agency, current_user, form.username.data, form.name.data, form.password.data,
                             form.phone.data, link=url_for("inspection.mine"))
    if not attempt.ok:
        return _agency_page(_agency(agency_id), staff_form=form, message=attempt.message, status=attempt.status)
    flash(f"已添加工作人员账户 {user.username}（{user.name}）。", "success")
    return redirect(url_for("inspection.agency", agency_id=agency_id), 303)


@bp.route("/manage/third-parties/<int:agency_id>/appointments", methods=["POST"])
@login_required
def appoint(agency_id):
    agency = _agency(agency_id)
    require(can_manage_agencies(current_user))
    form = AppointmentForm()
    if not form.validate():
        return _agency_page(agency, appointment_form=form, status=400)
    with commit_or_refusal(form) as attempt:
        ops.appoint(agency, current_user, form.starts_on.data, form.ends_on.data, call=form.call,
                    contract=form.contract, link=url_for("inspection.mine"))
    if not attempt.ok:
        return _agency_page(_agency(agency_id), appointment_form=form, message=attempt.message,
                            status=attempt.status)
    told = "已通知该机构的工作人员。" if notices_committed() else "该机构尚无工作人员账户，请添加后告知。"
    flash("已委托监管。" + told, "success")
    return redirect(url_for("inspection.agency", agency_id=agency_id), 303)


def _appointment(appointment_id):
    return get_or_404(Appointment, appointment_id, *queries.appointment_page())


def _end_page(appointment, form=None, message=None, status=200):
    return render_template("inspection/end_appointment.html", appointment=appointment, agency=appointment.agency,
                           form=form or EndAppointmentForm(), message=message, today=local_today()), status


@bp.route("/manage/third-parties/appointments/<int:appointment_id>/end", methods=["GET", "POST"])
@login_required
def end_appointment(appointment_id):
    """提前结束: the officer ends an appointment before its planned end, with a reason and the date it ends."""
    appointment = _appointment(appointment_id)
    require(can_end_appointment(current_user, appointment))
    if request.method == "GET":
        return _end_page(appointment)
    form = EndAppointmentForm()
    if not form.validate():
        return _end_page(appointment, form, status=400)
    agency_id = appointment.agency_id
    with commit_or_refusal(form) as attempt:
        ops.end_appointment(appointment, current_user, form.ended_on.data, form.reason.data, utcnow(),
                            link=url_for("inspection.mine"))
    if not attempt.ok:
        return _end_page(_appointment(appointment_id), form, message=attempt.message, status=attempt.status)
    told = "已通知该机构的工作人员。" if notices_committed() else "该机构没有可接收通知的账户，请另行告知。"
    flash("委托已提前结束。" + told, "success")
    return redirect(url_for("inspection.agency", agency_id=agency_id), 303)


# --- the third party's projects --------------------------------------------------------------------------

@bp.route("/third-party/projects")
@login_required
def mine():
    require(can_list_supervised_projects(current_user))
    agency = queries.agency_of(current_user)
    contracts = queries.supervised_projects(agency) if agency is not None else []
    return render_template("inspection/mine.html", agency=agency, contracts=contracts)


@bp.route("/third-party/projects/<int:contract_id>")
@login_required
def project(contract_id):
    contract = _contract(contract_id)
    require(can_view_supervised_project(current_user, contract))
    agency = queries.agency_of(current_user)
    agency_id = agency.id if agency is not None else None
    return render_template(
        "inspection/project.html", contract=contract, app=contract.award.application, agency=agency,
        targets=queries.performance_targets(contract), tranches=tranche_states(contract),
        appointments=queries.appointments_for(contract, agency_id),
        visits=queries.visits_of(contract, agency_id), evaluations=queries.evaluations_of(contract, agency_id),
        may_record=can_record_inspection(current_user, contract), kinds=list(EvaluationKind))


# --- a visit's or an evaluation's page, its save (and submit) and the officer's 确认 / 退回 ----------------------

def _work_page(work_type, work_id=None, contract_id=None, kind=None):
    """The page of visit or evaluation ``work_id`` (or of a new one on ``contract_id``, of ``kind``) as a function
    of its form, message and status. It loads what it shows when called, so that it also answers after a refusal
    rolled the request back (and expired what was loaded before)."""
    def page(**kw):
        work = (_visit if work_type is InspectionVisit else _evaluation)(work_id) if work_id else None
        contract = _contract(work.contract_id if work is not None else contract_id)
        if work_type is InspectionVisit:
            return _visit_page(contract, work, **kw)
        return _evaluation_page(contract, work, work.kind if work is not None else kind, **kw)
    return page


def _save_work(form, page, save, noun):
    """The steps of every save of a visit or an evaluation, the 提交 included: ``save(submit)`` runs the operation
    and the request commits once; a refusal re-renders ``page`` with what was typed and the reason; otherwise
    say what happened and open the record."""
    submit = bool(form.submit.data)
    with commit_or_refusal(form) as attempt:
        work = save(submit)
    if not attempt.ok:
        return page(form=form, message=attempt.message, status=attempt.status)
    flash(f"{noun}已提交，等待项目官员确认。" if submit else f"{noun}已保存为草稿。", "success")
    return redirect(work_link(work), 303)


def _decide(work, page):
    """确认 / 退回 a submitted visit or evaluation (the officer); the agency's staff are told."""
    require(can_decide_inspection_work(current_user, work))
    form = DecideForm()
    if not form.validate():
        return page(decide_form=form, status=400)
    confirm = not form.send_back.data
    with commit_or_refusal(form) as attempt:
        ops.decide(work, current_user, confirm, utcnow(), form.reason.data, link_for=work_link)
    if not attempt.ok:
        return page(decide_form=form, message=attempt.message, status=attempt.status)
    told = "已通知第三方机构。" if notices_committed() else "该机构没有可接收通知的账户，请另行告知。"
    flash(("已确认。" if confirm else "已退回。") + told, "success")
    return redirect(work_link(work), 303)


# --- 实地检查 --------------------------------------------------------------------------------------------

def _visit_page(contract, visit, form=None, decide_form=None, message=None, status=200):
    may_edit = visit is None or (can_edit_inspection_work(current_user, visit) and ops.editable(visit))
    if form is None and may_edit:
        form = VisitForm(data=visit_data(visit)) if visit is not None else VisitForm()
    if decide_form is None and visit is not None and visit.status == WorkStatus.SUBMITTED \
            and can_decide_inspection_work(current_user, visit):
        decide_form = DecideForm()
    return render_template("inspection/visit.html", contract=contract, app=contract.award.application, visit=visit,
                           form=form if may_edit else None, decide_form=decide_form, message=message,
                           checklist=ops.CHECKLIST, CheckResult=CheckResult, WorkStatus=WorkStatus,
                           max_photos=ops.MAX_PHOTOS,
                           may_open_case=visit is not None and visit.status == WorkStatus.CONFIRMED
                           and bool(visit.findings) and can_decide_inspection_work(current_user, visit)), status


def _checked_photos(form):
    photos = []
    for upload in [u for u in request.files.getlist("photos") if u and u.filename]:
        try:
            check_upload(upload, PHOTO_EXTENSIONS)
        except UploadError as e:
            form.photos.errors = [*form.photos.errors, f"{upload.filename}：{e}"]
            return None
        upload.stream.seek(0)
        photos.append(ops.Photo(upload))
    return photos


def _save_visit(contract, visit, page):
    form = VisitForm()
    if not form.validate():
        return page(form=form, status=400)
    photos = _checked_photos(form)
    if photos is None:
        return page(form=form, status=400)
    remove = [n for n in map(as_id, request.form.getlist("remove_photo")) if n]

    def save(submit):
        return ops.save_visit(contract, current_user, form.to_data(), utcnow(), visit=visit, submit=submit,
                              photos=photos, remove_photo_ids=remove, link_for=visit_link)
    try:
        return _save_work(form, page, save, "实地检查记录")
    except UploadError as e:
        db.session.rollback()  # the bytes stored in this request go with it (core.files)
        form.photos.errors = [*form.photos.errors, str(e)]
        return page(form=form, status=400)


@bp.route("/third-party/projects/<int:contract_id>/visits/new", methods=["GET", "POST"])
@login_required
def new_visit(contract_id):
    contract = _contract(contract_id)
    require(can_record_inspection(current_user, contract))
    if request.method == "GET":
        return _visit_page(contract, None)
    return _save_visit(contract, None, _work_page(InspectionVisit, contract_id=contract_id))


@bp.route("/third-party/visits/<int:visit_id>", methods=["GET", "POST"])
@login_required
def visit(visit_id):
    visit = _visit(visit_id)
    if request.method == "GET":
        require(can_view_inspection_work(current_user, visit))
        return _visit_page(_contract(visit.contract_id), visit)
    require(can_edit_inspection_work(current_user, visit))
    return _save_visit(_contract(visit.contract_id), visit, _work_page(InspectionVisit, visit_id))


@bp.route("/third-party/visits/<int:visit_id>/decide", methods=["POST"])
@login_required
def decide_visit(visit_id):
    return _decide(_visit(visit_id), _work_page(InspectionVisit, visit_id))


@bp.route("/third-party/visits/<int:visit_id>/photos/<int:photo_id>")
@login_required
def photo(visit_id, photo_id):
    visit = _visit(visit_id)
    require(can_view_inspection_work(current_user, visit))
    item = db.session.get(VisitPhoto, photo_id)
    if item is None or item.visit_id != visit.id:
        abort(404)
    return send_stored(item.file)


# --- evaluations -----------------------------------------------------------------------------------------

def _evaluation_page(contract, evaluation, kind, form=None, decide_form=None, message=None, status=200):
    indicators = ops.indicators_for(contract, evaluation)
    may_edit = evaluation is None or (can_edit_inspection_work(current_user, evaluation) and ops.editable(evaluation))
    if form is None and may_edit:
        form = EvaluationForm(len(indicators), data=evaluation_data(evaluation) if evaluation is not None else None)
    if decide_form is None and evaluation is not None and evaluation.status == WorkStatus.SUBMITTED \
            and can_decide_inspection_work(current_user, evaluation):
        decide_form = DecideForm()
    return render_template("inspection/evaluation.html", contract=contract, app=contract.award.application,
                           evaluation=evaluation, kind=kind, indicators=indicators,
                           form=form if may_edit else None, decide_form=decide_form, message=message,
                           WorkStatus=WorkStatus), status


def _save_evaluation(contract, evaluation, kind, page):
    form = EvaluationForm(len(ops.indicators_for(contract, evaluation)))
    if not form.validate():
        return page(form=form, status=400)

    def save(submit):
        return ops.save_evaluation(contract, current_user, kind, form.to_data(), utcnow(), evaluation=evaluation,
                                   submit=submit, link_for=evaluation_link)
    return _save_work(form, page, save, kind.label)


@bp.route("/third-party/projects/<int:contract_id>/evaluations/new", methods=["GET", "POST"])
@login_required
def new_evaluation(contract_id):
    contract = _contract(contract_id)
    require(can_record_inspection(current_user, contract))
    kind = evaluation_kind(request.args.get("kind", ""))
    if kind is None:
        abort(404)
    if request.method == "GET":
        return _evaluation_page(contract, None, kind)
    return _save_evaluation(contract, None, kind, _work_page(ThirdPartyEvaluation, contract_id=contract_id, kind=kind))


@bp.route("/third-party/evaluations/<int:evaluation_id>", methods=["GET", "POST"])
@login_required
def evaluation(evaluation_id):
    evaluation = _evaluation(evaluation_id)
    if request.method == "GET":
        require(can_view_inspection_work(current_user, evaluation))
        return _evaluation_page(_contract(evaluation.contract_id), evaluation, evaluation.kind)
    require(can_edit_inspection_work(current_user, evaluation))
    return _save_evaluation(_contract(evaluation.contract_id), evaluation, evaluation.kind,
                            _work_page(ThirdPartyEvaluation, evaluation_id))


@bp.route("/third-party/evaluations/<int:evaluation_id>/decide", methods=["POST"])
@login_required
def decide_evaluation(evaluation_id):
    return _decide(_evaluation(evaluation_id), _work_page(ThirdPartyEvaluation, evaluation_id))
