"""Bulk downloads: every published award as JSON, CSV and XLSX (the same rows and values), the 360Giving-style
file (valid against the 360Giving grant schema once unflattened), streamed in keyset batches."""
import csv
import hashlib
import io
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import jsonschema
from openpyxl import load_workbook

from grantportal.core.db import db
from grantportal.core.files import StoredFile
from grantportal.opendata import queries
from grantportal.opendata.downloads import FIELDS, GIVING_COLUMNS
from tests import factories as f

GIVING_SCHEMA = Path(__file__).parent / "schemas" / "360giving" / "360-giving-schema.json"


def _json_rows(client):
    resp = client.get("/data/awards.json")
    assert resp.status_code == 200 and resp.is_streamed
    data = json.loads(resp.get_data(as_text=True))
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    return data["awards"]


def _csv_rows(client, url):
    resp = client.get(url)
    assert resp.status_code == 200 and resp.is_streamed
    assert resp.mimetype == "text/csv"
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel and WPS read the Chinese
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_json_lists_every_funded_project_with_its_money(client, world):
    rows = _json_rows(client)
    funded = [a for a in world.awards if a.final_status.value == "selected"]
    assert [r["award_id"] for r in rows] == [f"award-{a.id}" for a in funded]
    first = rows[0]
    org = world.awards[0].application.org
    assert first["recipient_id"] == f"CN-USCI-{org.uscc}" and first["recipient_name"] == org.name
    assert first["amount_awarded"] == f"{world.awards[0].amount:.2f}"
    assert first["contract_id"] == world.contract.id
    assert first["amount_paid"] == "25000.00" and first["amount_recovered"] == "1000.50"
    assert first["record_url"].endswith(f"/data/projects/{world.contract.id}/ocds-record.json")
    assert rows[1]["contract_id"] is None and rows[1]["record_url"] == ""
    assert first["award_date"].endswith("+08:00")
    assert [r["district"] for r in rows] == [a.application.district or "" for a in funded]


def test_csv_and_xlsx_agree_with_the_json(client, world):
    rows = _json_rows(client)
    labels = {f.key: f.label for f in FIELDS}
    csv_rows = _csv_rows(client, "/data/awards.csv")
    assert list(csv_rows[0]) == [f.label for f in FIELDS]
    assert len(csv_rows) == len(rows)
    for j, c in zip(rows, csv_rows, strict=True):
        assert {k: "" if v is None else str(v) for k, v in j.items()} == {k: c[labels[k]] for k in j}

    resp = client.get("/data/awards.xlsx")
    assert resp.status_code == 200 and resp.is_streamed
    sheet = load_workbook(io.BytesIO(resp.get_data()), read_only=True)["资助项目"]
    header, *cells = list(sheet.iter_rows(values_only=True))
    assert list(header) == [f.label for f in FIELDS]
    assert len(cells) == len(rows)
    for j, row in zip(rows, cells, strict=True):
        row = tuple(row) + (None,) * (len(FIELDS) - len(row))  # read-only sheets drop trailing empty cells
        for field, value in zip(FIELDS, row, strict=True):
            expected = j[field.key]
            if field.kind == "money" and expected:
                assert Decimal(str(value)).quantize(Decimal("0.01")) == Decimal(expected), field.key
            else:
                assert ("" if value is None else str(value)) == ("" if expected is None else str(expected)), field.key


def _unflatten(row):
    """A 360Giving flat row as a grant object (the columns' JSON paths)."""
    grant = {"id": row["Identifier"], "title": row["Title"], "description": row["Description"],
             "currency": row["Currency"], "amountAppliedFor": float(row["Amount Applied For"]),
             "amountAwarded": float(row["Amount Awarded"]), "awardDate": row["Award Date"],
             "recipientOrganization": [{"id": row["Recipient Org:Identifier"], "name": row["Recipient Org:Name"]}],
             "fundingOrganization": [{"id": row["Funding Org:Identifier"], "name": row["Funding Org:Name"]}],
             "grantProgramme": [{"code": row["Grant Programme:Code"], "title": row["Grant Programme:Title"]}],
             "fromOpenCall": row["From An Open Call?"], "url": row["URL"], "dataSource": row["Data Source"]}
    dates = {k: row[f"Planned Dates:{t}"] for k, t in (("startDate", "Start Date"), ("endDate", "End Date"))
             if row[f"Planned Dates:{t}"]}
    if dates:
        grant["plannedDates"] = [dates]
    if row["Beneficiary Location:Name"]:
        grant["beneficiaryLocation"] = [{"name": row["Beneficiary Location:Name"],
                                         "countryCode": row["Beneficiary Location:Country Code"]}]
    return grant


