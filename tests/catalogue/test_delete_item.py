"""An officer deletes a catalogue item no call names, after a confirmation page, audited with its whole row; an item
a call names keeps no delete control, its page says why (已被征集引用，不能删除) and a POST is refused, nothing
deleted; auditors and organizations cannot delete."""
import sqlalchemy as sa

from grantportal.calls.models import CallCatalogueItem
from grantportal.catalogue import operations as ops
from grantportal.catalogue.models import CatalogueItem
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from tests import factories as f
from tests.catalogue.conftest import item_named, make_catalogue
from tests.race import skip_unless_postgres


def _names():
    return set(db.session.scalars(sa.select(CatalogueItem.name)))


def _link(item):
    call = f.CallFactory()
    db.session.add(CallCatalogueItem(call_id=call.id, item_id=item.id))
    db.session.commit()


def test_an_item_no_call_names_is_deleted_after_confirmation(client, signed_in_officer):
    catalogue = make_catalogue(signed_in_officer)
    item_id = item_named("青少年服务").id
    page = client.get(f"/manage/catalogue/{catalogue.id}").get_data(as_text=True)
    assert f"/manage/catalogue/items/{item_id}/delete" in page
    page = client.get(f"/manage/catalogue/items/{item_id}/delete").get_data(as_text=True)
    assert "青少年服务" in page and "确认删除" in page and "不能撤销" in page
    assert "青少年服务" in _names()  # the page alone deletes nothing
    resp = client.post(f"/manage/catalogue/items/{item_id}/delete")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/manage/catalogue/{catalogue.id}")
    assert _names() == {"居家养老服务", "社区矫正"}
    assert "事项“青少年服务”已删除" in client.get(resp.headers["Location"]).get_data(as_text=True)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "catalogue.item_delete")).one()
    assert entry.object_id == str(item_id) and "青少年服务" in entry.before and entry.after is None
    assert "青少年服务" not in client.get(f"/catalogue/{catalogue.year}").get_data(as_text=True)


def test_an_item_a_call_names_shows_why_it_cannot_be_deleted(client, signed_in_officer):
    catalogue = make_catalogue(signed_in_officer)
    item = item_named("居家养老服务")
    _link(item)
    page = client.get(f"/manage/catalogue/{catalogue.id}").get_data(as_text=True)
    assert "已被征集引用，不能删除" in page
    assert f"/manage/catalogue/items/{item.id}/delete" not in page
    assert f"/manage/catalogue/items/{item_named('社区矫正').id}/delete" in page  # the others still can
    page = client.get(f"/manage/catalogue/items/{item.id}/delete").get_data(as_text=True)
    assert "该事项已被征集引用，不能删除" in page and "确认删除" not in page
    assert client.post(f"/manage/catalogue/items/{item.id}/delete").status_code == 409
    assert "居家养老服务" in _names()
    assert not db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "catalogue.item_delete")).all()


def test_the_last_item_of_a_published_catalogue_stays(client, signed_in_officer):
    make_catalogue(signed_in_officer, items=(("基本公共服务", "居家养老服务", "市民政局", "", None, 0, None),))
    item = item_named("居家养老服务")
    page = client.get(f"/manage/catalogue/items/{item.id}/delete").get_data(as_text=True)
    assert "不能删除最后一个事项" in page and "确认删除" not in page
    assert client.post(f"/manage/catalogue/items/{item.id}/delete").status_code == 409
    assert "居家养老服务" in _names()


def test_a_missing_item_is_404_and_an_auditor_cannot_delete(client, auth, signed_in_officer):
    make_catalogue(signed_in_officer)
    item = item_named("青少年服务")
    assert client.get("/manage/catalogue/items/999999/delete").status_code == 404
    auth.logout()
    auth.login(f.UserFactory(auditor=True))
    assert client.post(f"/manage/catalogue/items/{item.id}/delete").status_code == 403
    assert "青少年服务" in _names()


def test_a_call_that_names_the_item_at_the_same_moment_stops_the_deletion(client, signed_in_officer, monkeypatch,
                                                                          is_postgres):
    """The page and the check both saw no call (stale, here made so), but a call's link is there when the row is
    deleted: the foreign key stops it and the officer reads why (409), nothing deleted. SQLite does not enforce the
    key, so this runs on PostgreSQL."""
    skip_unless_postgres(is_postgres, "deletions and call links")
    make_catalogue(signed_in_officer)
    item = item_named("居家养老服务")
    _link(item)
    monkeypatch.setattr(ops, "item_calls", lambda item: 0)
    resp = client.post(f"/manage/catalogue/items/{item.id}/delete")
    assert resp.status_code == 409 and "删除的同时有征集引用了此事项" in resp.get_data(as_text=True)
    assert "居家养老服务" in _names()
    assert not db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "catalogue.item_delete")).all()
