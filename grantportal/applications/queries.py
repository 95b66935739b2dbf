"""Reads about applications that the calls domain asks for (``core.signals``): whether a call's levels
and rubric are locked, which of its required documents are in use, and the officer's per-call counts.
Connected when the app is created (``grantportal.create_app``)."""
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from grantportal.applications.models import UNSENT, Application, AppStatus, Attachment, Screening
from grantportal.core import signals
from grantportal.core.db import db
from grantportal.core.paging import Pager
from grantportal.orgs.models import Organization, OrgStatus


@signals.call_has_applications.connect
def has_applications(call):
    """Once any application exists, the call's levels, rubric and code are locked."""
    return bool(db.session.scalar(sa.select(sa.exists().where(Application.call_id == call.id))))


@signals.call_documents_in_use.connect
def documents_in_use(call):
    """Ids of the call's required documents that some application has attached: they cannot be removed."""
    ids = [d.id for d in call.documents]
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(Attachment.document_id).where(Attachment.document_id.in_(ids))
                                  .distinct()))


@signals.call_application_counts.connect
def status_counts(call_ids):
    """{call id: [(status label, count), …]} in status order for every id: one grouped query for a page."""
    counts = defaultdict(dict)
    if call_ids:
        rows = db.session.execute(
            sa.select(Application.call_id, Application.status, sa.func.count())
            .where(Application.call_id.in_(call_ids))
            .group_by(Application.call_id, Application.status))
        for call_id, status, n in rows:
            counts[call_id][status] = n
    return {call_id: [(s.label, counts[call_id].get(s, 0)) for s in AppStatus] for call_id in call_ids}


@signals.call_valid_responses.connect
def valid_responses(call):
    """How many applications of the call are valid responses (calls.methods): submitted (not withdrawn) and
    passed eligibility screening."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
        Application.call_id == call.id, Application.status != AppStatus.WITHDRAWN,
        Application.screening == Screening.PASSED))


def summary_rows(ids):
    """{application id: row with number, title, level, org_name}: one query for a page of ranked rows."""
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Application.id, Application.number, Application.title, Application.level,
                  Organization.name.label("org_name"))
        .join(Organization, Organization.id == Application.org_id).where(Application.id.in_(ids)))
    return {r.id: r for r in rows}


def awaiting_screening_by_call():
    """{call id: number of submitted applications still to be screened} (index ``ix_application_screening``)."""
    return dict(db.session.execute(
        sa.select(Application.call_id, sa.func.count())
        .where(Application.status == AppStatus.SUBMITTED, Application.screening == Screening.PENDING)
        .group_by(Application.call_id)).all())


@signals.officer_pending_work.connect
def pending_work(_sender):
    """What waits for officers in the daily digest: organizations to verify and applications to screen."""
    orgs = db.session.scalar(sa.select(sa.func.count()).select_from(Organization)
                             .where(Organization.status == OrgStatus.PENDING))
    to_screen = db.session.scalar(sa.select(sa.func.count()).select_from(Application)
                                  .where(Application.status == AppStatus.SUBMITTED,
                                         Application.screening == Screening.PENDING))
    return [("待审核的机构登记", orgs), ("待资格审查的申报", to_screen)]


def call_counts(call_id):
    """{(status, screening): number of the call's applications}, in one pass over the call's entries of
    ``ix_application_call_status_screening`` (migration 0015): the status counts, the number awaiting
    screening and the total of any filter of the officer's list all come from it, so a 200,000-application
    call is counted once per page, not three times."""
    return {(status, screening): n for status, screening, n in db.session.execute(
        sa.select(Application.status, Application.screening, sa.func.count())
        .where(Application.call_id == call_id).group_by(Application.status, Application.screening))}


def _call_filter(status, screening):
    """The officer's filter as a test of a (status, screening) pair, and as SQL: a status (drafts and a team's
    application waiting for its supporting organization — ``UNSENT`` — only when asked for by name) and a
    screening result, each optional."""
    def matches(st, sc):
        return (st == status if status else st not in UNSENT) and (screening is None or sc == screening)
    where = [Application.status == status if status else Application.status.not_in(UNSENT)]
    if screening is not None:
        where.append(Application.screening == screening)
    return matches, where


def call_page(call_id, counts, page, per_page, status=None, screening=None):
    """One page of the call's applications (by number, unnumbered last), as a ``Pager`` with ``items`` and
    their organizations. ``counts`` is :func:`call_counts`, which gives the total without another COUNT.
    The page's ids come first from the covering index alone (a deep page skips index entries, not rows),
    then the 20 rows."""
    matches, where = _call_filter(status, screening)
    pager = Pager(sum(n for (st, sc), n in counts.items() if matches(st, sc)), page, per_page)
    ids = db.session.scalars(
        sa.select(Application.id).where(Application.call_id == call_id, *where)
        .order_by(Application.number.nullslast(), Application.id).offset(pager.start).limit(per_page)).all()
    rows = {app.id: app for app in db.session.scalars(
        sa.select(Application).where(Application.id.in_(ids)).options(joinedload(Application.org)))} if ids else {}
    pager.items = [rows[i] for i in ids]
    return pager


def by_status(pairs):
    """{status: number} from :func:`call_counts`."""
    counts = defaultdict(int)
    for (status, _screening), n in pairs.items():
        counts[status] += n
    return dict(counts)


def awaiting_screening(call_id, limit, lock=False):
    """The call's submitted applications still to be screened, in number order, with what the automatic
    checks read (the organization and the call); at most ``limit``. ``lock``: row-locked on PostgreSQL
    (the batch decision re-reads them in its own transaction)."""
    query = (sa.select(Application)
             .where(Application.call_id == call_id, Application.status == AppStatus.SUBMITTED,
                    Application.screening == Screening.PENDING)
             .options(sa.orm.joinedload(Application.org), sa.orm.joinedload(Application.call))
             .order_by(Application.number, Application.id).limit(limit))
    return db.session.scalars(query.with_for_update(of=Application) if lock else query).unique().all()
