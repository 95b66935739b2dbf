"""Who may do what in the expert pool. One function per permission; views call one, once."""
from grantportal.core.permissions import Decision, has_role, is_officer, is_staff
from grantportal.core.roles import Role


def _is_expert(user):
    return has_role(user, Role.EXPERT)


def can_browse_pool(user):
    """Officers keep the pool; auditors read the same pages (experts' phones included)."""
    return Decision(is_staff(user))


def can_view_expert(user, profile):
    """An expert's record in the pool (profile, affiliations, conflicts, assignments): staff only. An
    expert sees their own data on their own pages, never another expert's record."""
    return Decision(is_staff(user) and profile is not None)


def can_manage_pool(user):
    """Creating, editing, activating and deactivating experts is officers' work."""
    return Decision(is_officer(user))


def can_set_conflict(user, profile):
    """Officers set a conflict on any expert of the pool."""
    return Decision(is_officer(user) and profile is not None)


def can_withdraw_conflict(user, conflict):
    """Only an officer withdraws a conflict, the expert's own declarations included (kept on record)."""
    return Decision(is_officer(user) and conflict is not None)


def can_edit_own_profile(user):
    """An expert keeps their own profile and affiliations."""
    return Decision(_is_expert(user))


def can_edit_affiliation(user, affiliation):
    """Only the expert it belongs to."""
    return Decision(_is_expert(user) and affiliation.expert.user_id == user.id)


def can_declare_conflict(user):
    """Declaring a conflict is always allowed to an expert (withdrawing is not: see above)."""
    return Decision(_is_expert(user))


def can_view_own_conflicts(user):
    return Decision(_is_expert(user))
