"""The call cards of the public lists (项目征集 and the home page): what a card shows, read for a whole page in
one query — the call's columns, its total budget and its application window — without loading each call's
levels and stages as objects (at a 20-card page that was two thirds of the request)."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from grantportal.calls.models import Call, CallKind, CallLevel, CallStage, CallStatus, StageKind, call_title
from grantportal.core.db import ZERO, Money


@dataclass(frozen=True)
class CallCard:
    """One call as a list shows it; ``status``, ``opens_at`` and ``deadline`` are what ``workflow.phase``
    reads, as on a Call."""

    id: int
    name: str
    edition: str | None
    kind: CallKind
    year: int
    status: CallStatus
    summary: str | None
    published_at: datetime | None
    total_budget: Decimal
    opens_at: datetime | None
    deadline: datetime | None

    @property
    def title(self):
        return call_title(self.edition, self.name)


APPLY = aliased(CallStage, name="apply_stage")
_BUDGET = (sa.select(sa.func.coalesce(sa.func.sum(CallLevel.budget_total), 0))
           .where(CallLevel.call_id == Call.id).correlate(Call).scalar_subquery())


def card_query():
    """Calls with their application stage joined as ``APPLY`` (for filters on the window); add
    ``where``/``order_by``/``limit`` and read the page with ``cards``."""
    return (sa.select(Call.id, Call.name, Call.edition, Call.kind, Call.year, Call.status, Call.summary,
                      Call.published_at, sa.type_coerce(_BUDGET, Money()).label("total_budget"),
                      APPLY.opens_at, APPLY.closes_at)
            .outerjoin(APPLY, sa.and_(APPLY.call_id == Call.id, APPLY.kind == StageKind.APPLY,
                                      APPLY.enabled.is_(True))))


def _money(value):
    return Decimal(str(value)).quantize(ZERO) if value is not None else ZERO


def cards(session, query):
    return [CallCard(*row[:8], _money(row.total_budget), row.opens_at, row.closes_at)
            for row in session.execute(query)]


def open_figures(session, now):
    """How many published calls take applications now, and their total budget."""
    inner = (card_query().where(Call.status == CallStatus.PUBLISHED, APPLY.opens_at <= now, APPLY.closes_at > now)
             .subquery())
    count, budget = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(inner.c.total_budget), 0))).one()
    return count, _money(budget)
