"""An organization's standing documents (常用材料): kept once on its profile by its owner, with their
validity, and used by its applications wherever a call asks for a document of the same name."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from grantportal.core.commits import commit_or_abort, commit_or_refusal
from grantportal.core.db import db
from grantportal.core.files import UploadError, send_stored
from grantportal.core.forms import ButtonForm
from grantportal.core.paging import get_or_404
from grantportal.core.permissions import require
from grantportal.core.timeutil import local_today
from grantportal.core.wording import quoted
from grantportal.orgs import operations as ops
from grantportal.orgs.blueprint import bp
from grantportal.orgs.forms import StandingDocumentForm
from grantportal.orgs.models import STANDING_DOCUMENT_NAMES, Organization, OrgDocument
from grantportal.orgs.permissions import can_edit_org, can_view_my_org, can_view_org_certificate


def _own_org():
    require(can_view_my_org(current_user))
    org = current_user.org
    if org is None:
        abort(404)
    return db.session.scalar(sa.select(Organization).where(Organization.id == org.id)
                             .options(selectinload(Organization.documents).joinedload(OrgDocument.file))
                             .execution_options(populate_existing=True))


@bp.route("/org/documents", methods=["GET", "POST"])
@login_required
def documents():
    org = _own_org()
    require(can_view_org_certificate(current_user, org))
    may_edit = can_edit_org(current_user, org)
    form = StandingDocumentForm()
    status = 200
    if form.is_submitted():
        require(may_edit)
    if may_edit and form.validate_on_submit():
        try:
            with commit_or_refusal(form) as attempt:
                ops.save_standing_document(org, form.name.data, form.valid_until.data, form.file.data, current_user)
        except UploadError as e:
            form.file.errors.append(str(e))
        else:
            if attempt.ok:
                flash(f"已保存{quoted(form.name.data)}。申报时，征集要求的同名材料将自动使用本材料。", "success")
                return redirect(url_for("orgs.documents"))
            status = attempt.status
        org = _own_org()
    return render_template("orgs/documents.html", org=org, form=form, may_edit=may_edit, button=ButtonForm(),
                           names=STANDING_DOCUMENT_NAMES, today=local_today()), status


@bp.route("/org/documents/<int:document_id>")
@login_required
def document_file(document_id):
    document = get_or_404(OrgDocument, document_id)
    require(can_view_org_certificate(current_user, document.org))
    return send_stored(document.file)


@bp.route("/org/documents/<int:document_id>/remove", methods=["POST"])
@login_required
def remove_document(document_id):
    require(can_view_my_org(current_user))  # only organizations' members keep standing documents
    document = get_or_404(OrgDocument, document_id)
    require(can_edit_org(current_user, document.org))
    if not ButtonForm().validate_on_submit():
        abort(400)
    name = document.name
    with commit_or_abort():
        ops.remove_standing_document(document, current_user)
    flash(f"已删除{quoted(name)}。已使用该材料的申报书不受影响。", "success")
    return redirect(url_for("orgs.documents"))
