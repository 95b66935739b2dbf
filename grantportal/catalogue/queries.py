"""Reads of the service catalogues, each bounded by what one page shows: a year has one catalogue of each kind,
tens of categories and at most ``operations.MAX_ITEMS`` items each; the years are a few a decade."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from grantportal.catalogue.models import Catalogue, CatalogueCategory, CatalogueItem, CatalogueStatus
from grantportal.core.db import db

CHOICE_YEARS = 3  # the call form offers the items of the latest few years' catalogues


def catalogue_for_page(catalogue_id):
    """The catalogue with its categories and their items, or None."""
    return db.session.scalar(
        sa.select(Catalogue).where(Catalogue.id == catalogue_id)
        .options(selectinload(Catalogue.categories).selectinload(CatalogueCategory.items)))


def _item_counts(catalogue_ids):
    if not catalogue_ids:
        return {}
    return dict(db.session.execute(
        sa.select(CatalogueItem.catalogue_id, sa.func.count()).where(CatalogueItem.catalogue_id.in_(catalogue_ids))
        .group_by(CatalogueItem.catalogue_id)).all())


def all_catalogues():
    """Every catalogue, the latest year first, with its item count: [(catalogue, count)]."""
    rows = db.session.scalars(sa.select(Catalogue).order_by(Catalogue.year.desc(), Catalogue.kind)).all()
    counts = _item_counts([c.id for c in rows])
    return [(c, counts.get(c.id, 0)) for c in rows]


def published_years():
    """The years with a published catalogue, latest first: [(year, [(catalogue, item count)])]."""
    rows = db.session.scalars(sa.select(Catalogue).where(Catalogue.status == CatalogueStatus.PUBLISHED)
                              .order_by(Catalogue.year.desc(), Catalogue.kind)).all()
    counts = _item_counts([c.id for c in rows])
    years = {}
    for c in rows:
        years.setdefault(c.year, []).append((c, counts.get(c.id, 0)))
    return list(years.items())


def published_of_year(year):
    """The year's published catalogues with their categories and items."""
    return db.session.scalars(
        sa.select(Catalogue).where(Catalogue.year == year, Catalogue.status == CatalogueStatus.PUBLISHED)
        .order_by(Catalogue.kind)
        .options(selectinload(Catalogue.categories).selectinload(CatalogueCategory.items))).all()


def has_published(year):
    """Whether a catalogue of ``year`` is published (then the year's 政府购买服务 calls must name an item)."""
    return db.session.scalar(sa.select(Catalogue.id).where(Catalogue.year == year,
                                                            Catalogue.status == CatalogueStatus.PUBLISHED)
                             .limit(1)) is not None


def item_choices(years):
    """The items of the catalogues of ``years`` as (item id, year, label), for a form's checkboxes."""
    if not years:
        return []
    rows = db.session.execute(
        sa.select(CatalogueItem.id, Catalogue.year, Catalogue.kind, Catalogue.status, CatalogueCategory.name,
                  CatalogueItem.name)
        .join(Catalogue, Catalogue.id == CatalogueItem.catalogue_id)
        .join(CatalogueCategory, CatalogueCategory.id == CatalogueItem.category_id)
        .where(Catalogue.year.in_(sorted(set(years))))
        .order_by(Catalogue.year.desc(), Catalogue.kind, CatalogueCategory.position, CatalogueCategory.id,
                  CatalogueItem.position, CatalogueItem.id))
    return [(item_id, year, f"{year}年{kind.label}{'（草稿）' if status == CatalogueStatus.DRAFT else ''} · "
                            f"{category} · {name}")
            for item_id, year, kind, status, category, name in rows]


def item_years(item_ids):
    """{item id: its catalogue's year} for ``item_ids`` (unknown ids left out)."""
    if not item_ids:
        return {}
    return dict(db.session.execute(
        sa.select(CatalogueItem.id, Catalogue.year).join(Catalogue, Catalogue.id == CatalogueItem.catalogue_id)
        .where(CatalogueItem.id.in_(list(item_ids)))).all())
