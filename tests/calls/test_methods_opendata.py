"""The purchase method and the funding sources in the call's open data (OCDS 1.1.5, validated offline with
libcoveocds as tests/opendata does): ``tender.procurementMethod`` from the closed codelist with the Chinese method
in ``procurementMethodDetails``, the single-source justification as ``procurementMethodRationale``, the sources in
``planning.budget.description``."""
from decimal import Decimal

from grantportal.calls.models import CallKind, FundingSource, FundingSourceKind, PurchaseMethod
from grantportal.core.db import db
from tests import factories as f
from tests.opendata.test_ocds import assert_valid, cove, offline  # noqa: F401 (offline is a fixture)

REASON = "该服务须由承担本市社区矫正心理辅导试点的唯一机构延续提供。"


def _final_call(**kw):
    call, _awards = f.final_awards(kind=CallKind.PURCHASE, **kw)
    call.funding_sources = [  # the factory's levels: 800000 + 300000
        FundingSource(position=0, kind=FundingSourceKind.SPECIAL_FUND, amount=Decimal("800000.00")),
        FundingSource(position=1, kind=FundingSourceKind.LOTTERY, amount=Decimal("300000.00"))]
    db.session.commit()
    return call


def test_single_source_call_package_is_valid_and_says_why(client, offline, tmp_path):  # noqa: F811
    call = _final_call(purchase_method=PurchaseMethod.SINGLE_SOURCE, single_source_reason=REASON)
    package = client.get(f"/data/calls/{call.id}/ocds.json").get_json()
    assert_valid(cove(package, tmp_path))
    release = package["releases"][0]
    tender = release["tender"]
    assert tender["procurementMethod"] == "direct"
    assert tender["procurementMethodDetails"] == "政府购买服务（单一来源）"
    assert tender["procurementMethodRationale"] == REASON
    budget = release["planning"]["budget"]
    assert budget["amount"]["amount"] == 1100000
    assert budget["description"] == "各级别预算合计；资金来源：专项资金800,000.00元、福彩公益金300,000.00元"


def test_competitive_call_package_is_valid(client, offline, tmp_path):  # noqa: F811
    call = _final_call(purchase_method=PurchaseMethod.CONSULTATION,
                       apps=[dict(total=90 - i, requested="50000") for i in range(3)])
    package = client.get(f"/data/calls/{call.id}/ocds.json").get_json()
    assert_valid(cove(package, tmp_path))
    tender = package["releases"][0]["tender"]
    assert tender["procurementMethod"] == "limited"
    assert tender["procurementMethodDetails"] == "政府购买服务（竞争性磋商）"
    assert "procurementMethodRationale" not in tender