def test_360giving_file_is_valid_against_the_360giving_schema(client, world):
    rows = _csv_rows(client, "/data/awards-360giving.csv")
    assert list(rows[0]) == list(GIVING_COLUMNS)
    json_rows = _json_rows(client)
    assert [r["Amount Awarded"] for r in rows] == [r["amount_awarded"] for r in json_rows]
    assert [r["Recipient Org:Identifier"] for r in rows] == [r["recipient_id"] for r in json_rows]
    schema = json.loads(GIVING_SCHEMA.read_text())
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for row in rows:
        errors = [e.message for e in validator.iter_errors(_unflatten(row))]
        assert errors == []


def test_rows_are_read_in_keyset_batches(app, world):
    f.final_awards()  # a second call
    all_rows = list(queries.award_rows())
    assert len(all_rows) >= 3
    assert [r.award_id for r in queries.award_rows(batch=1)] == [r.award_id for r in all_rows]
    assert [r.award_id for r in all_rows] == sorted(r.award_id for r in all_rows)


def test_unpublished_awards_are_not_in_the_downloads(client, world):
    call, _apps = f.ranked_call([dict(total=90, title="尚未公示的项目")])
    for url in ("/data/awards.json", "/data/awards.csv", "/data/awards-360giving.csv"):
        assert "尚未公示的项目" not in client.get(url).get_data(as_text=True)


def test_bulk_rows_keep_no_objects_in_the_session(app, world):
    """Memory stays flat: the rows are plain values read a batch at a time, so nothing accumulates in the
    session however many awards there are."""
    f.final_awards()
    db.session.expunge_all()
    seen = 0
    for _row in queries.award_rows(batch=2):
        seen += 1
        assert len(db.session.identity_map) == 0
    assert seen >= 3


def test_the_xlsx_is_built_by_a_job_kept_and_built_again_once_old(client, world, app):
    from grantportal.opendata import bulk

    first = client.get("/data/awards.xlsx")
    assert first.status_code == 200 and first.headers["Content-Disposition"] == "attachment; filename=awards.xlsx"
    dataset = bulk.kept(bulk.AWARDS_XLSX)
    assert dataset.records == len(_json_rows(client)) and dataset.file.sha256 == hashlib.sha256(first.data).hexdigest()
    assert "当前文件生成于" in client.get("/data/").get_data(as_text=True)

    kept_file = dataset.file_id
    assert client.get("/data/awards.xlsx").data == first.data and bulk.kept(bulk.AWARDS_XLSX).file_id == kept_file
    hour_later = timedelta(seconds=app.config["OPEN_DATA_FILE_SECONDS"] + 1)
    dataset.built_at, dataset.requested_at = dataset.built_at - hour_later, dataset.requested_at - hour_later
    db.session.commit()
    assert client.get("/data/awards.xlsx").status_code == 200
    assert bulk.kept(bulk.AWARDS_XLSX).file_id != kept_file  # built again; the old file is gone
    assert db.session.get(StoredFile, kept_file) is None


def test_before_the_first_xlsx_is_built_the_download_says_so_and_offers_the_csv(client, world, monkeypatch):
    from grantportal.core import jobs

    queued = []
    monkeypatch.setattr(jobs, "dispatch", lambda app, job_id: queued.append(job_id))
    resp = client.get("/data/awards.xlsx")
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "60"
    assert "正在生成" in resp.get_data(as_text=True) and "CSV" in resp.get_data(as_text=True)
    assert client.get("/data/awards.xlsx").status_code == 503 and len(queued) == 1  # one build on its way
