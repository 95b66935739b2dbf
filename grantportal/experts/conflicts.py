"""Conflicts of interest (回避, 政府采购法实施条例 art.9), enforced everywhere an application is shown.

``conflict_reasons(user, application)`` is the one answer to "may this expert see or score this
application?": an empty list means no conflict. Sources:
- declared by the expert or set by an officer (Conflict rows, against the organization or the application);
- detected: an affiliation with the applicant (matched by 统一社会信用代码) held within the last 3 years;
- detected: the expert is named as the applicant's legal representative or contact person.
"""
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from grantportal.accounts.models import User
from grantportal.core.db import db
from grantportal.core.timeutil import local_today
from grantportal.experts.models import Conflict, ConflictSource, ExpertAffiliation, ExpertProfile
from grantportal.orgs.models import Organization

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


def affiliation_since(today):
    return _years_before(today, AFFILIATION_YEARS)


def is_recent(aff, since):
    """Held on or after ``since`` (still held, or ended no earlier than that day)."""
    return aff.ended_on is None or aff.ended_on >= since


def _affiliation_reason(aff):
    period = f"{aff.started_on.year if aff.started_on else '?'}年—" + \
        (f"{aff.ended_on.year}年" if aff.ended_on else "至今")
    return ConflictReason(ConflictSource.DETECTED, f"近{AFFILIATION_YEARS}年内在申报机构任{aff.role}（{period}）",
                          "系统")


def _name_reasons(name, org):
    name = (name or "").strip()
    reasons = []
    if name and name == (org.legal_rep or "").strip():
        reasons.append(ConflictReason(ConflictSource.DETECTED, "专家姓名与申报机构法定代表人相同", "系统"))
    if name and name == (org.contact_name or "").strip():
        reasons.append(ConflictReason(ConflictSource.DETECTED, "专家姓名与申报机构联系人相同", "系统"))
    return reasons


def detected_reasons(profile, org, today=None):
    since = affiliation_since(today or local_today())
    reasons = [_affiliation_reason(aff) for aff in profile.affiliations
               if aff.org_uscc and aff.org_uscc == org.uscc and is_recent(aff, since)]
    return reasons + _name_reasons(profile.user.name, org)


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


def new_conflict(profile, actor, reason, source, org=None, application=None):
    """A declared or officer-set conflict (not yet added to the session)."""
    assert org is not None or application is not None
    return Conflict(expert=profile, org=org, application=application, source=source, reason=reason.strip(),
                    set_by_id=actor.id)


# many experts × many applications at once (the draw, worklists): a fixed number of queries

CHUNK = 500  # ids per IN list (well under SQLite's and PostgreSQL's parameter limits)


def _chunks(ids):
    ids = sorted(set(ids))
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _rows(make_query, ids):
    rows = []
    for chunk in _chunks(ids):
        rows.extend(db.session.execute(make_query(chunk)).all())
    return rows


def conflicts_for_round(profiles, applications, today=None):
    """Every conflict between many experts and many applications, without a query per pair.

    Returns ``{application id: {expert user id: [ConflictReason, ...]}}`` holding only the conflicted
    pairs; for each pair the reasons are the ones ``conflict_reasons(profile.user, application)`` gives
    (declared and officer-set first, newest first; then detected). Four queries (per 500 ids): the
    experts' standing conflicts with who set them, their recent affiliations that carry a 统一社会信用代码,
    their names, and the applicants' organizations. Nothing is read through lazy relationships: of a
    profile only ``id`` and ``user_id`` are read, of an application only ``id`` and ``org_id``."""
    profiles = list(profiles)
    applications = list(applications)
    if not profiles or not applications:
        return {}
    names = dict(_rows(lambda chunk: sa.select(User.id, User.name).where(User.id.in_(chunk)),
                       {p.user_id for p in profiles}))
    experts = [ExpertRow(p.id, p.user_id, names.get(p.user_id)) for p in profiles]
    orgs = _rows(lambda chunk: sa.select(Organization.id, Organization.uscc, Organization.legal_rep,
                                         Organization.contact_name).where(Organization.id.in_(chunk)),
                 {a.org_id for a in applications})
    return conflicts_between(experts, ((a.id, a.org_id) for a in applications), orgs, today)


class ExpertRow(NamedTuple):
    """What the conflict check reads of an expert: the profile's id, the user's id and name."""

    id: int
    user_id: int
    name: str | None


class OrgRow(NamedTuple):
    """What the conflict check reads of an applicant organization."""

    id: int
    uscc: str | None
    legal_rep: str | None
    contact_name: str | None


