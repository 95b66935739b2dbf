"""Money by funding source in open data (calls/sources.py's rule): the call's sources in ``planning.budget``'s
``budgetBreakdown`` (the package still validates, with the declared extension), each award's split in its
description, and the same split in the JSON, CSV, XLSX and 360Giving downloads; a call's sources are read once,
not per row."""
import csv
import io
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from grantportal.calls.models import FundingSource, FundingSourceKind
from grantportal.core.db import db
from grantportal.opendata import queries
from grantportal.opendata.downloads import FIELDS, GIVING_COLUMNS
from tests import factories as f
from tests.funding.conftest import active_contract
from tests.opendata.test_ocds import assert_valid, cove, offline  # noqa: F401 (offline is a fixture)
from tests.permissions.world import built_once, restore_world

D = Decimal
AMOUNTS = [D("33333.33"), D("47777.77")]
# the factory's levels add up to 1,100,000
SOURCES = [(FundingSourceKind.SPECIAL_FUND, "", D("500000.00")), (FundingSourceKind.LOTTERY, "", D("300000.00")),
           (FundingSourceKind.OTHER, "区级配套", D("300000.00"))]
# 33333.33 × 5/11, 3/11, 3/11 = 15151.513…, 9090.908…, 9090.908… → 15151.51 + 9090.90 + 9090.90 = 33333.31
EXPECTED = {D("33333.33"): [D("15151.53"), D("9090.90"), D("9090.90")],
            D("47777.77"): [D("21717.17"), D("13030.30"), D("13030.30")]}


def build_world():
    call, awards = f.final_awards()
    call.funding_sources = [FundingSource(position=i, kind=k, name=n, amount=a) for i, (k, n, a) in enumerate(SOURCES)]
    for award, amount in zip(awards, AMOUNTS, strict=True):
        award.amount = amount
    plain, _ = f.final_awards()  # a call without recorded sources
    db.session.commit()
    return SimpleNamespace(call=call, awards=awards, plain=plain)


@pytest.fixture(scope="module")
def world_snapshot(database, tmp_path_factory):
    return built_once(database, tmp_path_factory, build_world)


@pytest.fixture
def world(world_snapshot):
    return restore_world(world_snapshot)


def _json(client):
    return json.loads(client.get("/data/awards.json").get_data(as_text=True))["awards"]


def _csv(client, url):
    text = client.get(url).get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(text[1:])))


def _kinds(row):
    return [row["amount_special_fund"], row["amount_lottery"], row["amount_other"]]


def test_bulk_json_splits_each_award_and_the_parts_add_up(client, world):
    rows = {r["award_id"]: r for r in _json(client)}
    for award in world.awards:
        row = rows[f"award-{award.id}"]
        parts = [D(v) for v in _kinds(row)]
        assert parts == EXPECTED[award.amount]
        assert sum(parts) == D(row["amount_awarded"]) == award.amount
        assert row["amount_department"] == ""  # no source of that kind
        a, b, c = EXPECTED[award.amount]
        assert row["funding_sources"] == f"专项资金 {a:.2f}；福彩公益金 {b:.2f}；其他（区级配套） {c:.2f}"
    plain = [r for r in rows.values() if r["call_id"] == world.plain.id]
    assert plain and all(r["funding_sources"] == "" and _kinds(r) == ["", "", ""] for r in plain)


def test_csv_xlsx_and_360giving_agree_with_the_json(client, world):
    rows = _json(client)
    labels = {f.key: f.label for f in FIELDS}
    source_keys = ["funding_sources", *(k for k in labels if k.startswith("amount_") and "其中" in labels[k])]
    assert len(source_keys) == 5
    csv_rows = _csv(client, "/data/awards.csv")
    giving = _csv(client, "/data/awards-360giving.csv")
    assert list(giving[0]) == list(GIVING_COLUMNS)
    sheet = load_workbook(io.BytesIO(client.get("/data/awards.xlsx").get_data()), read_only=True)["资助项目"]
    header, *cells = list(sheet.iter_rows(values_only=True))
    for j, c, g, x in zip(rows, csv_rows, giving, cells, strict=True):
        x = dict(zip(header, tuple(x) + (None,) * (len(header) - len(x)), strict=True))
        for key in source_keys:
            assert c[labels[key]] == g[labels[key]] == j[key], key
            if key != "funding_sources" and j[key]:
                assert D(str(x[labels[key]])).quantize(D("0.01")) == D(j[key])
            else:
                assert (x[labels[key]] or "") == j[key]


def test_ocds_budget_breakdown_and_award_split_validate(client, world, offline, tmp_path):  # noqa: F811
    package = client.get(f"/data/calls/{world.call.id}/ocds.json").get_json()
    result = cove(package, tmp_path)
    assert_valid(result)
    assert not result.get("additional_fields"), result.get("additional_fields")  # budgetBreakdown is declared
    assert package["extensions"][0].endswith("ocds_budget_breakdown_extension/master/extension.json")
    budget = package["releases"][0]["planning"]["budget"]
    assert [(b["id"], b["description"], b["amount"]["amount"]) for b in budget["budgetBreakdown"]] == [
        ("source-1", "专项资金", 500000), ("source-2", "福彩公益金", 300000), ("source-3", "其他（区级配套）", 300000)]
    assert sum(b["amount"]["amount"] for b in budget["budgetBreakdown"]) == budget["amount"]["amount"]
    bulk = {r["award_id"]: r for r in _json(client)}
    for release in package["releases"][1:]:
        (award,) = release["awards"]
        assert award["description"].endswith(bulk[award["id"]]["funding_sources"])


def test_record_package_validates_with_the_breakdown(client, world, offline, tmp_path):  # noqa: F811
    contract = active_contract(world.awards[0], world.call.created_by)
    package = client.get(f"/data/projects/{contract.id}/ocds-record.json").get_json()
    assert_valid(cove(package, tmp_path))
    compiled = package["records"][0]["compiledRelease"]
    assert len(compiled["planning"]["budget"]["budgetBreakdown"]) == 3
    assert "专项资金 15151.53" in compiled["awards"][0]["description"]


def test_a_calls_sources_are_read_once_not_per_row(app, world):
    statements = []

    def count(conn, cursor, statement, *args):
        if "call_funding_source" in statement:
            statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        rows = list(queries.award_rows(batch=1))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(rows) >= 4
    assert len(statements) == 2  # one per call, though every batch holds one row
