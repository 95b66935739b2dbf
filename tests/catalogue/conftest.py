"""Service catalogue tests: a helper that compiles a year's catalogue through the operations (as an officer's
pages would) and commits, and the catalogue's rows for assertions."""
from decimal import Decimal

import sqlalchemy as sa

from grantportal.catalogue import operations as ops
from grantportal.catalogue.models import CatalogueItem, CatalogueKind
from grantportal.core.db import db, utcnow
from grantportal.orgs.models import Grade

ITEMS = (
    ("基本公共服务", "居家养老服务", "市民政局", "养老服务", Grade.A3, 2, "1200000.00"),
    ("基本公共服务", "青少年服务", "团市委", "青少年服务", None, 1, None),
    ("社会管理性服务", "社区矫正", "市司法局", "社区矫正", Grade.A4, 3, "600000.00"),
)


def make_catalogue(officer, year=2030, kind=CatalogueKind.PURCHASE, published=True, items=ITEMS):
    """A catalogue of ``year`` with ``items`` (category, name, department, field, grade, years, budget)."""
    catalogue = ops.create_catalogue(officer, ops.CatalogueData(year, kind, f"{year}年度{kind.label}", ""))
    categories = {}
    for category, name, department, field, grade, years, budget in items:
        if category not in categories:
            categories[category] = ops.add_category(catalogue, officer, category)
        ops.save_item(catalogue, officer, ops.ItemData(categories[category].id, name, f"{name}的服务内容",
                                                       department, field, grade, years,
                                                       Decimal(budget) if budget else None))
    if published:
        ops.publish(catalogue, officer, utcnow())
    db.session.commit()
    return catalogue


def item_named(name):
    return db.session.scalars(sa.select(CatalogueItem).where(CatalogueItem.name == name)).one()
