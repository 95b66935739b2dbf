"""Officers' list exports as CSV (UTF-8 with BOM, so Excel reads Chinese) and XLSX (openpyxl): a call's
applications and awards, every payment, and the monitoring list of projects in progress.

Rows are read in keyset chunks of plain columns (no ORM object per row), so an export of any size holds
one chunk in memory at a time. Up to ``EXPORT_SYNC_MAX_ROWS`` rows the file is
built in the request; above it the export runs as a background job (core.jobs) that stores the file and
the officer downloads it from the job's page. Money is broken down by funding source by the one rule of
``calls.sources`` (the call's shares read once per call, each row split in memory): a call's awards by their
拟资助金额, payments by their amount. Every text cell goes through the score sheet's ``safe_cell``
(review/results/exports.py), so nothing a spreadsheet would run as a formula leaves the system."""
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

import sqlalchemy as sa

from grantportal.applications.models import UNSENT, Application
from grantportal.awards.models import Award, Proposal
from grantportal.calls.models import Call
from grantportal.calls.sources import KINDS as SOURCE_KINDS
from grantportal.calls.sources import SharesCache, breakdown_text, by_kind, call_shares, split
from grantportal.core.db import db
from grantportal.core.storage import get_storage
from grantportal.core.timeutil import format_date, format_datetime, local_today
from grantportal.funding.models import Contract, ContractStatus, Payment, Tranche
from grantportal.monitoring.models import Report
from grantportal.monitoring.schedule import OPEN, overdue_clause
from grantportal.orgs.models import Organization
from grantportal.review.results.exports import XLSX_TYPE, safe_cell

CHUNK = 2000
FORMATS = ("xlsx", "csv")


SOURCE_HEADER = ("资金来源", *(f"其中：{k.label}（元）" for k in SOURCE_KINDS))


def source_cells(amount, shares):
    """``amount`` split by the call's funding ``shares``: the breakdown as text, then each kind's part (empty for a
    kind the call does not have; all empty when the call records no sources)."""
    parts = split(amount, shares)
    kinds = by_kind(parts)
    return [breakdown_text(parts), *(kinds.get(k) for k in SOURCE_KINDS)]


@dataclass(frozen=True)
class ExportKind:
    key: str
    title: str  # Chinese, names the file and the job
    per_call: bool
    header: tuple


APPLICATIONS = ExportKind("applications", "申报名单", True, (
    "申报编号", "项目名称", "申报机构", "统一社会信用代码", "申报级别", "服务类别", "申报状态", "资格审查",
    "项目总预算（元）", "申请资助（元）", "自筹配套（元）", "提交时间"))
AWARDS = ExportKind("awards", "资助结果", True, (
    "申报编号", "项目名称", "申报机构", "统一社会信用代码", "级别", "级别内排名", "最终得分", "加分",
    "评估等级", "申请金额（元）", "资助上限（元）", "拟资助金额（元）", "拟定结果", "最终结果", *SOURCE_HEADER))
PAYMENTS = ExportKind("payments", "拨付记录", False, (
    "征集", "申报编号", "项目名称", "申报机构", "期次", "本期金额（元）", "拨付日期", "拨付金额（元）",
    "凭证号", "登记时间", *SOURCE_HEADER))
MONITORING = ExportKind("monitoring", "项目监管名单", False, (
    "征集", "申报编号", "项目名称", "申报机构", "合同金额（元）", "开始日期", "结束日期", "逾期报告数",
    "下次报告截止日期"))
KINDS = {k.key: k for k in (APPLICATIONS, AWARDS, PAYMENTS, MONITORING)}


def _label(value):
    return getattr(value, "label", value)


