"""统计: the public statistics page — the funded projects by year, service field, district, tier, call and funding
source, each as a bar
chart (inline SVG) followed by its data table and a CSV link (``queries`` says what each figure is)."""
import csv
import io

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user

from grantportal.core.permissions import can_view_public_pages, require
from grantportal.core.spreadsheet import safe_cell
from grantportal.disclosure.statistics import queries
from grantportal.disclosure.statistics.charts import bar_chart

bp = Blueprint("statistics", __name__)

HEADINGS = ["项目数", "资助金额", "净拨付金额", "计划服务人数", "配套资金到账", "机构自筹", "杠杆率"]
COLUMNS = ["项目数", "资助金额（元）", "净拨付金额（元）", "计划服务人数", "配套资金到账（元）", "机构自筹（元）",
           "杠杆率"]


def cells(row, money_only=False):
    """One table or CSV row after its label, in ``COLUMNS`` order (a money-only table's other columns empty)."""
    if money_only:
        return [row.projects, row.awarded, row.paid, "", "", "", ""]
    return [row.projects, row.awarded, row.paid, row.people, row.social, row.own, row.leverage_text]


@bp.route("/statistics")
def index():
    require(can_view_public_pages(current_user))
    figures = queries.current_figures()
    charts = {t.name: bar_chart(t.rows) for t in figures.tables}
    return render_template("disclosure/statistics.html", figures=figures, charts=charts, columns=HEADINGS,
                           cache_minutes=max(1, queries.cache_seconds() // 60))


@bp.route("/statistics/<name>.csv")
def table_csv(name):
    require(can_view_public_pages(current_user))
    figures = queries.current_figures()
    table = figures.table(name)
    if table is None:
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([table.heading, *COLUMNS])
    for row in table.rows:
        writer.writerow([safe_cell(v) for v in [row.label, *cells(row, table.money_only)]])
    writer.writerow([safe_cell(v) for v in [figures.total.label, *cells(figures.total)]])
    resp = Response(("\ufeff" + out.getvalue()).encode("utf-8"), mimetype="text/csv")
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = f"attachment; filename=statistics-{name}.csv"
    return resp
