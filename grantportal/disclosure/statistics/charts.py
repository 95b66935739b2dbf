"""Horizontal bar charts drawn on the server as inline SVG (no JavaScript, no CDN). The view turns a table's
rows into bars in SVG user units; the template only draws them. Each item is its label on one line and two
bars under it — amount awarded and amount paid (net) — scaled to the largest amount; the viewBox makes the
chart as wide as its container, so it reads on a 375 px phone."""
from dataclasses import dataclass
from decimal import Decimal

from grantportal.core.money import format_wan

WIDTH = 400  # viewBox units
BAR_MAX = 290  # the rest is left for the value
ITEM_HEIGHT = 58
LABEL_CHARS = 26
MAX_ITEMS = 20


@dataclass(frozen=True)
class Bar:
    y: int  # top of the label line
    label: str
    awarded_width: int
    awarded_text: str
    paid_width: int
    paid_text: str


@dataclass(frozen=True)
class Chart:
    height: int
    bars: list
    shown: int
    total: int


def _short(label):
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"


def _width(value, largest):
    if largest <= 0 or value <= 0:
        return 0
    return max(1, int(Decimal(BAR_MAX) * value / largest))


def bar_chart(rows, limit=MAX_ITEMS):
    """The first ``limit`` rows (the table's order) as bars."""
    shown = rows[:limit]
    largest = max((max(r.awarded, r.paid) for r in shown), default=Decimal(0))
    bars = [Bar(i * ITEM_HEIGHT, _short(r.label), _width(r.awarded, largest), format_wan(r.awarded),
                _width(r.paid, largest), format_wan(r.paid)) for i, r in enumerate(shown)]
    return Chart(max(len(bars), 1) * ITEM_HEIGHT, bars, len(shown), len(rows))
