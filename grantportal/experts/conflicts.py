"""Conflicts of interest (回避, 政府采购法实施条例 art.9), enforced everywhere an application is shown.

``conflict_reasons(user, application)`` is the one answer to "may this expert see or score this
application?": an empty list means no conflict. Sources:
- declared by the expert or set by an officer (Conflict rows, against the organization or the application);
- detected: an affiliation with the applicant (matched by 统一社会信用代码) held within the last 3 years;
- detected: the expert is named as the applicant's legal representative or contact person.
"""
from dataclasses import dataclass

from grantportal.core.timeutil import local_today
from grantportal.experts.models import Conflict, ConflictSource

AFFILIATION_YEARS = 3


@dataclass(frozen=True)
class ConflictReason:
    source: ConflictSource
    reason: str
    set_by: str  # who set it: a name, or 系统


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def detected_reasons(profile, org, today=None):
    today = today or local_today()
    since = _years_before(today, AFFILIATION_YEARS)
    reasons = []
    for aff in profile.affiliations:
        if aff.org_uscc and aff.org_uscc == org.uscc and (aff.ended_on is None or aff.ended_on >= since):
            period = f"{aff.started_on.year if aff.started_on else '?'}年—" + \
                (f"{aff.ended_on.year}年" if aff.ended_on else "至今")
            reasons.append(ConflictReason(ConflictSource.DETECTED,
                                          f"近{AFFILIATION_YEARS}年内在申报机构任{aff.role}（{period}）", "系统"))
    name = profile.user.name.strip()
    if name and name == (org.legal_rep or "").strip():
        reasons.append(ConflictReason(ConflictSource.DETECTED, "专家姓名与申报机构法定代表人相同", "系统"))
    if name and name == (org.contact_name or "").strip():
        reasons.append(ConflictReason(ConflictSource.DETECTED, "专家姓名与申报机构联系人相同", "系统"))
    return reasons


def _active_rows(profile, application):
    return [c for c in profile.conflicts if c.withdrawn_at is None
            and (c.application_id == application.id or (c.org_id is not None and c.org_id == application.org_id))]


def conflict_reasons(user, application, today=None):
    """Every reason this expert must stay away from this application (empty: none)."""
    profile = getattr(user, "expert_profile", None)
    if profile is None:
        return []
    reasons = [ConflictReason(c.source, c.reason, c.set_by.name) for c in _active_rows(profile, application)]
    return reasons + detected_reasons(profile, application.org, today)


def is_conflicted(user, application, today=None):
    return bool(conflict_reasons(user, application, today))


def conflicted_expert_ids(profiles, application, today=None):
    """The ids (user ids) of the experts in ``profiles`` who have a conflict with ``application``."""
    return {p.user_id for p in profiles if conflict_reasons(p.user, application, today)}


def new_conflict(profile, actor, reason, source, org=None, application=None):
    """A declared or officer-set conflict (not yet added to the session)."""
    assert org is not None or application is not None
    return Conflict(expert=profile, org=org, application=application, source=source, reason=reason.strip(),
                    set_by_id=actor.id)
