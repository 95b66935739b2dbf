"""Documents never print an address that is not the public one: while ``PUBLIC_BASE_URL`` is unset, issuing
(a notice, a batch of notices, a contract, a rectification notice, a correction) is refused with a clear
message where the officer clicked, nothing is numbered or written, and the pages that issue say so first."""
from datetime import date

import pytest
import sqlalchemy as sa

from grantportal.awards.proposals.checks import JOB_KIND as CHECK_JOB
from grantportal.core.db import db
from grantportal.core.errors import Refused
from grantportal.core.jobs_models import Job
from grantportal.documents import operations as ops
from grantportal.documents import render
from grantportal.documents.models import DocumentKind, IssuedDocument
from grantportal.funding.contracts.operations import issue_contract
from grantportal.funding.models import Contract
from tests.documents.conftest import issued_contract

MESSAGE = render.NO_PUBLIC_ADDRESS


def _nothing_written():
    db.session.rollback()
    return not db.session.scalars(sa.select(IssuedDocument)).all() and not db.session.scalars(
        sa.select(Job).where(Job.kind != CHECK_JOB)).all()  # the published results' checks run as jobs too


def test_the_message_says_what_is_missing_and_who_can_fix_it():
    assert "GRANTPORTAL_PUBLIC_BASE_URL" in MESSAGE and "公网地址" in MESSAGE
    assert "暂不能出具文书" in MESSAGE and "系统管理员" in MESSAGE


def test_the_qr_address_is_the_configured_one_and_never_the_request_root(app, client):
    app.config["PUBLIC_BASE_URL"] = "https://gycx.example.gov.cn/"
    assert render.verify_url("ABCD") == "https://gycx.example.gov.cn/verify/ABCD"
    app.config["PUBLIC_BASE_URL"] = ""
    with app.test_request_context("/", base_url="http://10.0.0.5:8000"):
        assert render.public_base_url() is None and render.issuing_refusal() == MESSAGE
        with pytest.raises(RuntimeError):
            render.verify_url("ABCD")


def test_every_way_of_issuing_is_refused_without_the_public_address(app, final):
    call, (award, other), officer = final
    _contract, issued = issued_contract(other, officer)  # issued while the address was set
    app.config["PUBLIC_BASE_URL"] = ""
    attempts = [
        lambda: ops.issue_document(award, DocumentKind.SELECTION_NOTICE, officer),
        lambda: ops.issue_document(award, DocumentKind.RECTIFICATION_NOTICE, officer,
                                   extras={"reason": "服务记录不完整"}),
        lambda: ops.issue_notice_batch(call, officer),
        lambda: ops.issue_correction(issued, officer, "法定代表人变更，重新出具"),
    ]
    for attempt in attempts:
        with pytest.raises(ops.DocumentRefused) as refused:
            attempt()
        assert refused.value.message == MESSAGE and refused.value.status == 409
    with pytest.raises(Refused) as refused:  # a contract: funding's refusal, same words
        issue_contract(award, officer, date(2026, 7, 1))
    assert refused.value.message == MESSAGE
    db.session.rollback()
    assert db.session.scalars(sa.select(IssuedDocument.id)).all() == [issued.id]
    assert db.session.scalars(sa.select(Contract.award_id)).all() == [other.id]


def test_the_officer_is_told_on_the_page_they_clicked_and_before_they_click(app, client, auth, final):
    call, (award, _), officer = final
    app.config["PUBLIC_BASE_URL"] = ""
    auth.login(officer)
    for url in ("/manage/", f"/manage/calls/{call.id}/documents", f"/manage/awards/{award.id}/contract",
                f"/manage/awards/{award.id}/rectification"):
        assert MESSAGE in client.get(url).get_data(as_text=True), url  # said before the click

    batch = client.post(f"/manage/calls/{call.id}/documents/batch", follow_redirects=True)
    assert batch.request.path == f"/manage/calls/{call.id}/documents"
    assert f'<div class="flash flash-error" role="status">{MESSAGE}</div>' in batch.get_data(as_text=True)

    contract = client.post(f"/manage/awards/{award.id}/contract", data={"starts_on": "2026-07-01",
                                                                        "deliverables": "开展助老服务200人次"})
    assert contract.status_code == 409 and MESSAGE in contract.get_data(as_text=True)
    rectification = client.post(f"/manage/awards/{award.id}/rectification", data={"reason": "服务记录不完整，请整改"})
    assert rectification.status_code == 409 and MESSAGE in rectification.get_data(as_text=True)
    assert _nothing_written() and not db.session.scalars(sa.select(Contract)).all()

    app.config["PUBLIC_BASE_URL"] = "https://gycx.example.gov.cn"
    assert MESSAGE not in client.get(f"/manage/calls/{call.id}/documents").get_data(as_text=True)
    assert client.post(f"/manage/calls/{call.id}/documents/batch").status_code == 303
    doc = db.session.scalars(sa.select(IssuedDocument)).first()
    assert doc.body["verify_url"] == f"https://gycx.example.gov.cn/verify/{doc.verification_code}"


def test_the_demo_prints_the_address_it_serves_on(app, monkeypatch):
    from grantportal.demo import cli

    app.config["PUBLIC_BASE_URL"] = ""
    seen = {}
    monkeypatch.setattr(cli, "load", lambda org_count: seen.update(address=app.config["PUBLIC_BASE_URL"]))
    result = app.test_cli_runner().invoke(args=["demo", "load", "--orgs", str(cli.MIN_ORGS)])
    assert result.exit_code == 0, result.output
    assert seen == {"address": cli.DEMO_ADDRESS} == {"address": "http://127.0.0.1:5000"}
