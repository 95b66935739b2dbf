"""Calls name the catalogue items they buy under (issue 14). Once a catalogue of the call's year is published, a
政府购买服务 call that names no item is refused with a clear Chinese message next to the field and nothing is
saved; an item of another year's catalogue is refused the same way; a 公益创投 call may name none."""
import sqlalchemy as sa

from grantportal.calls.models import Call, CallCatalogueItem, CallKind, CallStatus
from grantportal.core.db import db
from tests import factories as f
from tests.calls.formdata import call_form
from tests.catalogue.conftest import item_named, make_catalogue

NEEDS_ITEM = "2030年度购买服务目录已发布：政府购买服务类征集须对应目录中的至少一个事项"


def _calls():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Call))


def _links():
    return db.session.scalars(sa.select(CallCatalogueItem.item_id).order_by(CallCatalogueItem.item_id)).all()


def test_a_purchase_call_without_an_item_of_the_published_catalogue_is_refused(client, signed_in_officer):
    make_catalogue(signed_in_officer)
    resp = client.post("/manage/calls/new", data=call_form(kind="purchase", code="GM"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and NEEDS_ITEM in html  # the form again, the message next to the field
    assert "居家养老服务" in html  # the year's items are offered
    assert _calls() == 0 and _links() == []


def test_a_purchase_call_names_its_items(client, signed_in_officer):
    make_catalogue(signed_in_officer)
    care, youth = item_named("居家养老服务"), item_named("青少年服务")
    resp = client.post("/manage/calls/new", data={**call_form(kind="purchase", code="GM"),
                                                   "catalogue_items": [str(care.id), str(youth.id)]})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    call = db.session.scalars(sa.select(Call)).one()
    assert call.kind == CallKind.PURCHASE and _links() == sorted([care.id, youth.id])
    html = client.get(f"/manage/calls/{call.id}/edit").get_data(as_text=True)
    section = html.split("<legend>购买服务目录事项</legend>")[1].split("</fieldset>")[0]
    assert section.count("checked") == 2 and "社区矫正" in section

    # editing: dropping every item is refused, nothing changed; keeping one item drops the other
    data = {**call_form(kind="purchase", code="GM")}
    resp = client.post(f"/manage/calls/{call.id}/edit", data=data)
    assert NEEDS_ITEM in resp.get_data(as_text=True) and _links() == sorted([care.id, youth.id])
    resp = client.post(f"/manage/calls/{call.id}/edit", data={**data, "catalogue_items": [str(care.id)]})
    assert resp.status_code == 302 and _links() == [care.id]


def test_an_item_of_another_years_catalogue_is_refused(client, signed_in_officer):
    make_catalogue(signed_in_officer, year=2029)
    make_catalogue(signed_in_officer, year=2030, items=(("基本公共服务", "助残服务", "市残联", "助残服务", None, 0,
                                                         None),))
    old_item = item_named("居家养老服务")  # 2029's
    resp = client.post("/manage/calls/new", data={**call_form(kind="purchase", code="GM"),
                                                   "catalogue_items": [str(old_item.id)]})
    assert "只能选择2030年度目录中的事项；所选事项中有2029年度目录的事项。" in resp.get_data(as_text=True)
    for unknown in ("99999999999", "９", "0"):  # past the id column, full-width, no such item
        resp = client.post("/manage/calls/new", data={**call_form(kind="purchase", code="GM"),
                                                       "catalogue_items": [unknown]})
        assert resp.status_code == 200 and "请从列表中选择。" in resp.get_data(as_text=True)
    assert _calls() == 0 and _links() == []


def test_without_a_published_catalogue_the_rule_waits_and_a_venture_call_needs_no_item(client, signed_in_officer):
    make_catalogue(signed_in_officer, published=False)  # a draft binds nobody
    assert client.post("/manage/calls/new", data=call_form(kind="purchase", code="GM")).status_code == 302
    make_catalogue(signed_in_officer, year=2031)
    resp = client.post("/manage/calls/new", data=call_form(year="2031", code="BA1"))  # 公益创投
    assert resp.status_code == 302 and _calls() == 2


def test_the_rule_holds_in_the_operation_too(app, officer):
    from grantportal.calls.catalogue_link import CatalogueLinkRefused, sync_links

    make_catalogue(officer)
    call = f.CallFactory(kind=CallKind.PURCHASE, year=2030)
    try:
        sync_links(call, [])
    except CatalogueLinkRefused as e:
        assert NEEDS_ITEM in e.message and e.field == "catalogue_items"
    else:
        raise AssertionError("a purchase call without an item was accepted")


def test_a_draft_purchase_call_naming_no_item_cannot_be_published(client, signed_in_officer):
    call = f.CallFactory(kind=CallKind.PURCHASE, year=2030, status=CallStatus.DRAFT, published_at=None)
    make_catalogue(signed_in_officer)  # published after the call was drafted
    html = client.get(f"/manage/calls/{call.id}/publish").get_data(as_text=True)
    assert NEEDS_ITEM in html and "确认发布" not in html
    assert client.post(f"/manage/calls/{call.id}/publish").status_code == 409
    db.session.refresh(call)
    assert call.status == CallStatus.DRAFT
