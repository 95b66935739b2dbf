"""Officers compile a year's catalogue through its pages (issue 14): a catalogue, its categories and items with
the purchasing department, the undertaking organization's requirements and an indicative budget (ASCII Decimal),
then publish it. Bad input is refused in Chinese next to its field, nothing saved; every write is audited."""
from decimal import Decimal

import sqlalchemy as sa

from grantportal.catalogue.models import Catalogue, CatalogueCategory, CatalogueItem, CatalogueStatus
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.orgs.models import Grade
from tests.catalogue.conftest import make_catalogue

ITEM = {"category_id": "", "name": "居家养老服务", "description": "为辖区高龄、独居长者提供上门助餐、助洁服务。",
        "department": "市民政局", "service_field": "养老服务", "min_grade": "3A", "min_years_registered": "2",
        "budget": "1200000.50"}


def _actions():
    return [a for a in db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("catalogue.%"))
                                          .order_by(AuditEntry.id))]


def _new_catalogue(client, **over):
    data = {"year": "2030", "kind": "purchase", "title": "中山市2030年度政府向社会组织购买服务目录", "note": ""}
    return client.post("/manage/catalogue/new", data={**data, **over})


def test_officer_compiles_and_publishes_a_catalogue(client, signed_in_officer):
    resp = _new_catalogue(client)
    assert resp.status_code == 303
    catalogue = db.session.scalars(sa.select(Catalogue)).one()
    assert (catalogue.year, catalogue.status) == (2030, CatalogueStatus.DRAFT)
    assert resp.headers["Location"].endswith(f"/manage/catalogue/{catalogue.id}")

    assert client.post(f"/manage/catalogue/{catalogue.id}/categories",
                       data={"name": "基本公共服务"}).status_code == 303
    category = db.session.scalars(sa.select(CatalogueCategory)).one()
    resp = client.post(f"/manage/catalogue/{catalogue.id}/items/new", data={**ITEM, "category_id": str(category.id)})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    item = db.session.scalars(sa.select(CatalogueItem)).one()
    assert (item.name, item.department, item.service_field, item.min_grade, item.min_years_registered) == (
        "居家养老服务", "市民政局", "养老服务", Grade.A3, 2)
    assert item.budget == Decimal("1200000.50")

    html = client.get(f"/manage/catalogue/{catalogue.id}").get_data(as_text=True)
    assert "居家养老服务" in html and "评估等级3A及以上；登记成立满2年；从事养老服务领域服务" in html
    assert "1,200,000.50" in html

    resp = client.post(f"/manage/catalogue/items/{item.id}/edit",
                       data={**ITEM, "category_id": str(category.id), "budget": "", "min_grade": ""})
    assert resp.status_code == 303
    db.session.refresh(item)
    assert item.budget is None and item.min_grade is None

    assert client.get(f"/manage/catalogue/{catalogue.id}/publish").status_code == 200
    assert client.post(f"/manage/catalogue/{catalogue.id}/publish").status_code == 303
    db.session.refresh(catalogue)
    assert catalogue.status == CatalogueStatus.PUBLISHED and catalogue.published_by_id == signed_in_officer.id
    assert _actions() == ["catalogue.create", "catalogue.category_add", "catalogue.item_add", "catalogue.item_update",
                          "catalogue.publish"]


def test_an_amount_in_full_width_digits_is_refused_next_to_the_field(client, signed_in_officer):
    catalogue = make_catalogue(signed_in_officer, published=False)
    category = catalogue.categories[0]
    before = _actions()
    for typed in ("１２００００", "50万", "1200.555", "-100"):
        resp = client.post(f"/manage/catalogue/{catalogue.id}/items/new",
                           data={**ITEM, "name": "助残服务", "category_id": str(category.id), "budget": typed})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400, typed
        assert 'has-error' in html and "助残服务" in html  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueItem)) == 3
    assert _actions() == before


def test_missing_and_repeated_fields_are_refused_in_chinese(client, signed_in_officer):
    catalogue = make_catalogue(signed_in_officer, published=False)
    category = catalogue.categories[0]
    url = f"/manage/catalogue/{catalogue.id}/items/new"
    resp = client.post(url, data={**ITEM, "category_id": str(category.id), "department": ""})
    assert resp.status_code == 400 and "请填写购买主体（部门）。" in resp.get_data(as_text=True)
    resp = client.post(url, data={**ITEM, "category_id": ""})
    assert resp.status_code == 400 and "请选择本目录中的类别。" in resp.get_data(as_text=True)
    resp = client.post(url, data={**ITEM, "category_id": str(category.id)})  # 居家养老服务 is already there
    assert resp.status_code == 400 and "本目录已有同名事项。" in resp.get_data(as_text=True)
    resp = client.post(url, data={**ITEM, "name": "新事项", "category_id": str(category.id),
                                  "min_years_registered": "三"})
    assert resp.status_code == 400 and "请使用半角数字填写整数" in resp.get_data(as_text=True)
    resp = client.post(f"/manage/catalogue/{catalogue.id}/categories", data={"name": category.name})
    assert resp.status_code == 400 and "本目录已有同名类别。" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueItem)) == 3

    resp = _new_catalogue(client)  # 2030's purchase catalogue exists
    assert resp.status_code == 400 and "2030年度已有政府购买服务目录" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Catalogue)) == 1


def test_an_empty_catalogue_cannot_be_published(client, signed_in_officer):
    assert _new_catalogue(client).status_code == 303
    catalogue = db.session.scalars(sa.select(Catalogue)).one()
    html = client.get(f"/manage/catalogue/{catalogue.id}/publish").get_data(as_text=True)
    assert "目录中还没有任何事项，请先添加事项再发布。" in html and "确认发布" not in html
    assert client.post(f"/manage/catalogue/{catalogue.id}/publish").status_code == 409
    db.session.refresh(catalogue)
    assert catalogue.status == CatalogueStatus.DRAFT


def test_a_category_is_renamed(client, signed_in_officer):
    catalogue = make_catalogue(signed_in_officer, published=False)
    category = catalogue.categories[0]
    resp = client.post(f"/manage/catalogue/categories/{category.id}/edit", data={"name": "公共服务"})
    assert resp.status_code == 303
    db.session.refresh(category)
    assert category.name == "公共服务"
    resp = client.post(f"/manage/catalogue/categories/{category.id}/edit", data={"name": "社会管理性服务"})
    assert resp.status_code == 400 and "本目录已有同名类别。" in resp.get_data(as_text=True)
