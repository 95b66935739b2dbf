"""Writes on organizations. Each takes the objects and the acting user, flushes, and leaves the commit
to the request; the audit log records every change with its before/after values."""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from grantportal.core.audit import audit_action
from grantportal.core.db import db, utcnow
from grantportal.core.errors import Refused
from grantportal.core.files import SCAN_EXTENSIONS, discard, discard_unless_used, store_upload
from grantportal.core.permissions import has_role, is_officer
from grantportal.core.roles import Role
from grantportal.core.wording import quoted
from grantportal.core.workflow import StateMachine, Transition
from grantportal.orgs.models import (
    AnnualInspection,
    Organization,
    OrgDocument,
    OrgInvitation,
    OrgKind,
    OrgMember,
    OrgStatus,
    RatingEnd,
    RatingRecord,
    Sanction,
)
from grantportal.orgs.notices import notify_org
from grantportal.orgs.tiers import default_validity

PROFILE_FIELDS = ("uscc", "name", "registration_authority", "registered_on", "legal_rep")
CONTACT_FIELDS = ("contact_name", "contact_phone", "address", "charter_scope", "bank_name", "bank_account",
                  "bank_account_name")


class DuplicateCode(ValueError):
    """Another organization holds this 统一社会信用代码 (found by the unique constraint)."""


class StateError(Refused):
    """The object's state forbids the action; the message is shown to the user."""


ORGANIZATION = StateMachine(
    "org", "status", OrgStatus, final=frozenset({OrgStatus.VERIFIED}), refusal=StateError, noun="机构",
    transitions=(
        Transition("resubmit", frozenset({OrgStatus.PENDING, OrgStatus.RETURNED}), OrgStatus.PENDING, "修改登记信息",
                   "社会组织", lambda user: has_role(user, Role.ORG_MEMBER)),
        Transition("verify", frozenset({OrgStatus.PENDING}), OrgStatus.VERIFIED, "认证", "项目官员", is_officer),
        Transition("return", frozenset({OrgStatus.PENDING}), OrgStatus.RETURNED, "退回", "项目官员", is_officer),
    ),
    not_allowed={OrgStatus.PENDING: "机构已认证，登记信息已锁定。", OrgStatus.VERIFIED: "只有待审核的机构可以认证。",
                 OrgStatus.RETURNED: "只有待审核的机构可以退回。"},
)


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class _UniqueCode:
    """A savepoint around the writes that may hit the unique code: a lost race (two people registering
    one code at once) ends as DuplicateCode with the session still usable, not as a server error."""

    def __enter__(self):
        self.savepoint = db.session.begin_nested()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                db.session.flush()
                self.savepoint.commit()
            except sa.exc.IntegrityError:
                self.savepoint.rollback()
                raise DuplicateCode from None
            return False
        self.savepoint.rollback()
        return False


def _apply_contact(org, data):
    for key in CONTACT_FIELDS:
        if key.startswith("bank_"):  # optional until the first contract (older callers pass none)
            setattr(org, key, data.get(key) or getattr(org, key) or "")
        else:
            setattr(org, key, data[key])
    org.district = data.get("district") or None
    org.service_fields = ",".join(data["service_fields"])


def _apply_profile(org, data, kind):
    for key in PROFILE_FIELDS:
        setattr(org, key, data[key])
    org.kind = OrgKind(kind)
    _apply_contact(org, data)


def register_org(data, kind, certificate_upload, user):
    """A new organization, pending verification, with ``user`` as its owner.

    ``data`` holds the profile fields; ``kind`` comes from the code (never from a choice). Raises
    UploadError for a bad certificate and DuplicateCode if the code is already registered."""
    with audit_action("org.register"):
        certificate = store_upload(certificate_upload, user, allowed=SCAN_EXTENSIONS)
        with _UniqueCode():
            org = Organization(status=OrgStatus.PENDING, certificate=certificate)
            _apply_profile(org, data, kind)
            db.session.add(org)
        db.session.add(OrgMember(org=org, user=user, is_owner=True))
        db.session.flush()
    return org


