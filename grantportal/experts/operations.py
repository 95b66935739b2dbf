"""Writes on the expert pool. Each takes the objects and the acting user, flushes inside its audit
action and leaves the commit to the request."""

from grantportal.accounts.operations import create_user
from grantportal.core import signals
from grantportal.core.audit import audit_action
from grantportal.core.db import db, utcnow
from grantportal.core.errors import Refused
from grantportal.core.roles import Role
from grantportal.core.timeutil import local_today
from grantportal.experts.conflicts import affiliation_since, is_recent, new_conflict
from grantportal.experts.models import ConflictSource, ExpertAffiliation, ExpertProfile

PROFILE_FIELDS = ("title", "employer", "bio")
AFFILIATION_FIELDS = ("org_name", "org_uscc", "role", "started_on", "ended_on")


class StateError(Refused):
    """The object's state forbids the action; the message is shown to the user."""


def _apply_profile(profile, data):
    for key in PROFILE_FIELDS:
        setattr(profile, key, data[key] or "")
    profile.fields = ",".join(data["fields"])


def create_expert(account, data, actor):
    """A new expert: an account with role expert (UsernameTaken if the login name is used) and a profile,
    active and available. ``account`` holds username, name, password, phone, email."""
    user = create_user(account["username"], account["name"], account["password"], role=Role.EXPERT,
                       phone=account["phone"], email=account["email"])
    with audit_action("expert.create"):
        profile = ExpertProfile(user=user, load_limit=data["load_limit"])
        _apply_profile(profile, data)
        db.session.add(profile)
        db.session.flush()
    return profile


def update_profile(profile, data, actor):
    """An officer edits the profile and the load limit."""
    with audit_action("expert.update"):
        _apply_profile(profile, data)
        profile.load_limit = data["load_limit"]
        db.session.flush()
    return profile


def update_own_profile(user, data):
    """The expert edits their own profile and availability. An expert account without a profile (opened
    by an administrator) gets one, switched off until an officer activates it."""
    profile = user.expert_profile
    with audit_action("expert.update_own"):
        if profile is None:
            profile = ExpertProfile(user=user, active=False)
            db.session.add(profile)
        _apply_profile(profile, data)
        profile.available = data["available"]
        db.session.flush()
    return profile


def set_active(profile, active, reason, actor):
    if profile.active == active:
        raise StateError("该专家已处于启用状态。" if active else "该专家已处于停用状态。")
    with audit_action("expert.activate" if active else "expert.deactivate"):
        profile.active = active
        profile.active_reason = reason
        profile.active_changed_at = utcnow()
        profile.active_changed_by_id = actor.id
        db.session.flush()
    return profile


def add_affiliation(profile, data, user):
    with audit_action("expert.affiliation_add"):
        affiliation = ExpertAffiliation(expert=profile)
        _apply_affiliation(affiliation, data)
        db.session.add(affiliation)
        db.session.flush()
    return affiliation


def _apply_affiliation(affiliation, data):
    for key in AFFILIATION_FIELDS:
        setattr(affiliation, key, data[key])
    affiliation.org_uscc = affiliation.org_uscc or None


class AffiliationLocked(Refused):
    """The affiliation makes the expert stay away from an application in a review that is not over."""


def _guard_affiliation(affiliation):
    """An expert may not edit away the affiliation that keeps them out of a running review."""
    if not affiliation.org_uscc or not is_recent(affiliation, affiliation_since(local_today())):
        return
    if signals.ask(signals.affiliation_in_running_review, affiliation.org_uscc):
        raise AffiliationLocked("该任职经历使您需要回避一项正在进行的评审，评审结束前不能删除或修改。"
                                "如填写有误，请联系项目官员处理。")


def update_affiliation(affiliation, data, user):
    _guard_affiliation(affiliation)
    with audit_action("expert.affiliation_update"):
        _apply_affiliation(affiliation, data)
        db.session.flush()
    return affiliation


def delete_affiliation(affiliation, user):
    """The row goes; the audit log keeps what it said."""
    _guard_affiliation(affiliation)
    with audit_action("expert.affiliation_delete"):
        affiliation.expert.affiliations.remove(affiliation)
        db.session.delete(affiliation)
        db.session.flush()


def declare_conflict(profile, reason, user, org=None, application=None):
    """The expert declares a conflict (always allowed)."""
    with audit_action("expert.conflict_declare"):
        conflict = new_conflict(profile, user, reason, ConflictSource.DECLARED, org=org, application=application)
        db.session.add(conflict)
        db.session.flush()
    return conflict


def set_conflict(profile, reason, officer, org=None, application=None):
    """An officer sets a conflict on an expert."""
    with audit_action("expert.conflict_set"):
        conflict = new_conflict(profile, officer, reason, ConflictSource.OFFICER, org=org, application=application)
        db.session.add(conflict)
        db.session.flush()
    return conflict


def withdraw_conflict(conflict, reason, officer):
    """An officer withdraws a conflict; the row stays, with who withdrew it, when and why."""
    if conflict.withdrawn_at is not None:
        raise StateError("该回避记录已撤销，不能重复操作。")
    with audit_action("expert.conflict_withdraw"):
        conflict.withdrawn_at = utcnow()
        conflict.withdrawn_by_id = officer.id
        conflict.withdraw_reason = reason
        db.session.flush()
    return conflict
