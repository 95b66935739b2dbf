"""Writes of the year's service catalogues (issue 14). Each names itself in the audit log, flushes and never
commits; the view commits once.

- ``create_catalogue``: a draft 购买服务目录 or 职能转移目录 of a year; one of each kind per year.
- ``update_catalogue``: its title and 说明 (the year and kind stay: calls of that year rely on them).
- ``add_category`` / ``rename_category``: a category name is unique within its catalogue.
- ``save_item``: a new item or a correction of one — its category (of the same catalogue), name (unique within the
  catalogue), 服务内容, 购买主体, the undertaking organization's minimum grade, years registered and service field,
  and the indicative budget (Decimal yuan, optional, not negative).
- ``delete_item``: an item no call names (``core.signals.catalogue_items_in_use``, calls answers) is deleted, audited
  with its whole row; one a call names is refused (已被征集引用，不能删除), and so is the last item of a published
  catalogue.
- ``publish``: a draft with at least one item becomes public; from then on the year's 政府购买服务 calls must
  name at least one of its items (``calls.catalogue_link``).
"""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from grantportal.catalogue.models import (
    Catalogue,
    CatalogueCategory,
    CatalogueItem,
    CatalogueKind,
    CatalogueStatus,
)
from grantportal.core import signals
from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row
from grantportal.core.errors import Refused
from grantportal.orgs.models import Grade

TITLE_MAX = 100
NOTE_MAX = 2000
CATEGORY_MAX = 60
ITEM_NAME_MAX = 80
DESCRIPTION_MAX = 1000
DEPARTMENT_MAX = 80
FIELD_MAX = 40
MAX_CATEGORIES = 50
MAX_ITEMS = 300


class CatalogueRefused(Refused):
    """A catalogue operation refused (``core.errors.Refused``: message, field, status)."""


@dataclass(frozen=True)
class CatalogueData:
    year: int | None
    kind: CatalogueKind | None
    title: str | None
    note: str | None


@dataclass(frozen=True)
class ItemData:
    category_id: int | None
    name: str | None
    description: str | None
    department: str | None
    service_field: str | None
    min_grade: Grade | None
    min_years_registered: int | None
    budget: Decimal | None


def _text(value, field, limit, missing=None):
    value = (value or "").strip()
    if not value:
        if missing:
            raise CatalogueRefused(missing, field, 400)
        return ""
    if len(value) > limit:
        raise CatalogueRefused(f"不能超过{limit}个字。", field, 400)
    return value


def _exists(query):
    return db.session.scalar(query.limit(1)) is not None


def create_catalogue(user, data):
    if data.year is None:
        raise CatalogueRefused("请填写年度。", "year", 400)
    if data.kind is None:
        raise CatalogueRefused("请选择目录类型。", "kind", 400)
    title = _text(data.title, "title", TITLE_MAX, "请填写目录名称。")
    note = _text(data.note, "note", NOTE_MAX)
    if _exists(sa.select(Catalogue.id).where(Catalogue.year == data.year, Catalogue.kind == data.kind)):
        raise CatalogueRefused(f"{data.year}年度已有{data.kind.label}，请在原目录中修改。", "kind", 400)
    with audit_action("catalogue.create"):
        catalogue = Catalogue(year=data.year, kind=data.kind, title=title, note=note,
                              status=CatalogueStatus.DRAFT, created_by_id=user.id)
        db.session.add(catalogue)
        db.session.flush()
    return catalogue


def update_catalogue(catalogue, user, data):
    title = _text(data.title, "title", TITLE_MAX, "请填写目录名称。")
    note = _text(data.note, "note", NOTE_MAX)
    with audit_action("catalogue.update"):
        if catalogue.title != title:
            catalogue.title = title
        if catalogue.note != note:
            catalogue.note = note
        db.session.flush()
    return catalogue


def _category_name(catalogue, name, category=None):
    name = _text(name, "name", CATEGORY_MAX, "请填写类别名称。")
    query = sa.select(CatalogueCategory.id).where(CatalogueCategory.catalogue_id == catalogue.id,
                                                  CatalogueCategory.name == name)
    if category is not None:
        query = query.where(CatalogueCategory.id != category.id)
    if _exists(query):
        raise CatalogueRefused("本目录已有同名类别。", "name", 400)
    return name


def add_category(catalogue, user, name):
    lock_row(Catalogue, catalogue.id)  # two officers adding at once take turns (positions, the name check)
    name = _category_name(catalogue, name)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueCategory)
                              .where(CatalogueCategory.catalogue_id == catalogue.id))
    if count >= MAX_CATEGORIES:
        raise CatalogueRefused(f"一个目录最多{MAX_CATEGORIES}个类别。", "name", 400)
    with audit_action("catalogue.category_add"):
        category = CatalogueCategory(catalogue_id=catalogue.id, name=name, position=count + 1)
        db.session.add(category)
        db.session.flush()
    return category


