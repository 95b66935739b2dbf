"""Contract signing (签约): the officer issues the contract, confirms or returns the signed scan and, after a serious
breach, terminates the contract in force (终止: payment stops; closing an open 整改 follows); the organization
downloads the contract and uploads the signed, sealed scan. Writes go through ``funding.contracts.operations``;
each request commits once (confirming the contract also schedules the project's reports, by monitoring's
receiver of ``core.signals.contract_confirmed``, in the same commit)."""
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.awards.models import FinalStatus
from grantportal.calls.methods import contract_problem
from grantportal.core.commits import commit_or_abort, commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.files import SCAN_EXTENSIONS, UploadError, send_stored
from grantportal.core.permissions import require
from grantportal.documents.render import issuing_refusal
from grantportal.funding.contracts import operations as ops
from grantportal.funding.contracts.forms import IssueContractForm, ReturnForm, SignedUploadForm, TerminateForm
from grantportal.funding.contracts.permissions import (
    can_manage_contract,
    can_upload_signed_contract,
    can_view_contract_manage,
    can_view_contract_signing,
)
from grantportal.funding.contracts.queries import award_contract, contract_award
from grantportal.funding.models import ContractStatus
from grantportal.funding.queries import contract_of

bp = Blueprint("contracts", __name__)


def _award(award_id):
    """The award with what its contract pages show (``contracts.queries.contract_award``), or 404."""
    award = contract_award(award_id)
    if award is None:
        abort(404)
    return award


def _manage_page(award, form=None, return_form=None, status=200, message=None, terminate_form=None):
    contract = award_contract(award)
    if form is None:
        form = IssueContractForm(data={"starts_on": contract.starts_on if contract else None,
                                       "deliverables": contract.deliverables if contract
                                       else award.application.objectives})
    return render_template("funding/contract_manage.html", award=award, call=award.proposal.call,
                           contract=contract, form=form, return_form=return_form or ReturnForm(), message=message,
                           terminate_form=terminate_form or TerminateForm(),
                           can_act=can_manage_contract(current_user, award), Status=ContractStatus,
                           nav_staff=can_view_contract_manage(current_user, award),
                           selected=award.final_status == FinalStatus.SELECTED,
                           cannot_issue=issuing_refusal() or (contract_problem(award.proposal.call, utcnow())
                                                              if contract is None else None)
                           or (ops.NO_BANK_ACCOUNT if not award.application.org.has_bank_account
                               and (contract is None or contract.status == ContractStatus.DRAFT) else None)), status


@bp.route("/manage/awards/<int:award_id>/contract", methods=["GET", "POST"])
@login_required
def manage(award_id):
    award = _award(award_id)
    require((can_manage_contract if request.method == "POST" else can_view_contract_manage)(current_user, award))
    if request.method == "GET":
        return _manage_page(award)
    form = IssueContractForm()
    if not form.validate():
        return _manage_page(award, form, status=400)
    with commit_or_refusal(form) as attempt:
        ops.issue_contract(award, current_user, form.starts_on.data or date.today(), form.deliverables.data,
                           link=url_for("contracts.sign", award_id=award.id))
    if not attempt.ok:
        return _manage_page(_award(award_id), form, status=attempt.status, message=attempt.message)
    flash("合同已出具，正在生成PDF；机构可下载签署。", "success")
    return redirect(url_for("contracts.manage", award_id=award_id), 303)


def contract_or_409(award):
    contract = contract_of(award)
    if contract is None:
        abort(409, "该项目尚未拟定合同。")
    return contract


@bp.route("/manage/awards/<int:award_id>/contract/confirm", methods=["POST"])
@login_required
def confirm(award_id):
    """签署确认. A receiver of ``contract_confirmed`` (monitoring's report schedule) may refuse too: any
    ``Refused`` rolls the whole confirmation back."""
    award = _award(award_id)
    require(can_manage_contract(current_user, award))
    with commit_or_abort():
        ops.confirm_signed(contract_or_409(award), current_user,
                           link=url_for("contracts.sign", award_id=award.id))
    flash("签署件已确认，合同履行中；首期资金可拨付。", "success")
    return redirect(url_for("contracts.manage", award_id=award_id), 303)