def _chunks(query, id_column):
    """Rows of ``query`` (which selects ``id_column`` first) in keyset chunks by that id."""
    last = 0
    while True:
        rows = db.session.execute(query.where(id_column > last).order_by(id_column).limit(CHUNK)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def _applications(call):
    query = (sa.select(Application.id, Application.number, Application.title, Organization.name, Organization.uscc,
                       Application.level, Application.category, Application.status, Application.screening,
                       Application.total_budget, Application.requested_amount, Application.matched_amount,
                       Application.submitted_at)
             .join(Organization, Organization.id == Application.org_id)
             .where(Application.call_id == call.id, Application.status.not_in(UNSENT)))
    for r in _chunks(query, Application.id):
        yield [r.number or f"草稿-{r.id}", r.title, r.name, r.uscc, _label(r.level), r.category, _label(r.status),
               _label(r.screening), r.total_budget, r.requested_amount, r.matched_amount,
               format_datetime(r.submitted_at) if r.submitted_at else ""]


def _awards(call):
    query = (sa.select(Award.id, Application.number, Application.title, Organization.name, Organization.uscc,
                       Award.level, Award.rank, Award.final_score, Award.bonus, Award.grade, Award.requested,
                       Award.cap, Award.amount, Award.status, Award.final_status, Application.id.label("app_id"))
             .join(Proposal, Proposal.id == Award.proposal_id)
             .join(Application, Application.id == Award.application_id)
             .join(Organization, Organization.id == Application.org_id)
             .where(Proposal.call_id == call.id))
    shares = call_shares(call)
    for r in _chunks(query, Award.id):
        yield [r.number or f"草稿-{r.app_id}", r.title, r.name, r.uscc, _label(r.level), r.rank, r.final_score,
               r.bonus, r.grade or "未评级", r.requested, r.cap, r.amount, _label(r.status),
               _label(r.final_status) if r.final_status else "", *source_cells(r.amount, shares)]


def _payments(call=None):
    query = (sa.select(Payment.id, Call.name, Call.edition, Application.number, Application.title,
                       Organization.name.label("org_name"), Tranche.position, Tranche.amount.label("tranche_amount"),
                       Payment.paid_on, Payment.amount, Payment.voucher_number, Payment.recorded_at,
                       Call.id.label("call_id"))
             .join(Tranche, Tranche.id == Payment.tranche_id).join(Contract, Contract.id == Payment.contract_id)
             .join(Award, Award.id == Contract.award_id).join(Proposal, Proposal.id == Award.proposal_id)
             .join(Call, Call.id == Proposal.call_id).join(Application, Application.id == Award.application_id)
             .join(Organization, Organization.id == Application.org_id))
    shares = SharesCache()
    for r in _chunks(query, Payment.id):
        shares.load((r.call_id,))  # a query only for a call not seen yet
        yield [f"{r.edition or ''}{r.name}", r.number, r.title, r.org_name, f"第{r.position}期", r.tranche_amount,
               format_date(r.paid_on), r.amount, r.voucher_number, format_datetime(r.recorded_at),
               *source_cells(r.amount, shares.get(r.call_id))]


def _monitoring(call=None):
    """The projects in progress (履行中) as on the monitoring list: overdue reports and the next due date."""
    today = local_today()
    stats = (sa.select(Report.contract_id,
                       sa.func.sum(sa.case((overdue_clause(today), 1), else_=0)).label("overdue"),
                       sa.func.min(sa.case((Report.status.in_(OPEN), Report.due_on))).label("next_due"))
             .group_by(Report.contract_id).subquery())
    query = (sa.select(Contract.id, Call.name, Call.edition, Application.number, Application.title,
                       Organization.name.label("org_name"), Contract.amount, Contract.starts_on, Contract.ends_on,
                       sa.func.coalesce(stats.c.overdue, 0).label("overdue"), stats.c.next_due)
             .join(Award, Award.id == Contract.award_id).join(Proposal, Proposal.id == Award.proposal_id)
             .join(Call, Call.id == Proposal.call_id).join(Application, Application.id == Award.application_id)
             .join(Organization, Organization.id == Application.org_id)
             .outerjoin(stats, stats.c.contract_id == Contract.id)
             .where(Contract.status == ContractStatus.ACTIVE))
    for r in _chunks(query, Contract.id):
        yield [f"{r.edition or ''}{r.name}", r.number, r.title, r.org_name, r.amount, format_date(r.starts_on),
               format_date(r.ends_on), int(r.overdue or 0), format_date(r.next_due) if r.next_due else ""]


ROWS = {"applications": _applications, "awards": _awards, "payments": _payments, "monitoring": _monitoring}


def count_rows(kind, call=None):
    """How many rows the export will have (an indexed count), to choose streaming or a background job."""
    if kind.key == "applications":
        query = sa.select(sa.func.count()).select_from(Application).where(
            Application.call_id == call.id, Application.status.not_in(UNSENT))
    elif kind.key == "awards":
        query = (sa.select(sa.func.count()).select_from(Award).join(Proposal, Proposal.id == Award.proposal_id)
                 .where(Proposal.call_id == call.id))
    elif kind.key == "payments":
        query = sa.select(sa.func.count()).select_from(Payment)
    else:
        query = sa.select(sa.func.count()).select_from(Contract).where(Contract.status == ContractStatus.ACTIVE)
    return db.session.scalar(query)


def rows(kind, call=None):
    return ROWS[kind.key](call) if kind.per_call else ROWS[kind.key]()


def cell(value):
    """One value as a spreadsheet cell: text defused, money and scores as numbers."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, str):
        return safe_cell(value)
    return value


def csv_lines(kind, call=None):
    """The CSV text in pieces (a header and then a chunk of rows at a time), BOM first."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(kind.header)
    n = 0
    for row in rows(kind, call):
        writer.writerow([cell(v) for v in row])
        n += 1
        if n % CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def xlsx_bytes(kind, call=None):
    from openpyxl import Workbook  # noqa: PLC0415 (deferred: loaded only for an XLSX export)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(kind.title)
    ws.append(list(kind.header))
    for row in rows(kind, call):
        ws.append([cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def filename(kind, call, fmt):
    prefix = f"{call.title}-" if call is not None else ""
    return f"{prefix}{kind.title}-{local_today().isoformat()}.{fmt}"


def ascii_filename(kind, call, fmt):
    return f"{kind.key}{'-call-' + str(call.id) if call is not None else ''}.{fmt}"


def disposition(resp, name, ascii_name):
    resp.headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def content_type(fmt):
    return XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"


def run_export(job, kind, fmt, call_id=None):
    """The background job: build the file, store it, and note its storage key and name on the job."""
    export = KINDS[kind]
    call = db.session.get(Call, call_id) if call_id else None
    data = xlsx_bytes(export, call) if fmt == "xlsx" else "".join(csv_lines(export, call)).encode("utf-8")
    key = get_storage().save(data)
    job.params = {**job.params, "file_key": key, "filename": filename(export, call, fmt),
                  "ascii_filename": ascii_filename(export, call, fmt), "fmt": fmt}
    job.done = job.total
    db.session.commit()