def resubmit_org(org, data, kind, certificate_upload, user):
    """Edit the full profile while pending or returned; a returned organization goes back to review."""
    step = ORGANIZATION.require(user, org, "resubmit")
    with audit_action(ORGANIZATION.audit_action(step)):
        certificate = None
        if certificate_upload is not None:
            certificate = store_upload(certificate_upload, user, allowed=SCAN_EXTENSIONS)
        with _UniqueCode():
            if certificate is not None:
                discard(org.certificate)
                org.certificate = certificate
            _apply_profile(org, data, kind)
            org.status = step.target
    return org


def update_org_contact(org, data, user):
    """After verification only contact details, district, address, service fields and charter scope change."""
    with audit_action("org.update_contact"):
        _apply_contact(org, data)
        db.session.flush()
    return org


def verify_org(org, user):
    moved = ORGANIZATION.move(org, user, "verify", review_note=None, reviewed_at=utcnow(), reviewed_by_id=user.id)
    notify_org(org, "机构登记已通过审核", f"{quoted(org.name)}的机构登记已通过审核，现在可以申报项目。", link="/org/")
    return moved


def verify_batch(orgs, user):
    """Verify each organization of a batch the officer confirmed (each one audited and told)."""
    for org in orgs:
        verify_org(org, user)
    return orgs


def return_org(org, reason, user):
    moved = ORGANIZATION.move(org, user, "return", review_note=reason, reviewed_at=utcnow(), reviewed_by_id=user.id)
    notify_org(org, "机构登记被退回", f"{quoted(org.name)}的机构登记被退回，请补正后重新提交。退回原因：{reason}",
               link="/org/")
    return moved


# standing documents (常用材料)

def save_standing_document(org, name, valid_until, upload, user):
    """Keep ``upload`` as the organization's standing document ``name`` (replacing one of that name); the
    replaced file goes once no application uses it any more."""
    existing = next((d for d in org.documents if d.name == name), None)
    with audit_action("org.document_save"):
        stored = store_upload(upload, user, allowed=SCAN_EXTENSIONS)
        if existing is None:
            existing = OrgDocument(org=org, name=name)
            db.session.add(existing)
        replaced = existing.file
        existing.file, existing.valid_until = stored, valid_until
        existing.uploaded_by_id, existing.uploaded_at = user.id, utcnow()
        db.session.flush()
        if replaced is not None:
            discard_unless_used(replaced)
    return existing


def remove_standing_document(document, user):
    """Take the document off the profile; applications that attached it keep their copy."""
    stored = document.file
    with audit_action("org.document_remove"):
        document.org.documents.remove(document)
        discard_unless_used(stored)
        db.session.flush()


# members and invitations

def create_invitation(org, invitee_name, user):
    """Returns (invitation, token). Only the token's SHA-256 is stored; the token is shown once."""
    token = secrets.token_urlsafe(32)
    with audit_action("org.invite"):
        invitation = OrgInvitation(
            org=org, invitee_name=invitee_name, token_hash=token_hash(token), created_by_id=user.id,
            expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]))
        db.session.add(invitation)
        db.session.flush()
    return invitation, token


def open_invitation(token):
    """The invitation a token opens, or None if unknown, used, revoked or expired."""
    if not token or len(token) > 100:
        return None
    invitation = db.session.scalar(db.select(OrgInvitation).where(OrgInvitation.token_hash == token_hash(token)))
    return invitation if invitation is not None and invitation.is_open(utcnow()) else None


def accept_invitation(invitation, user):
    """Attach a newly created account to the inviting organization (not as owner); the link is spent.

    The update is conditional, so two people racing on one link cannot both join."""
    with audit_action("org.accept_invitation"):
        now = utcnow()
        spent = db.session.execute(
            sa.update(OrgInvitation)
            .where(OrgInvitation.id == invitation.id, OrgInvitation.used_at.is_(None),
                   OrgInvitation.revoked_at.is_(None), OrgInvitation.expires_at > now)
            .values(used_at=now, used_by_id=user.id)
            .execution_options(synchronize_session=False))
        if spent.rowcount != 1:
            raise StateError("链接无效或已过期")
        db.session.add(OrgMember(org_id=invitation.org_id, user=user, is_owner=False))
        db.session.flush()
    return user


