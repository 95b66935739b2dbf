"""The public catalogue pages (issue 14): the years with a published catalogue; a year's catalogues with their
items, each item's purchasing department, requirements and indicative budget, and what was bought under it — the
public calls that name it and, once their results are final, their funded projects' count and amount. Drafts (of
catalogues and of calls) stay out of sight."""
import csv
import io
from decimal import Decimal

from grantportal.calls.models import CallCatalogueItem, CallKind, CallStatus
from grantportal.catalogue.models import CatalogueKind
from grantportal.core.db import db
from grantportal.core.money import format_yuan
from tests import factories as f
from tests.catalogue.conftest import item_named, make_catalogue
from tests.render import queries_while_rendering


def _link(call, item):
    db.session.add(CallCatalogueItem(call_id=call.id, item_id=item.id))
    db.session.commit()


def test_the_years_list_published_catalogues_only(client, officer):
    make_catalogue(officer, year=2030)
    make_catalogue(officer, year=2030, kind=CatalogueKind.TRANSFER,
                   items=(("行业管理", "行业标准制定", "市发改局", "", None, 0, None),))
    make_catalogue(officer, year=2031, published=False)
    html = client.get("/catalogue/").get_data(as_text=True)
    assert "2030年度政府购买服务目录（3项）" in html and "2030年度政府职能转移目录（1项）" in html
    assert "2031年度" not in html
    assert client.get("/catalogue/2031").status_code == 404
    assert client.get("/catalogue/1999").status_code == 404


def _bought(officer):
    """2030's catalogue: 居家养老服务 bought by a call with final results, 社区矫正 named by an open call and by a
    draft, 青少年服务 by none. The final call and its awards."""
    make_catalogue(officer, year=2030)
    care, correction = item_named("居家养老服务"), item_named("社区矫正")
    # three valid responses: the least a 公开招标 (the purchase calls' default method) may decide on (calls/methods.py)
    responses = [dict(total=90, requested="50000", matched="40000"), dict(total=85, requested="60000"),
                 dict(total=80, requested="30000")]
    call, awards = f.final_awards(responses, kind=CallKind.PURCHASE, year=2030)
    _link(call, care)
    open_call = f.CallFactory(kind=CallKind.PURCHASE, year=2030, name="社区矫正服务购买项目")
    _link(open_call, correction)
    draft = f.CallFactory(kind=CallKind.PURCHASE, year=2030, name="未发布的购买项目", status=CallStatus.DRAFT)
    _link(draft, correction)
    funded = [a for a in awards if a.final_status is not None and a.final_status.value == "selected"]
    return call, funded


def test_a_years_page_shows_items_and_what_was_bought_under_them(client, app, officer):
    call, funded = _bought(officer)

    with queries_while_rendering(app) as seen:
        resp = client.get("/catalogue/2030")
    assert resp.status_code == 200 and seen == []
    html = resp.get_data(as_text=True)
    assert "居家养老服务" in html and "市民政局" in html
    assert "评估等级3A及以上；登记成立满2年；从事养老服务领域服务" in html
    assert "1,200,000.00" in html and "青少年服务" in html
    assert funded
    amount = sum((a.amount for a in funded), Decimal("0.00"))
    assert call.title in html and f"资助项目 {len(funded)} 个，资助金额 {format_yuan(amount)}" in html
    assert "社区矫正服务购买项目" in html and "结果尚未确定" in html
    assert "未发布的购买项目" not in html
    assert "尚无征集" in html  # 青少年服务: nothing bought yet


def test_a_years_catalogue_downloads_as_csv_with_what_was_bought(client, officer):
    call, funded = _bought(officer)
    resp = client.get("/catalogue/2030.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert 'filename="catalogue-2030.csv"' in resp.headers["Content-Disposition"]
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel and WPS read the Chinese
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    by_item = {}
    for row in rows:
        by_item.setdefault(row["事项"], []).append(row)
    assert set(by_item) == {"居家养老服务", "青少年服务", "社区矫正"}
    (care,) = by_item["居家养老服务"]
    amount = sum((a.amount for a in funded), Decimal("0.00"))
    assert care["购买主体"] == "市民政局" and care["参考预算（元）"] == "1200000.00"
    assert care["承接主体条件"] == "评估等级3A及以上；登记成立满2年；从事养老服务领域服务"
    assert (care["征集"], care["结果是否确定"], care["资助项目数"], care["资助金额（元）"]) == (
        call.title, "是", str(len(funded)), f"{amount:.2f}")
    (correction,) = by_item["社区矫正"]  # the draft call is not there
    assert correction["征集"].endswith("社区矫正服务购买项目") and correction["结果是否确定"] == "否"
    assert correction["资助金额（元）"] == ""
    (youth,) = by_item["青少年服务"]
    assert youth["征集"] == "" and youth["参考预算（元）"] == ""
    assert youth["承接主体条件"] == "登记成立满1年；从事青少年服务领域服务"
    assert client.get("/catalogue/2031.csv").status_code == 404
    assert "/catalogue/2030.csv" in client.get("/catalogue/2030").get_data(as_text=True)


def test_a_calls_public_page_links_the_published_items_it_buys_under(client, officer):
    make_catalogue(officer, year=2030)
    care = item_named("居家养老服务")
    call = f.CallFactory(kind=CallKind.PURCHASE, year=2030, name="居家养老服务购买项目")
    _link(call, care)
    html = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert f'href="/catalogue/2030#item-{care.id}"' in html and "2030年度政府购买服务目录 · 居家养老服务" in html
    assert f'id="item-{care.id}"' in client.get("/catalogue/2030").get_data(as_text=True)
    draft = make_catalogue(officer, year=2031, published=False)
    other = f.CallFactory(kind=CallKind.PURCHASE, year=2031, name="未发布目录下的购买项目")
    _link(other, draft.items[0])
    assert "服务目录事项" not in client.get(f"/calls/{other.id}").get_data(as_text=True)  # a draft is not public