def rename_category(category, user, name):
    lock_row(Catalogue, category.catalogue_id)
    name = _category_name(category.catalogue, name, category)
    with audit_action("catalogue.category_rename"):
        if category.name != name:
            category.name = name
        db.session.flush()
    return category


def save_item(catalogue, user, data, item=None):
    """A new item of ``catalogue`` (``item`` None) or a correction of ``item``. Every problem is refused next to
    its field; nothing is saved."""
    lock_row(Catalogue, catalogue.id)
    category = db.session.get(CatalogueCategory, data.category_id) if data.category_id else None
    if category is None or category.catalogue_id != catalogue.id:
        raise CatalogueRefused("请选择本目录中的类别。", "category_id", 400)
    name = _text(data.name, "name", ITEM_NAME_MAX, "请填写事项名称。")
    same = sa.select(CatalogueItem.id).where(CatalogueItem.catalogue_id == catalogue.id, CatalogueItem.name == name)
    if item is not None:
        same = same.where(CatalogueItem.id != item.id)
    if _exists(same):
        raise CatalogueRefused("本目录已有同名事项。", "name", 400)
    values = {
        "category_id": category.id, "name": name,
        "description": _text(data.description, "description", DESCRIPTION_MAX),
        "department": _text(data.department, "department", DEPARTMENT_MAX, "请填写购买主体（部门）。"),
        "service_field": _text(data.service_field, "service_field", FIELD_MAX),
        "min_grade": data.min_grade,
        "min_years_registered": data.min_years_registered or 0,
        "budget": data.budget,
    }
    if values["min_years_registered"] < 0:
        raise CatalogueRefused("登记年限不能为负数。", "min_years_registered", 400)
    if data.budget is not None and data.budget < 0:
        raise CatalogueRefused("参考预算不能为负数。", "budget", 400)
    if item is None:
        count = db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueItem)
                                  .where(CatalogueItem.catalogue_id == catalogue.id))
        if count >= MAX_ITEMS:
            raise CatalogueRefused(f"一个目录最多{MAX_ITEMS}个事项。", "name", 400)
        with audit_action("catalogue.item_add"):
            item = CatalogueItem(catalogue_id=catalogue.id, position=count + 1, **values)
            db.session.add(item)
            db.session.flush()
        return item
    with audit_action("catalogue.item_update"):
        for key, value in values.items():
            if getattr(item, key) != value:
                setattr(item, key, value)
        db.session.flush()
    return item


IN_USE = "该事项已被征集引用，不能删除。"
NAMED_MEANWHILE = CatalogueRefused(f"{IN_USE}（删除的同时有征集引用了此事项。）", None, 409)


def item_calls(item):
    """How many calls name ``item`` (any call, a draft too)."""
    return signals.ask(signals.catalogue_items_in_use, [item.id]).get(item.id, 0)


def deletion_problem(item, calls, item_count):
    """Why ``item`` (named by ``calls`` calls, of a catalogue with ``item_count`` items) cannot be deleted, or None."""
    if calls:
        return f"{IN_USE}（已有 {calls} 个征集对应此事项；如需停用，请修改事项说明。）"
    if item.catalogue.published and item_count <= 1:
        return "已发布的目录至少保留一个事项，不能删除最后一个事项。"
    return None


def delete_item(item, user):
    """Delete ``item`` if no call names it (checked again here, under the catalogue's row lock: the page may be
    stale). The audit log keeps the whole row as ``before``."""
    lock_row(Catalogue, item.catalogue_id)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueItem)
                              .where(CatalogueItem.catalogue_id == item.catalogue_id))
    problem = deletion_problem(item, item_calls(item), count)
    if problem:
        raise CatalogueRefused(problem, None, 409)
    with audit_action("catalogue.item_delete"):
        db.session.delete(item)
        db.session.flush()


def publishing_problem(catalogue, item_count):
    """Why ``catalogue`` cannot be published now (Chinese), or None."""
    if catalogue.status != CatalogueStatus.DRAFT:
        return "该目录已发布。"
    if item_count == 0:
        return "目录中还没有任何事项，请先添加事项再发布。"
    return None


def publish(catalogue, user, now):
    catalogue = lock_row(Catalogue, catalogue.id, reload=True)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueItem)
                              .where(CatalogueItem.catalogue_id == catalogue.id))
    problem = publishing_problem(catalogue, count)
    if problem:
        raise CatalogueRefused(problem)
    with audit_action("catalogue.publish"):
        catalogue.status = CatalogueStatus.PUBLISHED
        catalogue.published_at, catalogue.published_by_id = now, user.id
        db.session.flush()
    return catalogue