def revoke_invitation(invitation, user):
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise StateError("该邀请已使用或已撤销。")
    with audit_action("org.revoke_invitation"):
        invitation.revoked_at = utcnow()
        db.session.flush()
    return invitation


def remove_member(member, user):
    if member.is_owner:
        raise StateError("不能移除机构账户负责人。")
    with audit_action("org.remove_member"):
        db.session.delete(member)
        db.session.flush()


# ratings, inspections, sanctions (officers)

def add_rating(org, grade, announced_on, valid_from, valid_until, note, user, validity_reason=None):
    """Record a rating announcement. The validity is computed here from ``announced_on``
    (``tiers.default_validity``) when ``valid_from``/``valid_until`` are None; a validity that differs
    from the computed one is kept only with ``validity_reason`` (stored and audited), so that a stale
    pre-filled date can never silently shorten or move a grade."""
    start, end = default_validity(announced_on)
    valid_from, valid_until = valid_from or start, valid_until or end
    if valid_until < valid_from:
        raise StateError("有效期止不能早于有效期起。", "valid_until", 400)
    validity_reason = (validity_reason or "").strip() or None
    if (valid_from, valid_until) == (start, end):
        validity_reason = None
    elif validity_reason is None:
        raise StateError(
            f"按公告日期{announced_on.isoformat()}计算，有效期应为{start.isoformat()}至{end.isoformat()}。"
            "如确需按公告载明的其他有效期录入，请填写调整理由；否则请清空有效期两项，由系统按公告日期计算。",
            "validity_reason", 400)
    with audit_action("org.rating_add"):
        record = RatingRecord(org=org, grade=grade, announced_on=announced_on, valid_from=valid_from,
                              valid_until=valid_until, note=note or None, validity_reason=validity_reason)
        db.session.add(record)
        db.session.flush()
    return record


def _end(record, kind, on, reason):
    if record.ended_on is not None:
        raise StateError("该等级记录已被降级或撤销，不能重复操作。")
    record.ended_on = on
    record.end_kind = kind
    record.end_reason = reason


def lower_rating(record, new_grade, on, reason, user):
    """End the record on ``on`` and add the lower grade from that day to the original end of validity."""
    if new_grade.rank >= record.grade.rank:
        raise StateError("降级后的等级须低于原等级。")
    if not (record.valid_from < on <= record.valid_until):
        raise StateError("降级日期须在原等级有效期内。")
    with audit_action("org.rating_lower"):
        _end(record, RatingEnd.LOWERED, on, reason)
        lower = RatingRecord(org_id=record.org_id, grade=new_grade, announced_on=on, valid_from=on,
                             valid_until=record.valid_until, note=f"由{record.grade.label}降级")
        db.session.add(lower)
        db.session.flush()
    return lower


def revoke_rating(record, on, reason, user):
    if on > record.valid_until:
        raise StateError("撤销日期不能晚于原等级有效期截止日。")
    with audit_action("org.rating_revoke"):
        _end(record, RatingEnd.REVOKED, on, reason)
        db.session.flush()
    return record


class DuplicateInspection(ValueError):
    pass


def add_inspection(org, year, result, note, user):
    with audit_action("org.inspection_add"):
        try:
            with db.session.begin_nested():
                inspection = AnnualInspection(org_id=org.id, year=year, result=result, note=note or None)
                db.session.add(inspection)
                db.session.flush()
        except sa.exc.IntegrityError:
            raise DuplicateInspection(f"{year}年度的年检结论已录入，每个年度只能录入一次。") from None
    return inspection


def add_sanction(org, kind, decided_on, reason, user):
    with audit_action("org.sanction_add"):
        sanction = Sanction(org=org, kind=kind, decided_on=decided_on, reason=reason)
        db.session.add(sanction)
        db.session.flush()
    return sanction


def lift_sanction(sanction, lifted_on, user):
    if sanction.lifted_on is not None:
        raise StateError("该记录已解除。")
    if lifted_on < sanction.decided_on:
        raise StateError("解除日期不能早于决定日期。")
    with audit_action("org.sanction_lift"):
        sanction.lifted_on = lifted_on
        db.session.flush()
    return sanction
