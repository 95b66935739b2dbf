"""The demo (issue 14): the year's published 购买服务目录 with realistic items, and the demo's purchase call
(居家养老) bought under its 居家养老服务 item, as the public sees them."""
import sqlalchemy as sa

from grantportal.calls.models import Call
from grantportal.catalogue.models import Catalogue, CatalogueStatus
from grantportal.core.db import db
from grantportal.demo.data import MIN_ORGS, load


def test_the_demo_publishes_the_years_catalogue_and_links_its_purchase_call(app, client):
    load(org_count=MIN_ORGS)
    db.session.commit()
    call = db.session.scalar(sa.select(Call).where(Call.code == "GM-YL"))
    catalogue = db.session.scalar(sa.select(Catalogue))
    assert catalogue.status == CatalogueStatus.PUBLISHED and catalogue.year == call.year
    assert [link.item.name for link in call.catalogue_links] == ["居家养老服务"]
    html = client.get(f"/catalogue/{call.year}").get_data(as_text=True)
    for name in ("居家养老服务", "社区矫正社会工作服务", "青少年服务", "市司法局", "1,500,000.00"):
        assert name in html
    assert call.title in html
    assert f"{call.year}年度" in client.get("/catalogue/").get_data(as_text=True)
