"""List exports: content and headers of each list in CSV and XLSX, formula-like cells neutralised, the audit
entry, large exports through the job queue, and who may export."""
import csv
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from grantportal.applications.models import AppStatus
from grantportal.calls.models import FundingSource, FundingSourceKind
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.core.jobs_models import Job, JobStatus
from grantportal.funding.payments.operations import record_payment
from tests import factories as f
from tests.funding.conftest import TODAY, active_contract

EVIL = "=HYPERLINK(\"http://evil.example\",\"点击\")"


def _csv(resp):
    text = resp.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(resp):
    ws = load_workbook(io.BytesIO(resp.get_data()), read_only=True).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def call(officer):
    call = f.CallFactory(created_by=officer, name="博爱100公益创投")
    org = f.OrganizationFactory(name="+阳光社工服务中心")
    f.ApplicationFactory(call=call, org=org, title=EVIL, status=AppStatus.SUBMITTED, number="BA-2026-0001",
                         submitted_at=utcnow())
    f.ApplicationFactory(call=call, title="草稿项目")  # drafts are not exported
    return call


def test_applications_csv_has_the_header_the_rows_and_no_formula(client, auth, officer, call):
    auth.login(officer)
    resp = client.get(f"/manage/calls/{call.id}/export/applications.csv")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in resp.headers["Content-Disposition"] and "filename*=UTF-8''" in resp.headers[
        "Content-Disposition"]
    assert resp.headers["Cache-Control"] == "private, no-store"
    rows = _csv(resp)
    assert rows[0][:4] == ["申报编号", "项目名称", "申报机构", "统一社会信用代码"]
    assert len(rows) == 2 and rows[1][0] == "BA-2026-0001"
    assert rows[1][1] == "'" + EVIL and rows[1][2] == "'+阳光社工服务中心"
    assert rows[1][6] == "已提交" and rows[1][7] == "待审查"


def test_applications_xlsx_has_the_same_rows_and_no_formula(client, auth, officer, call):
    auth.login(officer)
    resp = client.get(f"/manage/calls/{call.id}/export/applications.xlsx")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    rows = _xlsx(resp)
    assert rows[0][0] == "申报编号" and len(rows) == 2
    assert rows[1][1] == "'" + EVIL and rows[1][2] == "'+阳光社工服务中心"


def test_export_is_audited(client, auth, officer, call):
    auth.login(officer)
    client.get(f"/manage/calls/{call.id}/export/applications.csv")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export.applications"))
    assert entry is not None and entry.actor_id == officer.id and entry.object_id == str(call.id)
    assert '"rows": 1' in entry.after and '"format": "csv"' in entry.after


def test_awards_payments_and_monitoring_lists(client, auth, officer):
    call, awards = f.final_awards()
    contract = active_contract(awards[0], officer)
    tranche = contract.tranches[0]
    record_payment(contract, tranche, officer, TODAY, tranche.amount, "=1+1")
    db.session.commit()
    auth.login(officer)
    rows = _csv(client.get(f"/manage/calls/{call.id}/export/awards.csv"))
    assert rows[0][0] == "申报编号" and "拟资助金额（元）" in rows[0] and len(rows) == 3
    amounts = {r[0]: r[rows[0].index("拟资助金额（元）")] for r in rows[1:]}
    assert amounts[awards[0].application.number] == "50000.0"
    rows = _xlsx(client.get("/manage/export/payments.xlsx"))
    assert rows[0][:2] == ["征集", "申报编号"] and len(rows) == 2
    assert rows[1][rows[0].index("凭证号")] == "'=1+1" and rows[1][rows[0].index("拨付金额（元）")] == 25000
    rows = _csv(client.get("/manage/export/monitoring.csv"))
    assert rows[0][-2:] == ["逾期报告数", "下次报告截止日期"] and len(rows) == 2
    assert rows[1][1] == awards[0].application.number


def test_large_export_runs_as_a_job_and_is_downloaded_by_its_officer(app, client, auth, officer, call):
    app.config.update(EXPORT_SYNC_MAX_ROWS=0, JOBS_SYNC=True)
    auth.login(officer)
    resp = client.get(f"/manage/calls/{call.id}/export/applications.xlsx")
    assert resp.status_code == 303
    job = db.session.scalar(sa.select(Job).where(Job.kind == "workbench.export"))
    assert resp.headers["Location"].endswith(f"/manage/exports/{job.id}")
    db.session.refresh(job)
    assert job.status == JobStatus.DONE and job.created_by_id == officer.id
    page = client.get(f"/manage/exports/{job.id}").get_data(as_text=True)
    assert "下载文件" in page
    rows = _xlsx(client.get(f"/manage/exports/{job.id}/download"))
    assert rows[1][1] == "'" + EVIL
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "export.applications", AuditEntry.object_type == "job"))
    auth.logout()
    auth.login(f.UserFactory(officer=True))
    assert client.get(f"/manage/exports/{job.id}/download").status_code == 403


def test_only_officers_export(client, auth, call):
    auth.login(f.UserFactory(auditor=True))
    assert client.get(f"/manage/calls/{call.id}/export/applications.csv").status_code == 403
    assert client.get("/manage/export/payments.csv").status_code == 403


def test_awards_and_payments_are_broken_down_by_funding_source(client, auth, officer):
    """The call's 800,000 专项资金 and 300,000 福彩公益金 split each row 8:3 (calls/sources.py: down to the 分, the
    remainder on the largest source), so each row's parts add up to its amount; a call without sources leaves the
    columns empty."""
    call, awards = f.final_awards()
    call.funding_sources = [  # the factory's levels add up to 1,100,000
        FundingSource(position=0, kind=FundingSourceKind.SPECIAL_FUND, amount=Decimal("800000.00")),
        FundingSource(position=1, kind=FundingSourceKind.LOTTERY, amount=Decimal("300000.00"))]
    contract = active_contract(awards[0], officer)
    record_payment(contract, contract.tranches[0], officer, TODAY, Decimal("25000.00"), "FK-1")
    plain, plain_awards = f.final_awards()
    plain_contract = active_contract(plain_awards[0], officer)
    record_payment(plain_contract, plain_contract.tranches[0], officer, TODAY, Decimal("25000.00"), "FK-2")
    db.session.commit()
    auth.login(officer)
    rows = _csv(client.get(f"/manage/calls/{call.id}/export/awards.csv"))
    head = rows[0]
    assert head[-5:] == ["资金来源", "其中：专项资金（元）", "其中：福彩公益金（元）", "其中：部门配套（元）",
                         "其中：其他（元）"]
    by_number = {r[0]: r for r in rows[1:]}
    first = by_number[awards[0].application.number]
    assert first[-5:] == ["专项资金 36363.64；福彩公益金 13636.36", "36363.64", "13636.36", "", ""]
    for row in rows[1:]:
        amount = Decimal(row[head.index("拟资助金额（元）")])
        parts = [Decimal(v) for v in row[-4:] if v]
        assert sum(parts) == amount
    rows = _xlsx(client.get("/manage/export/payments.xlsx"))
    head = rows[0]
    by_voucher = {r[head.index("凭证号")]: r for r in rows[1:]}
    assert by_voucher["FK-1"][-5:] == ["专项资金 18181.82；福彩公益金 6818.18", 18181.82, 6818.18, None, None]
    assert by_voucher["FK-2"][-5:] == [None, None, None, None, None]
    rows = _csv(client.get(f"/manage/calls/{plain.id}/export/awards.csv"))
    assert all(r[-5:] == ["", "", "", "", ""] for r in rows[1:])
