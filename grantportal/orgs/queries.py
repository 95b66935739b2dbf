"""Listing organizations: search by name or code, filters, bounded pagination."""
import re

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, selectinload

from grantportal.core.db import db
from grantportal.core.inputs import normalize_code
from grantportal.core.paging import page_number
from grantportal.orgs.models import Organization, OrgStatus, RatingRecord

MAX_PAGE = 500  # deep pages are not offered: narrow the search instead
CODE_RE = re.compile(r"^[0-9A-Za-z]{18}$")


def _in_force(r, on):
    return sa.and_(r.valid_from <= on, r.valid_until >= on, sa.or_(r.ended_on.is_(None), r.ended_on > on))


def grade_in_force(grade, on):
    """Organizations whose effective grade on ``on`` is ``grade`` (the latest announced record in force),
    or that are unrated on that day when ``grade`` is None.

    Written as ``id IN (one subquery)`` so that the database walks the rating records once (by grade)
    instead of once per organization."""
    r = aliased(RatingRecord)
    if grade is None:
        return Organization.id.not_in(sa.select(r.org_id).where(_in_force(r, on)))
    newer = aliased(RatingRecord)
    superseded = sa.exists().where(
        newer.org_id == r.org_id, _in_force(newer, on),
        sa.or_(newer.announced_on > r.announced_on,
               sa.and_(newer.announced_on == r.announced_on, newer.id > r.id)))
    return Organization.id.in_(sa.select(r.org_id).where(r.grade == grade, _in_force(r, on), ~superseded))


def search_condition(text):
    text = text.strip()
    code = normalize_code(text)  # a code pasted with spaces or in full-width characters
    if CODE_RE.match(code):
        return Organization.uscc == code
    return sa.or_(Organization.name.contains(text, autoescape=True),
                  Organization.uscc.startswith(text.upper(), autoescape=True))


def org_page(filters, today, order="newest"):
    query = db.select(Organization).options(selectinload(Organization.ratings))
    if filters.get("q"):
        query = query.where(search_condition(filters["q"]))
    if filters.get("status"):
        query = query.where(Organization.status == filters["status"])
    if filters.get("kind"):
        query = query.where(Organization.kind == filters["kind"])
    if filters.get("district"):  # 所在镇街, a name list_filters checked against core/districts.py
        query = query.where(Organization.district == filters["district"])
    if filters.get("tier"):
        query = query.where(grade_in_force(None if filters["tier"] == "none" else filters["tier"], today))
    query = query.order_by(Organization.name, Organization.id) if order == "name" \
        else query.order_by(Organization.id.desc())
    page = page_number(MAX_PAGE)
    size = current_app.config["PAGE_SIZE"]
    return db.paginate(query, page=page, per_page=size, max_per_page=size, error_out=False)


def count_awaiting_verification():
    """Registered organizations an officer has still to verify (indexed by status)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organization)
                             .where(Organization.status == OrgStatus.PENDING))


def awaiting_verification(limit, lock=False):
    """Registered organizations waiting for verification, oldest first, with their certificate; at most
    ``limit``. ``lock``: row-locked on PostgreSQL (the batch decision re-reads them in its transaction)."""
    query = (sa.select(Organization).where(Organization.status == OrgStatus.PENDING)
             .options(sa.orm.joinedload(Organization.certificate))
             .order_by(Organization.created_at, Organization.id).limit(limit))
    return db.session.scalars(query.with_for_update(of=Organization) if lock else query).unique().all()


def missing_inspection(org, year, you="贵机构"):
    """Why the platform has no 年检 record of ``org`` for ``year``, and what to do, in words for the
    organization (None when there is a record): a new organization had no inspection that year; otherwise
    the result has not been entered yet, and the office that can enter it is named."""
    if any(i.year == year for i in org.inspections):
        return None
    if org.registered_on.year > year:
        return (f"{you}成立于{org.registered_on.year}年，不参加{year}年度年检，因此没有该年度年检结果；"
                f"要求上一年度年检合格的征集暂不能申报。")
    return (f"平台尚无{year}年度年检结果。年检结果由民政部门工作人员录入；如{you}已参加年检，请联系登记管理机关"
            f"（{org.registration_authority}）或本平台项目官员补录。")
