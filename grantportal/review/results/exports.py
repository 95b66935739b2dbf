"""The score sheet of a round as XLSX (openpyxl) and CSV (UTF-8 with BOM, so Excel reads Chinese).

Per application: the aggregate figures (aggregate.py); per review: the expert, the score of each
criterion, the total and a remark when the review does not count (a conflict of interest found after
it was submitted). Officers only (it names experts next to their scores). Read with a few plain
queries (no ORM object per review). Cells that a spreadsheet would run as a formula are defused."""
import csv
import io
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response

from grantportal.accounts.models import User
from grantportal.applications.models import Application
from grantportal.core.db import db
from grantportal.core.spreadsheet import safe_cell
from grantportal.core.timeutil import format_datetime
from grantportal.orgs.models import Organization
from grantportal.review.models import Assignment, Review, ReviewScore, ReviewStatus
from grantportal.review.results.aggregate import ConflictedReview, round_figures

SUMMARY_HEADER = ["排名", "申报编号", "项目名称", "申报机构", "申报级别", "有效评分数", "平均分",
                  "去掉最高最低分后平均", "标准差（总体）", "最低分", "最高分", "本轮得分", "计分方式"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(value):
    return float(value) if value is not None else None


def sheet(round_):
    """(summary rows, detail header, detail rows) for the round; numbers as Decimal."""
    results, conflicted = round_figures(round_)
    criteria = list(round_.criteria)
    apps = {}
    ids = list(results)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for row in db.session.execute(
                sa.select(Application.id, Application.number, Application.title, Application.level,
                          Organization.name.label("org_name"))
                .join(Organization, Organization.id == Application.org_id).where(Application.id.in_(chunk))):
            apps[row.id] = row
    summary = []
    for rank, (app_id, r) in enumerate(results.items(), 1):
        a = apps[app_id]
        summary.append([rank, a.number or f"草稿-{a.id}", a.title, a.org_name, a.level.label, r.n, r.mean,
                        r.trimmed_mean, r.sd, r.min, r.max, r.score,
                        "去掉最高最低分后平均" if r.trimmed else "算术平均"])
    reviews = db.session.execute(
        sa.select(Review.id, Assignment.application_id, Assignment.expert_id, User.name, Review.total,
                  Review.submitted_at)
        .join(Assignment, Assignment.id == Review.assignment_id).join(User, User.id == Assignment.expert_id)
        .where(Assignment.round_id == round_.id, Assignment.active.is_(True),
               Review.status == ReviewStatus.SUBMITTED)
        .order_by(Assignment.application_id, Review.id)).all()
    points = {}
    for review_id, criterion_id, value in db.session.execute(
            sa.select(ReviewScore.review_id, ReviewScore.criterion_id, ReviewScore.points)
            .join(Review, Review.id == ReviewScore.review_id).join(Assignment, Assignment.id == Review.assignment_id)
            .where(Assignment.round_id == round_.id, Assignment.active.is_(True),
                   Review.status == ReviewStatus.SUBMITTED)):
        points[(review_id, criterion_id)] = value
    rank_of = {app_id: i for i, app_id in enumerate(results, 1)}
    header = ["排名", "申报编号", "项目名称", "本轮得分", "评审专家"] + \
        [f"{c.name}（满分{c.max_points.normalize():f}）" for c in criteria] + ["合计", "提交时间", "备注"]
    detail = []
    for rv in sorted(reviews, key=lambda r: (rank_of.get(r.application_id, 0), r.id)):
        if rv.application_id not in results:
            continue
        a = apps[rv.application_id]
        detail.append([rank_of[rv.application_id], a.number or f"草稿-{a.id}", a.title,
                       results[rv.application_id].score, rv.name]
                      + [points.get((rv.id, c.id)) for c in criteria]
                      + [rv.total, format_datetime(rv.submitted_at), _note(conflicted.get((rv.application_id,
                                                                                         rv.expert_id)))])
    return summary, header, detail


def _note(reasons):
    """The remark on a review left out of the results because of a conflict found after it was submitted."""
    if not reasons:
        return ""
    return f"{ConflictedReview.MESSAGE}（回避情形：{'；'.join(r.reason for r in reasons)}）"


def filename(round_, ext):
    return f"{round_.call.title}-{round_.name}-评分表.{ext}"


def _disposition(resp, name, ascii_name):
    resp.headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def xlsx_response(round_):
    from openpyxl import Workbook  # noqa: PLC0415 (deferred: loaded only for an XLSX export)
    summary, header, detail = sheet(round_)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("汇总")
    ws.append(SUMMARY_HEADER)
    for row in summary:
        ws.append([_number(v) if not isinstance(v, (str, int)) else safe_cell(v) for v in row])
    ws2 = wb.create_sheet("评分明细")
    ws2.append(header)
    for row in detail:
        ws2.append([_number(v) if not isinstance(v, (str, int)) else safe_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    resp = Response(out.getvalue(), mimetype=XLSX_TYPE)
    return _disposition(resp, filename(round_, "xlsx"), f"round-{round_.id}-scores.xlsx")


def csv_text(round_):
    """One table: a row per submitted review, its application's aggregate figures repeated in front."""
    summary, header, detail = sheet(round_)
    by_rank = {row[0]: row for row in summary}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SUMMARY_HEADER + header[4:])
    for row in detail:
        writer.writerow([safe_cell(v) if isinstance(v, str) else ("" if v is None else v)
                         for v in by_rank[row[0]] + row[4:]])
    return out.getvalue()


def csv_response(round_):
    resp = Response(("\ufeff" + csv_text(round_)).encode("utf-8"), mimetype="text/csv")
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    return _disposition(resp, filename(round_, "csv"), f"round-{round_.id}-scores.csv")
