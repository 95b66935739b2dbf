"""The demo's service catalogue (issue 14): the year's published 政府购买服务目录 of 中山市 with a few items a
civil-affairs bureau and its sister departments really buy — 居家养老, 长者助餐, 社区矫正, 青少年服务, 困境儿童关爱,
残疾人康复 — each with its purchasing department, what an undertaking organization must meet and an indicative
budget; the demo's purchase call (居家养老) is linked to its item. Written through the catalogue's own operations,
so that the audit log shows them as an officer's work."""
from decimal import Decimal

from grantportal.calls.models import CallCatalogueItem
from grantportal.catalogue import operations as ops
from grantportal.catalogue.models import CatalogueKind
from grantportal.core.db import db, utcnow
from grantportal.orgs.models import Grade

NOTE = ("依据《政府购买服务管理办法》（财政部令第102号）编制。列入目录的服务事项，可由各购买主体按照政府采购有关规定"
        "向符合条件的社会组织购买；承接主体条件为最低要求，具体以各项目征集公告为准。参考预算仅供编制部门预算参考。")

# (category, item, department, service field, minimum grade, years registered, indicative budget, 服务内容)
ITEMS = (
    ("基本公共服务", "居家养老服务", "市民政局", "养老服务", Grade.A3, 2, "1500000",
     "为辖区高龄、独居、失能长者提供上门助餐、助洁、助浴、陪诊和探访关爱服务。"),
    ("基本公共服务", "长者饭堂运营", "市民政局", "养老服务", None, 1, "800000",
     "社区长者饭堂的日常运营、配餐送餐和膳食安全管理。"),
    ("基本公共服务", "困境儿童关爱服务", "市妇儿工委办", "儿童服务", Grade.A3, 2, "600000",
     "困境儿童和留守儿童的个案管理、课业辅导、安全教育和心理支持。"),
    ("基本公共服务", "残疾人社区康复服务", "市残联", "助残服务", None, 2, "500000",
     "残疾人社区康复训练、辅具适配指导和家属照护培训。"),
    ("社会管理性服务", "社区矫正社会工作服务", "市司法局", "社区矫正", Grade.A4, 3, "900000",
     "社区矫正对象的心理辅导、教育帮扶、就业指导和社会适应性帮扶。"),
    ("社会管理性服务", "青少年服务", "团市委", "青少年服务", None, 1, "400000",
     "重点青少年群体的行为矫治、成长辅导和预防违法犯罪教育。"),
)


def load(officer, year, call):
    """The published 购买服务目录 of ``year``, and ``call`` (a 政府购买服务 call of that year) linked to its
    居家养老服务 item. Flushes, never commits."""
    catalogue = ops.create_catalogue(officer, ops.CatalogueData(
        year, CatalogueKind.PURCHASE, f"中山市{year}年度政府向社会组织购买服务目录", NOTE))
    categories, items = {}, {}
    for category, name, department, field, grade, years, budget, description in ITEMS:
        if category not in categories:
            categories[category] = ops.add_category(catalogue, officer, category)
        items[name] = ops.save_item(catalogue, officer, ops.ItemData(
            categories[category].id, name, description, department, field, grade, years, Decimal(budget)))
    ops.publish(catalogue, officer, utcnow())
    db.session.add(CallCatalogueItem(call_id=call.id, item_id=items["居家养老服务"].id))
    db.session.flush()
    return catalogue
