"""List exports: content and headers of each list in CSV and XLSX, formula-like cells neutralised, the audit
entry, large exports through the job queue, and who may export."""
import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from grantportal.applications.models import AppStatus
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
