"""A call's link to the year's service catalogues (DESIGN.md §4 "Purchase of services"; issue 14):
a call names the catalogue items (购买服务目录 / 职能转移目录 事项) it buys under, from its own year's
catalogues. Once a catalogue of the call's year is published, a 政府购买服务 call must name at least one
item — the catalogue says what may be bought — and a call that names none is refused with the message
below, nothing saved. A 公益创投 call may name items but need not. An item a call names cannot be deleted from its
catalogue: this module answers ``core.signals.catalogue_items_in_use``."""
import sqlalchemy as sa
from wtforms import SelectChoice

from grantportal.calls.models import CallCatalogueItem, CallKind
from grantportal.catalogue.queries import has_published, item_choices, item_years
from grantportal.core import signals
from grantportal.core.db import db
from grantportal.core.errors import Refused


class CatalogueLinkRefused(Refused):
    """A call's catalogue items refused (``core.errors.Refused``)."""


FIELD = "catalogue_items"


def choices_for(year, linked=()):
    """The checkbox choices of the call form: the items of the catalogues of ``year`` and the years around it (the
    officer may change the year on the form), as SelectChoice (value, label)."""
    years = {year - 1, year, year + 1} if year else set()
    rows = item_choices(years | set(item_years(linked).values()))
    return [SelectChoice(str(item_id), label) for item_id, _year, label in rows]


def link_problem(kind, year, item_ids):
    """Why ``item_ids`` will not do for a call of ``kind`` in ``year`` (Chinese, for the form field), or None."""
    years = item_years(item_ids)
    if len(years) != len(set(item_ids)):
        return "所选目录事项不存在，请刷新页面后重新选择。"
    wrong = sorted({y for y in years.values() if y != year})
    if wrong:
        return f"只能选择{year}年度目录中的事项；所选事项中有{'、'.join(f'{y}年度' for y in wrong)}目录的事项。"
    if kind == CallKind.PURCHASE and not item_ids and has_published(year):
        return (f"{year}年度购买服务目录已发布：政府购买服务类征集须对应目录中的至少一个事项，"
                "请在“购买服务目录事项”中选择；目录中没有的服务不能列入购买。")
    return None


def sync_links(call, item_ids):
    """Make ``call``'s catalogue items exactly ``item_ids`` (checked again here: the rule holds for every caller)."""
    problem = link_problem(call.kind, call.year, item_ids)
    if problem:
        raise CatalogueLinkRefused(problem, FIELD, 400)
    wanted = set(item_ids)
    for link in list(call.catalogue_links):
        if link.item_id not in wanted:
            call.catalogue_links.remove(link)
    have = {link.item_id for link in call.catalogue_links}
    for item_id in sorted(wanted - have):
        call.catalogue_links.append(CallCatalogueItem(item_id=item_id))


def public_items(call):
    """The catalogue items ``call`` buys under, of published catalogues only (a draft catalogue is not public), with
    their catalogue loaded: the call's public page links each to its place in the year's catalogue."""
    return [link.item for link in call.catalogue_links if link.item.catalogue.published]


@signals.catalogue_items_in_use.connect
def items_in_use(item_ids):
    """{item id: how many calls name it} for those of ``item_ids`` some call names (a draft call too), in one query
    on ``ix_call_catalogue_item_item``."""
    if not item_ids:
        return {}
    return dict(db.session.execute(
        sa.select(CallCatalogueItem.item_id, sa.func.count()).where(CallCatalogueItem.item_id.in_(list(item_ids)))
        .group_by(CallCatalogueItem.item_id)).all())
