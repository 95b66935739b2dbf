"""OCDS 1.1.5 release and record packages: validated offline with libcoveocds against the standard's schema
(``schemas/ocds-standard-1__1__5-schema.zip``, the copy of ../shared/schemas), and mapped as DESIGN.md §5 says."""
import io
import json
import zipfile
from pathlib import Path

import pytest
import requests
from flask import current_app
from libcoveocds.api import ocds_json_output
from libcoveocds.config import LibCoveOCDSConfig

from grantportal.awards.proposals.queries import proposal_of
from grantportal.calls.models import CallStatus
from grantportal.core.db import db
from grantportal.funding.contracts.operations import prepare_contract
from grantportal.opendata import queries
from tests import factories as f
from tests.funding.conftest import STARTS

STANDARD_ZIP = Path(__file__).parent / "schemas" / "ocds-standard-1__1__5-schema.zip"


SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"
# the Budget Breakdown extension the packages declare (ocds.EXTENSIONS), answered from the copy beside the ZIP
EXTENSION_URL = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_budget_breakdown_extension/master/"
EXTENSION_ARCHIVE = "https://github.com/open-contracting-extensions/ocds_budget_breakdown_extension/archive/master.zip"
EXTENSION_DIR = STANDARD_ZIP.parent / "ocds_budget_breakdown_extension"


def _extension_archive():
    """The extension's files as GitHub's archive of its branch (ocdsextensionregistry reads that ZIP)."""
    buf = io.BytesIO()
    top = "ocds_budget_breakdown_extension-master/"
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(top, "")  # the archive's first entry is its top folder
        for path in sorted(EXTENSION_DIR.rglob("*")):
            z.write(path, f"{top}{path.relative_to(EXTENSION_DIR)}{'/' if path.is_dir() else ''}")
    return buf.getvalue()


@pytest.fixture
def offline(monkeypatch):
    """No request leaves the machine. libcoveocds reads the schema and codelists from the ZIP; the one reference
    it still resolves by URL (the record package schema's ``$ref`` to the versioned release schema, followed by
    jsonref with requests) is answered from the same ZIP, and the declared extension's files from their copy;
    any other request fails the test."""
    def serve(session, method, url, *args, **kwargs):
        if method.lower() == "get" and url == EXTENSION_ARCHIVE:
            content = _extension_archive()
        elif method.lower() == "get" and url.startswith(EXTENSION_URL):
            content = (EXTENSION_DIR / url[len(EXTENSION_URL):]).read_bytes()
        elif method.lower() != "get" or not url.startswith(SCHEMA_URL):
            raise AssertionError(f"network access during validation: {method} {url}")
        else:
            with zipfile.ZipFile(STANDARD_ZIP) as z:
                content = z.read(f"standard-1__1__5/schema/{url[len(SCHEMA_URL):]}")
        resp = requests.Response()
        resp.status_code, resp._content, resp.url, resp.encoding = 200, content, url, "utf-8"
        return resp
    monkeypatch.setattr(requests.Session, "request", serve)


def cove(data, tmp_path):
    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    config.config["standard_zip"] = f"file://{STANDARD_ZIP}"
    return ocds_json_output(str(tmp_path), json_data=data, lib_cove_ocds_config=config)


def assert_valid(result):
    assert result["validation_errors"] == [], result["validation_errors"]
    assert not result.get("additional_closed_codelist_values"), result["additional_closed_codelist_values"]


def test_call_package_validates_against_ocds_schema(client, world, offline, tmp_path):
    resp = client.get(f"/data/calls/{world.call.id}/ocds.json")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    assert_valid(cove(resp.get_json(), tmp_path))


def test_project_record_validates_against_ocds_schema(client, world, offline, tmp_path):
    resp = client.get(f"/data/projects/{world.contract.id}/ocds-record.json")
    assert resp.status_code == 200
    assert_valid(cove(resp.get_json(), tmp_path))


def test_call_is_the_tender_and_each_funded_project_an_award(client, world):
    package = client.get(f"/data/calls/{world.call.id}/ocds.json").get_json()
    assert package["version"] == "1.1"
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert package["uri"].endswith(f"/data/calls/{world.call.id}/ocds.json")
    tender_release, *project_releases = package["releases"]
    ocid = f"ocds-gp0000-call-{world.call.id}"
    assert {r["ocid"] for r in package["releases"]} == {ocid}
    tender = tender_release["tender"]
    budget = sum(level.budget_total for level in world.call.levels)
    assert tender["value"] == {"amount": int(budget), "currency": "CNY"}
    assert tender_release["planning"]["budget"]["amount"]["amount"] == int(budget)
    assert tender["title"] == world.call.title
    proposal = proposal_of(world.call)
    assert tender["awardPeriod"]["startDate"].endswith("+08:00")  # the 公示 period
    assert tender["milestones"][0]["title"] == "结果公示"
    assert tender_release["buyer"]["name"] == current_app.config["BUREAU_NAME"]
    funded = [a for a in world.awards if a.final_status.value == "selected"]
    assert [r["awards"][0]["id"] for r in project_releases] == [f"award-{a.id}" for a in funded]
    first = project_releases[0]
    award = world.awards[0]
    org = award.application.org
    assert first["awards"][0]["value"] == {"amount": int(award.amount), "currency": "CNY"}
    assert first["awards"][0]["suppliers"] == [{"id": f"CN-USCI-{org.uscc}", "name": org.name}]
    party = next(p for p in first["parties"] if p["id"] == f"CN-USCI-{org.uscc}")
    assert party["identifier"] == {"scheme": "CN-USCI", "id": org.uscc, "legalName": org.name}
    assert proposal.confirmed_at is not None


