"""Reads about review panels that the round and panel pages share."""
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from grantportal.core.db import db
from grantportal.experts.conflicts import conflicts_for_pairs
from grantportal.review.models import Assignment
from grantportal.review.panels.operations import AssignmentRefused, ConflictRefused, check_manual, load_pool


def member_conflicts(application, members):
    """{assignment id: [ConflictReason, ...]} for the active panel members who have a conflict of interest
    with the application now (found after they were drawn or had scored)."""
    active = [m for m in members if m.active]
    found = conflicts_for_pairs((application.id, application.org_id, m.expert_id) for m in active)
    return {m.id: found[(application.id, m.expert_id)] for m in active if (application.id, m.expert_id) in found}


def selectable_experts(rnd, application):
    """Experts an officer may add by hand to this panel: (user, None) or (user, why not)."""
    pool = load_pool(rnd)
    out = []
    for profile in pool.profiles:
        try:
            check_manual(rnd, application, profile.user, pool)
        except ConflictRefused:
            continue  # conflicted experts are not even offered
        except AssignmentRefused as e:
            out.append((profile.user, str(e)))
            continue
        out.append((profile.user, None))
    return out


def panels(rnd, applications):
    """{application id: [Assignment, ...]} active and inactive, with experts and reviews, one query."""
    ids = [a.id for a in applications]
    result = defaultdict(list)
    if not ids:
        return result
    rows = db.session.scalars(
        sa.select(Assignment).where(Assignment.round_id == rnd.id, Assignment.application_id.in_(ids))
        .options(joinedload(Assignment.expert), joinedload(Assignment.review))
        .order_by(Assignment.active.desc(), Assignment.id)).unique().all()
    for a in rows:
        result[a.application_id].append(a)
    return result
