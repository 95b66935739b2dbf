"""A call's funding sources (issue 14, DESIGN.md §4 "Purchase of services"): 专项资金, 福彩公益金, 部门配套 and
其他 with its name, whose amounts add up to the call's total budget (the sum of its levels' budgets); shown on the
public and the officer's pages and in the call's open data."""
from decimal import Decimal

import sqlalchemy as sa

from grantportal.calls.models import Call, FundingSource, FundingSourceKind
from grantportal.core.db import db
from tests import factories as f
from tests.calls.formdata import call_form

# call_form's levels: 市级 800000 + 镇级 300000.50 = 1100000.50
TOTAL = Decimal("1100000.50")


def sources(*rows):
    data = {}
    for i, (kind, name, amount) in enumerate(rows):
        data.update({f"funding_sources-{i}-kind": kind, f"funding_sources-{i}-name": name,
                     f"funding_sources-{i}-amount": amount})
    return data


def only_call():
    return db.session.scalars(sa.select(Call)).one()


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_sources_that_add_up_to_the_budget_are_saved(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(**sources(
        ("special_fund", "", "600000"), ("lottery", "", "400000.50"), ("other", "市慈善总会配套", "100000"))))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    call = only_call()
    assert [(s.kind, s.name, s.amount) for s in call.funding_sources] == [
        (FundingSourceKind.SPECIAL_FUND, "", Decimal("600000.00")),
        (FundingSourceKind.LOTTERY, "", Decimal("400000.50")),
        (FundingSourceKind.OTHER, "市慈善总会配套", Decimal("100000.00"))]
    assert sum(s.amount for s in call.funding_sources) == call.total_budget == TOTAL


def test_sources_that_do_not_add_up_are_refused_and_nothing_saved(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(**sources(
        ("special_fund", "", "600000"), ("lottery", "", "400000"))))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "各资金来源金额合计¥1,000,000.00，应等于各层级总预算合计¥1,100,000.50。" in html
    assert 'value="400000"' in html  # what was typed is kept
    assert count(Call) == 0 and count(FundingSource) == 0


def test_other_needs_a_name_and_each_source_one_row(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(**sources(
        ("other", "", "100000.50"), ("special_fund", "", "500000"), ("special_fund", "", "500000"))))
    html = resp.get_data(as_text=True)
    assert "选择“其他”时请填写资金来源名称。" in html
    assert "该资金来源已填写过，每个来源只填一行。" in html
    assert count(Call) == 0


def test_amounts_are_ascii_and_positive(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(**sources(
        ("special_fund", "", "１１００００0.50"), ("lottery", "", "0"))))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "金额应大于0。" in html
    assert count(Call) == 0


def test_sources_are_optional_and_editing_replaces_them(client, signed_in_officer):
    assert client.post("/manage/calls/new", data=call_form()).status_code == 302
    call = only_call()
    assert call.funding_sources == []
    resp = client.post(f"/manage/calls/{call.id}/edit", data=call_form(**sources(("department", "", "1100000.50"))))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db.session.expire_all()
    assert [(s.kind, s.amount) for s in only_call().funding_sources] == [(FundingSourceKind.DEPARTMENT, TOTAL)]
    form = client.get(f"/manage/calls/{call.id}/edit").get_data(as_text=True)
    assert 'value="1100000.50"' in form and "资金来源" in form


def test_changing_a_levels_budget_checks_the_sources_again(client, signed_in_officer):
    client.post("/manage/calls/new", data=call_form(**sources(("special_fund", "", "1100000.50"))))
    call = only_call()
    resp = client.post(f"/manage/calls/{call.id}/edit", data=call_form(
        **{"levels-0-budget_total": "900000"}, **sources(("special_fund", "", "1100000.50"))))
    assert resp.status_code == 200 and "应等于各层级总预算合计¥1,200,000.50" in resp.get_data(as_text=True)


def _call_with_sources(**kw):
    call = f.CallFactory(**kw)  # levels 800000 + 300000
    call.funding_sources = [
        FundingSource(position=0, kind=FundingSourceKind.SPECIAL_FUND, amount=Decimal("700000.00")),
        FundingSource(position=1, kind=FundingSourceKind.OTHER, name="区级配套", amount=Decimal("400000.00"))]
    db.session.commit()
    return call


def test_the_public_call_page_shows_the_breakdown(client):
    call = _call_with_sources()
    html = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "采购方式与资金来源" in html
    assert "专项资金" in html and "其他（区级配套）" in html
    assert "700,000.00" in html and "1,100,000.00" in html  # the sources and their total


def test_a_copied_call_brings_its_sources(client, signed_in_officer):
    call = _call_with_sources()
    html = client.get(f"/manage/calls/new?from={call.id}").get_data(as_text=True)
    assert 'value="区级配套"' in html and 'value="700000.00"' in html