def conflicts_between(experts, applications, orgs, today=None):
    """``conflicts_for_round`` for callers that already read the facts: ``experts`` as ``ExpertRow`` (profile
    id, user id, name), ``applications`` as (id, organization id) pairs and ``orgs`` as rows (id, 统一社会信用代码,
    legal representative, contact person) of their organizations (e.g. with the round's scores,
    aggregate.round_figures). Two queries (per 500 experts) for the experts' standing conflicts and their recent
    affiliations, whatever the number of applications. The same answer, pair by pair, as ``conflict_reasons``."""
    experts = list(experts)
    if not experts:
        return {}
    since = affiliation_since(today or local_today())
    user_of = {p.id: p.user_id for p in experts}
    app_ids = set()
    apps_by_org = defaultdict(list)
    for app_id, org_id in applications:
        apps_by_org[org_id].append(app_id)
        app_ids.add(app_id)
    if not app_ids:
        return {}
    orgs = [OrgRow(*o) for o in orgs if o[0] in apps_by_org]

    result = {}

    def add(app_ids_hit, user_id, reason):
        for app_id in app_ids_hit:
            result.setdefault(app_id, {}).setdefault(user_id, []).append(reason)

    setter = aliased(User)
    for row in _rows(lambda chunk: sa.select(
            Conflict.expert_id, Conflict.org_id, Conflict.application_id, Conflict.source, Conflict.reason,
            setter.name.label("set_by")).join(setter, setter.id == Conflict.set_by_id)
            .where(Conflict.expert_id.in_(chunk), Conflict.withdrawn_at.is_(None))
            .order_by(Conflict.id.desc()), user_of):
        hit = set(apps_by_org.get(row.org_id, ())) if row.org_id is not None else set()
        if row.application_id in app_ids:
            hit.add(row.application_id)
        if hit:
            add(sorted(hit), user_of[row.expert_id], ConflictReason(row.source, row.reason, row.set_by))

    org_by_code = {o.uscc: o.id for o in orgs}

    affiliations = _rows(lambda chunk: sa.select(ExpertAffiliation).where(
        ExpertAffiliation.expert_id.in_(chunk), ExpertAffiliation.org_uscc.is_not(None),
        sa.or_(ExpertAffiliation.ended_on.is_(None), ExpertAffiliation.ended_on >= since)), user_of)
    affiliations = sorted((r[0] for r in affiliations), key=lambda a: (a.started_on is None, a.started_on),
                          reverse=True)
    for aff in affiliations:
        org_id = org_by_code.get(aff.org_uscc)
        if org_id is not None and is_recent(aff, since):
            add(apps_by_org[org_id], user_of[aff.expert_id], _affiliation_reason(aff))

    users_by_name = defaultdict(list)
    for expert in experts:
        if (expert.name or "").strip():
            users_by_name[expert.name.strip()].append((expert.user_id, expert.name))
    for org in orgs:
        named = {}
        for person in ((org.legal_rep or "").strip(), (org.contact_name or "").strip()):
            for user_id, name in users_by_name.get(person, ()) if person else ():
                named[user_id] = name
        for user_id, name in named.items():
            for reason in _name_reasons(name, org):
                add(apps_by_org[org.id], user_id, reason)
    return result


class _Expert(NamedTuple):
    id: int  # the profile's id
    user_id: int


class _Application(NamedTuple):
    id: int
    org_id: int


def conflicts_for_pairs(pairs, today=None):
    """The conflicted ones among many (application, expert) pairs, e.g. the submitted reviews of a round:
    ``pairs`` is an iterable of (application id, organization id, expert user id); returns
    ``{(application id, expert user id): [ConflictReason, ...]}``. The same answer, pair by pair, as
    ``conflict_reasons`` (through ``conflicts_for_round``), from ids alone: one query for the experts'
    profiles plus those of ``conflicts_for_round``, whatever the number of pairs."""
    wanted, org_of, expert_ids = set(), {}, set()
    for application_id, org_id, expert_id in pairs:
        wanted.add((application_id, expert_id))
        org_of[application_id] = org_id
        expert_ids.add(expert_id)
    if not wanted:
        return {}
    profiles = [_Expert(*row) for row in _rows(lambda chunk: sa.select(ExpertProfile.id, ExpertProfile.user_id)
                                               .where(ExpertProfile.user_id.in_(chunk)), expert_ids)]
    applications = [_Application(app_id, org_id) for app_id, org_id in org_of.items()]
    found = conflicts_for_round(profiles, applications, today)
    return {(app_id, user_id): reasons for app_id, by_user in found.items() for user_id, reasons in by_user.items()
            if (app_id, user_id) in wanted}


def conflicted_applications(user, applications, today=None):
    """``{application id: [ConflictReason, ...]}`` for one expert over many applications (a worklist)."""
    profile = getattr(user, "expert_profile", None)
    if profile is None:
        return {}
    found = conflicts_for_round([profile], applications, today)
    return {app_id: by_user[user.id] for app_id, by_user in found.items()}


def detected_orgs(profile, today=None, limit=20, include_names=True):
    """Registered organizations this expert is detected as tied to: [(organization, ConflictReason)].

    Detected conflicts are decided per application; this list shows, ahead of any draw, which applicants
    the expert will be kept away from. ``include_names=False`` leaves out the matches on a legal
    representative's or contact's name (third parties' personal data: for staff only)."""
    since = affiliation_since(today or local_today())
    found = []
    codes = {}
    for aff in profile.affiliations:
        if aff.org_uscc and is_recent(aff, since):
            codes.setdefault(aff.org_uscc, []).append(aff)
    if codes:
        for org in db.session.scalars(sa.select(Organization).where(Organization.uscc.in_(sorted(codes)))
                                      .order_by(Organization.name).limit(limit)):
            found.extend((org, _affiliation_reason(aff)) for aff in codes[org.uscc])
    name = (profile.user.name or "").strip()
    if name and include_names:
        for org in db.session.scalars(sa.select(Organization).where(
                sa.or_(Organization.legal_rep == name, Organization.contact_name == name))
                .order_by(Organization.name).limit(limit)):
            found.extend((org, reason) for reason in _name_reasons(name, org))
    return found


def active_conflict_exists(profile, org=None, application=None):
    """Whether the expert already has a standing conflict against exactly this target."""
    query = sa.select(Conflict.id).where(Conflict.expert_id == profile.id, Conflict.withdrawn_at.is_(None))
    if org is not None:
        query = query.where(Conflict.org_id == org.id)
    else:
        query = query.where(Conflict.application_id == application.id)
    return db.session.scalar(query.limit(1)) is not None
