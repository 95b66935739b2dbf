"""Verified organizations in the public index (core/search.py): the directory and the site search read it."""
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from grantportal.core.db import db
from grantportal.core.search import Index, register
from grantportal.orgs.models import Organization, OrgStatus, RatingRecord
from grantportal.orgs.tiers import effective_tier


def changes_on(org, today):
    """The first day after ``today`` on which the grade in force may differ (a record starts, expires or
    ends), or None when no record will change it."""
    days = []
    for r in org.ratings:
        days += [d for d in (r.valid_from, r.valid_until + timedelta(days=1), r.ended_on) if d and d > today]
    return min(days, default=None)


def entry(org, today):
    if org.status != OrgStatus.VERIFIED:
        return None
    grade = effective_tier(org, today)
    fields = org.service_field_list
    return {
        "title": org.name, "subtitle": org.uscc, "category": org.kind.value, "fields": "、".join(fields)[:200],
        "district": org.district, "tier": grade.value if grade else None, "year": None,
        "amount": None, "happened_on": org.registered_on, "changes_on": changes_on(org, today),
        "text": " ".join([org.uscc, *fields, org.charter_scope or "", org.district or ""]),
    }


def load(ids):
    return db.session.scalars(sa.select(Organization).where(Organization.id.in_(ids))
                              .options(selectinload(Organization.ratings))).all()


ORGS = register(Index(kind="org", model=Organization, entry=entry, load=load,
                      watch={Organization: lambda org: org, RatingRecord: lambda record: record.org}))
