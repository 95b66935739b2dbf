"""The officer's view of a round under way: completion by expert and by application, outliers and wide
panels, and the reviews that do not count because a conflict was found after submission."""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.core.db import db
from grantportal.experts.conflicts import conflicts_for_pairs
from grantportal.review.models import Assignment, Review, ReviewStatus
from grantportal.review.results.aggregate import ConflictedReview
from grantportal.review.rounds.operations import RoundRefused, entering_applications


@dataclass
class ExpertProgress:
    expert: object
    assigned: int = 0
    submitted: int = 0
    draft: int = 0

    @property
    def not_started(self):
        return self.assigned - self.submitted - self.draft

    @property
    def done(self):
        return self.assigned > 0 and self.submitted == self.assigned


@dataclass
class ApplicationProgress:
    application: object
    panel: int = 0
    submitted: int = 0
    totals: list = None  # [(expert, total)] of submitted reviews that count
    not_counted: int = 0  # submitted reviews left out: the expert turned out to be conflicted

    @property
    def spread(self):
        values = [t for _, t in self.totals]
        return max(values) - min(values) if len(values) >= 2 else None


@dataclass
class Outlier:
    application: object
    expert: object
    total: Decimal
    others_mean: Decimal

    @property
    def distance(self):
        return abs(self.total - self.others_mean)


def outliers(totals, threshold):
    """[(key, total, mean of the others)] for each score more than ``threshold`` points from the mean of
    the other scores of the same panel (needs at least two others)."""
    found = []
    if len(totals) < 3:
        return found
    whole = sum((t for _, t in totals), Decimal("0"))
    for key, total in totals:
        others = (whole - total) / (len(totals) - 1)
        if abs(total - others) > threshold:
            found.append((key, total, others.quantize(Decimal("0.1"))))
    return found


def dashboard(rnd):
    """Completion by expert and by application, outliers and wide panels, from two queries; and the
    submitted reviews that do not count because a conflict of interest was found afterwards (the few
    queries of ``conflicts_for_pairs``), left out of the spreads and outliers as of the results."""
    rows = db.session.execute(
        sa.select(Assignment, Review.status, Review.total)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.round_id == rnd.id, Assignment.active.is_(True))
        .options(joinedload(Assignment.expert))
        .order_by(Assignment.application_id, Assignment.expert_id)).all()
    apps = {a.id: a for a in entering_or_assigned(rnd, {a.application_id for a, _, _ in rows})}
    conflicted = conflicts_for_pairs((a.application_id, apps[a.application_id].org_id, a.expert_id)
                                     for a, status, _ in rows if status == ReviewStatus.SUBMITTED)
    by_expert, by_app, not_counted = {}, {}, []
    for app_id, application in apps.items():
        by_app[app_id] = ApplicationProgress(application, totals=[])
    for assignment, status, total in rows:
        ep = by_expert.setdefault(assignment.expert_id, ExpertProgress(assignment.expert))
        ap = by_app.setdefault(assignment.application_id, ApplicationProgress(apps.get(assignment.application_id),
                                                                              totals=[]))
        ep.assigned += 1
        ap.panel += 1
        if status == ReviewStatus.SUBMITTED:
            ep.submitted += 1
            ap.submitted += 1
            reasons = conflicted.get((assignment.application_id, assignment.expert_id))
            if reasons:
                ap.not_counted += 1
                not_counted.append(ConflictedReview(assignment, reasons))
            elif total is not None:
                ap.totals.append((assignment.expert, Decimal(total)))
        elif status == ReviewStatus.DRAFT:
            ep.draft += 1
    threshold = Decimal(rnd.spread_threshold)
    far = [Outlier(ap.application, expert, total, mean) for ap in by_app.values()
           for expert, total, mean in outliers(ap.totals, threshold)]
    wide = [ap for ap in by_app.values() if ap.spread is not None and ap.spread > threshold]
    experts = sorted(by_expert.values(), key=lambda e: (e.done, -e.not_started - e.draft, e.expert.id))
    applications = sorted(by_app.values(), key=lambda a: (a.application.number or "", a.application.id))
    return {"experts": experts, "applications": applications, "outliers": far, "wide": wide,
            "assigned": sum(e.assigned for e in experts), "submitted": sum(e.submitted for e in experts),
            "conflicted": not_counted}


def entering_or_assigned(rnd, assigned_ids):
    """The entering applications plus any that still have assignments (e.g. withdrawn after the draw)."""
    try:
        apps = entering_applications(rnd)
    except RoundRefused:
        apps = []
    missing = set(assigned_ids) - {a.id for a in apps}
    if missing:
        apps += db.session.scalars(sa.select(Application).where(Application.id.in_(missing))).all()
    return apps