@bp.route("/manage/awards/<int:award_id>/contract/return", methods=["POST"])
@login_required
def return_signed(award_id):
    award = _award(award_id)
    require(can_manage_contract(current_user, award))
    form = ReturnForm()
    if not form.validate():
        return _manage_page(award, return_form=form, status=400)
    with commit_or_refusal(form) as attempt:
        ops.return_signed(contract_or_409(award), current_user, form.reason.data,
                          link=url_for("contracts.sign", award_id=award.id))
    if not attempt.ok:
        return _manage_page(_award(award_id), return_form=form, status=attempt.status,
                            message=attempt.message)
    flash("签署件已退回，机构将收到退回原因。", "success")
    return redirect(url_for("contracts.manage", award_id=award_id), 303)


@bp.route("/manage/awards/<int:award_id>/contract/terminate", methods=["POST"])
@login_required
def terminate(award_id):
    """终止合同: the contract in force ends (its document 已终止 on /verify, with the public words); tranches not
    yet paid stop, the organization is told why, an open 整改
    closes with the reason 合同终止 (monitoring's receiver, same commit). Money paid is recovered on the payments
    page."""
    award = _award(award_id)
    require(can_manage_contract(current_user, award))
    form = TerminateForm()
    if not form.validate():
        return _manage_page(award, terminate_form=form, status=400)
    with commit_or_refusal(form) as attempt:
        ops.terminate_contract(contract_or_409(award), current_user, form.reason.data,
                               link=url_for("contracts.sign", award_id=award.id),
                               public_reason=form.public_reason.data or "")
    if not attempt.ok:
        return _manage_page(_award(award_id), terminate_form=form, status=attempt.status, message=attempt.message)
    flash("合同已终止：尚未拨付的各期停止拨付，机构已收到终止原因；已拨付的资金可在“资金拨付”页登记追回。", "success")
    return redirect(url_for("contracts.manage", award_id=award_id), 303)


def _sign_page(award, form=None, status=200, message=None):
    return render_template("funding/contract_sign.html", award=award, contract=award_contract(award),
                           form=form or SignedUploadForm(), message=message, Status=ContractStatus,
                           can_upload=can_upload_signed_contract(current_user, award),
                           nav_staff=can_view_contract_manage(current_user, award),
                           extensions="、".join(e.upper() for e in SCAN_EXTENSIONS),
                           max_mb=current_app.config["MAX_FILE_SIZE"] // 1024 // 1024), status


@bp.route("/awards/<int:award_id>/contract", methods=["GET", "POST"])
@login_required
def sign(award_id):
    award = _award(award_id)
    require((can_upload_signed_contract if request.method == "POST" else can_view_contract_signing)(
        current_user, award))
    if request.method == "GET":
        return _sign_page(award)
    form = SignedUploadForm()
    if not form.validate():
        return _sign_page(award, form, 400)
    upload = request.files.get("scan")
    if not upload or not upload.filename:
        form.scan.errors = [*form.scan.errors, "请选择签字盖章后的合同扫描件。"]
        return _sign_page(award, form, 400)
    try:
        with commit_or_refusal() as attempt:
            ops.upload_signed(contract_or_409(award), current_user, upload,
                              link=url_for("contracts.manage", award_id=award.id))
    except UploadError as e:
        db.session.rollback()
        form.scan.errors = [*form.scan.errors, str(e)]
        return _sign_page(_award(award_id), form, 400)
    if not attempt.ok:
        return _sign_page(_award(award_id), form, attempt.status, message=attempt.message)
    flash("签署件已上传，等待项目官员确认。", "success")
    return redirect(url_for("contracts.sign", award_id=award_id), 303)


@bp.route("/awards/<int:award_id>/contract/signed-file")
@login_required
def signed_file(award_id):
    award = _award(award_id)
    require(can_view_contract_signing(current_user, award))
    contract = contract_of(award)
    if contract is None or contract.signed_file is None:
        abort(404)
    return send_stored(contract.signed_file)