def test_call_package_is_written_batch_by_batch_and_whole(client, world, monkeypatch):
    """A call may fund tens of thousands of projects: the package is streamed a batch at a time; with batches of
    one it is still one valid document with every funded project once and the latest release's date."""
    monkeypatch.setattr(queries, "BATCH", 1)
    resp = client.get(f"/data/calls/{world.call.id}/ocds.json")
    assert resp.is_streamed
    package = json.loads(resp.get_data(as_text=True))
    funded = [a for a in world.awards if a.final_status.value == "selected"]
    assert len(funded) > 1
    assert [r["awards"][0]["id"] for r in package["releases"][1:]] == [f"award-{a.id}" for a in funded]
    assert package["publishedDate"] == max(r["date"] for r in package["releases"])


def test_contract_carries_payments_recoveries_and_evaluations(client, world):
    package = client.get(f"/data/calls/{world.call.id}/ocds.json").get_json()
    release = next(r for r in package["releases"] if r["id"].endswith(f"award-{world.awards[0].id}"))
    assert release["tag"] == ["award", "contract", "implementation"]
    (contract,) = release["contracts"]
    assert contract["id"] == f"contract-{world.contract.id}"
    assert contract["awardID"] == f"award-{world.awards[0].id}"
    assert contract["status"] == "active"
    assert contract["value"] == {"amount": int(world.contract.amount), "currency": "CNY"}
    assert contract["period"]["startDate"] == f"{STARTS.isoformat()}T00:00:00+08:00"
    payment, recovery = contract["implementation"]["transactions"]
    org_id = f"CN-USCI-{world.awards[0].application.org.uscc}"
    assert payment["value"] == {"amount": 25000, "currency": "CNY"}
    assert payment["payee"]["id"] == org_id and payment["payer"]["name"] == current_app.config["BUREAU_NAME"]
    assert recovery["value"] == {"amount": 1000.5, "currency": "CNY"}
    assert recovery["payer"]["id"] == org_id  # money back from the organization
    (milestone,) = contract["implementation"]["milestones"]
    assert milestone["title"] == "中期评估"
    assert milestone["type"] == "assessment" and milestone["status"] == "met"
    assert "良好" in milestone["description"]


def test_project_without_contract_in_force_has_an_award_only(client, world):
    package = client.get(f"/data/calls/{world.call.id}/ocds.json").get_json()
    release = next(r for r in package["releases"] if r["id"].endswith(f"award-{world.awards[1].id}"))
    assert release["tag"] == ["award"]
    assert "contracts" not in release


def test_record_holds_the_tender_and_the_project_compiled(client, world):
    package = client.get(f"/data/projects/{world.contract.id}/ocds-record.json").get_json()
    (record,) = package["records"]
    assert [r["tag"][0] for r in record["releases"]] == ["tender", "award"]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["tender"]["id"] == f"call-{world.call.id}"
    assert [c["id"] for c in compiled["contracts"]] == [f"contract-{world.contract.id}"]
    assert len(compiled["parties"]) == 2  # the bureau once, the organization once
    assert package["packages"][0].endswith(f"/data/calls/{world.call.id}/ocds.json")


def test_ocid_prefix_and_buyer_come_from_configuration(app, client, world):
    app.config.update(OCID_PREFIX="ocds-abc123", BUREAU_NAME="中山市民政局", BUREAU_USCC="11442000007244497B")
    package = client.get(f"/data/calls/{world.call.id}/ocds.json").get_json()
    assert package["releases"][0]["ocid"] == f"ocds-abc123-call-{world.call.id}"
    buyer = package["releases"][0]["parties"][0]
    assert buyer["id"] == "CN-USCI-11442000007244497B" and buyer["roles"] == ["buyer", "procuringEntity", "payer"]


def test_no_package_before_results_are_final(client, officer):
    call, _apps = f.ranked_call([dict(total=90)])
    assert client.get(f"/data/calls/{call.id}/ocds.json").status_code == 404
    draft = f.CallFactory(status=CallStatus.DRAFT)
    assert client.get(f"/data/calls/{draft.id}/ocds.json").status_code == 404
    assert client.get("/data/calls/999999/ocds.json").status_code == 404


def test_no_record_before_the_contract_is_in_force(client, world, officer):
    contract = prepare_contract(world.awards[1], officer, STARTS)
    db.session.commit()
    assert client.get(f"/data/projects/{contract.id}/ocds-record.json").status_code == 404
    assert client.get("/data/projects/999999/ocds-record.json").status_code == 404


def test_the_validation_is_not_vacuous(client, world, offline, tmp_path):
    package = client.get(f"/data/calls/{world.call.id}/ocds.json").get_json()
    package["releases"][1]["awards"][0]["value"]["amount"] = "50000"  # a string, not a number
    package["releases"][0]["tender"]["status"] = "finished"  # not in the closed tenderStatus codelist
    result = cove(package, tmp_path)
    assert result["validation_errors"]
    assert result["additional_closed_codelist_values"]
