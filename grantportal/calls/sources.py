"""Money by funding source (DESIGN.md §4 "Purchase of services": a call records its funding sources, and every
report and open-data file breaks money down by source).

A call's sources (``FundingSource``: 专项资金, 福彩公益金, 部门配套, 其他) add up to its total budget (the call form
checks it). A project is not funded from one source or another: the office draws the call's money as a whole. So
the rule, the same everywhere (open data, statistics, officers' exports):

    an amount of a call (a project's award) is attributed to the call's sources pro rata to the sources'
    amounts — each source's part is ``amount × source ÷ Σ sources`` rounded *down* to the 分; the 分 left over
    (fewer than the number of sources) go to the largest source (the first in the call's order when two are
    equal). The parts add up to the amount exactly, and none is negative.

A call without sources (or whose sources add up to nothing) has no breakdown: its money's source is not
recorded, shown as empty, never guessed.

``split`` is the rule and does no I/O. ``shares_of`` reads the sources of many calls in one query, as plain
values (no ORM objects), so a bulk reader computes each call's shares once and splits each row in memory.
"""
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

import sqlalchemy as sa

from grantportal.calls.models import FundingSource, FundingSourceKind
from grantportal.core.db import db

CENT = Decimal("0.01")
KINDS = tuple(FundingSourceKind)  # the fixed columns of every breakdown, in this order


@dataclass(frozen=True)
class Share:
    """One source of a call: its kind, its title (其他 with its name) and its amount in the call."""
    kind: FundingSourceKind
    title: str
    amount: Decimal


@dataclass(frozen=True)
class Part:
    """A source's part of an amount."""
    kind: FundingSourceKind
    title: str
    amount: Decimal


def title_of(kind, name):
    return f"{kind.label}（{name}）" if name else kind.label


def split(amount, shares):
    """``amount`` attributed to ``shares`` (the call's sources, in the call's order) as a list of ``Part`` in the
    same order; ``[]`` when there is nothing to split by. The rule is in the module's docstring."""
    shares = [s for s in shares if s.amount > 0]
    total = sum((s.amount for s in shares), Decimal(0))
    if amount is None or total <= 0:
        return []
    amount = Decimal(amount)
    parts = [(amount * s.amount / total).quantize(CENT, rounding=ROUND_DOWN) for s in shares]
    largest = max(range(len(shares)), key=lambda i: (shares[i].amount, -i))
    parts[largest] += amount - sum(parts, Decimal(0))
    return [Part(s.kind, s.title, p) for s, p in zip(shares, parts, strict=True)]


def by_kind(parts):
    """{kind: amount} summed over ``parts`` (two 其他 sources add up in the 其他 column); kinds absent are absent."""
    out = {}
    for p in parts:
        out[p.kind] = out.get(p.kind, Decimal(0)) + p.amount
    return out


def breakdown_text(parts):
    """The parts as one line of text for a table cell: ``专项资金 33333.34；福彩公益金 16666.66`` (yuan, two
    decimals, no thousands separator so that a spreadsheet can read the numbers)."""
    return "；".join(f"{p.title} {p.amount:.2f}" for p in parts)


def shares_of(call_ids):
    """{call id: tuple of ``Share``} for ``call_ids`` (calls without sources map to ``()``), in one query of plain
    columns."""
    call_ids = list(call_ids)
    out = {call_id: [] for call_id in call_ids}
    if not call_ids:
        return {}
    rows = db.session.execute(
        sa.select(FundingSource.call_id, FundingSource.kind, FundingSource.name, FundingSource.amount)
        .where(FundingSource.call_id.in_(call_ids))
        .order_by(FundingSource.call_id, FundingSource.position, FundingSource.id))
    for call_id, kind, name, amount in rows:
        out[call_id].append(Share(kind, title_of(kind, name), Decimal(amount)))
    return {call_id: tuple(shares) for call_id, shares in out.items()}


def call_shares(call):
    """The shares of a call already loaded (its ``funding_sources``)."""
    return tuple(Share(s.kind, s.title, s.amount) for s in call.funding_sources)


class SharesCache:
    """Each call's shares read once, for a bulk reader walking rows of many calls in batches: ``load`` the call ids
    of a batch (one query for the calls not seen yet), then ``get``. Holds plain values only."""

    def __init__(self):
        self._known = {}

    def load(self, call_ids):
        missing = {c for c in call_ids if c not in self._known}
        if missing:
            self._known.update(shares_of(missing))

    def get(self, call_id):
        return self._known.get(call_id, ())
