"""统计: the figures equal what was created (final selected awards, payments net of recoveries, matched funds,
declared people served), each table's CSV says what its table says, the charts are accessible SVG, and the
figures are cached for a short time and say when they were computed."""
import csv
import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from grantportal.awards.models import FinalStatus
from grantportal.calls.models import FundingSource, FundingSourceKind
from grantportal.core.db import db, utcnow
from grantportal.core.money import format_yuan
from grantportal.disclosure.statistics import queries
from grantportal.disclosure.statistics.models import StatisticsSnapshot
from grantportal.funding.matched.operations import save_matched_fund
from grantportal.funding.models import FundSourceKind
from grantportal.funding.payments.operations import record_payment, record_recovery
from grantportal.orgs.models import Grade
from tests import factories as f
from tests.awards.proposals.test_results_page import publicized
from tests.funding.conftest import TODAY, active_contract
from tests.permissions.world import built_once, restore_world
from tests.render import queries_while_rendering


@pytest.fixture(autouse=True)
def _confirmed_calendar(request):
    if "world" not in request.fixturenames:  # the world has it
        _confirm_calendar()


def _confirm_calendar():
    f.confirm_calendar(utcnow().year, utcnow().year + 1)
    db.session.commit()


def _describe(awards, categories, people):
    for award, category, count in zip(awards, categories, people, strict=True):
        award.application.category = category
        award.application.target_count = count
    db.session.commit()


def build_world():
    """Two calls with final results (2026 and 2025), a call only in 公示, one contract with payments, a
    recovery and a donation."""
    _confirm_calendar()
    officer = f.UserFactory(officer=True, name="黄主任")
    call_a, awards_a = f.final_awards([dict(total=90, requested="50000", matched="40000", grade=Grade.A4),
                                       dict(total=85, requested="60000")])
    call_b, awards_b = f.final_awards([dict(total=88, requested="30000", matched="10000", grade=Grade.A4)], year=2025)
    _describe(awards_a, ["养老服务", "=HYPERLINK(\"x\")"], [120, None])
    _describe(awards_b, ["养老服务"], [80])
    publicized()  # not final: not counted
    contract = active_contract(awards_a[0], officer)
    record_payment(contract, contract.tranches[0], officer, TODAY, Decimal("25000"), "FK-1")
    record_recovery(contract, officer, TODAY, Decimal("4000"), "SH-1", "部分活动未开展")
    save_matched_fund(awards_a[0], officer, {
        "source_kind": FundSourceKind.ENTERPRISE, "source_name": "中山某科技有限公司", "name_public": True,
        "pledged": Decimal("30000"), "received": Decimal("30000"), "pledged_on": TODAY, "received_on": TODAY,
        "note": ""})
    call_a.funding_sources = [  # the factory's levels add up to 1,100,000; call_b records no sources
        FundingSource(position=0, kind=FundingSourceKind.SPECIAL_FUND, amount=Decimal("800000.00")),
        FundingSource(position=1, kind=FundingSourceKind.LOTTERY, amount=Decimal("300000.00"))]
    db.session.commit()
    return SimpleNamespace(calls=(call_a, awards_a, call_b, awards_b))


@pytest.fixture(scope="module")
def world_snapshot(database, tmp_path_factory):
    return built_once(database, tmp_path_factory, build_world)


@pytest.fixture
def world(world_snapshot):
    """The module's world, restored for this test: (call_a, awards_a, call_b, awards_b)."""
    calls = restore_world(world_snapshot).calls
    queries.clear_cache()
    return tuple(calls)


def _expected(awards, paid=Decimal(0), social=Decimal(0)):
    selected = [a for a in awards if a.final_status == FinalStatus.SELECTED]
    return (len(selected), sum((a.amount for a in selected), Decimal("0.00")), paid,
            sum(a.application.target_count or 0 for a in selected), social,
            sum((a.application.matched_amount for a in selected), Decimal("0.00")))


def _figures(row):
    return row.projects, row.awarded, row.paid, row.people, row.social, row.own


def test_figures_equal_what_was_created(world):
    call_a, awards_a, call_b, awards_b = world
    assert all(a.final_status == FinalStatus.SELECTED for a in awards_a + awards_b)
    figures = queries.compute()
    by = {t.name: {r.key: r for r in t.rows} for t in figures.tables}
    a = _expected(awards_a, Decimal("21000.00"), Decimal("30000.00"))
    b = _expected(awards_b)
    total = tuple(x + y for x, y in zip(a, b, strict=True))
    assert _figures(figures.total) == total
    assert _figures(by["call"][call_a.id]) == a and _figures(by["call"][call_b.id]) == b
    assert _figures(by["year"][call_a.year]) == a and _figures(by["year"][2025]) == b
    assert [r.key for r in figures.table("year").rows] == [call_a.year, 2025]  # newest first
    assert by["field"]["养老服务"].projects == 2
    assert by["field"]["养老服务"].awarded == awards_a[0].amount + awards_b[0].amount
    assert by["tier"]["4A"].projects == 2 and by["tier"][None].label == "未评级"
    assert by["tier"][None].awarded == awards_a[1].amount
    # leverage: (received matched funds + own contribution) ÷ awarded, a ratio of sums
    row = by["call"][call_a.id]
    assert row.leverage == ((row.social + row.own) / row.awarded).quantize(Decimal("0.01"))


def test_by_source_splits_each_project_by_its_calls_sources(client, world):
    """call_a's sources are 800,000 专项资金 and 300,000 福彩公益金: its 50,000 and 60,000 awards and its 21,000 net
    payment split 8:3 (down to the 分, the remainder on 专项资金); call_b records none."""
    _call_a, awards_a, _call_b, awards_b = world
    assert [a.amount for a in awards_a] == [Decimal("50000.00"), Decimal("60000.00")]
    figures = queries.compute()
    table = figures.table("source")
    assert table.money_only
    rows = {r.key: r for r in table.rows}
    assert [r.label for r in table.rows] == ["专项资金", "福彩公益金", "未登记资金来源"]
    # 36363.63 + 13636.36 (+0.01) and 43636.36 + 16363.63 (+0.01); paid 15272.72 + 5727.27 (+0.01)
    assert (rows["special_fund"].projects, rows["special_fund"].awarded, rows["special_fund"].paid) == \
        (2, Decimal("80000.01"), Decimal("15272.73"))
    assert (rows["lottery"].projects, rows["lottery"].awarded, rows["lottery"].paid) == \
        (2, Decimal("29999.99"), Decimal("5727.27"))
    assert (rows[None].projects, rows[None].awarded, rows[None].paid) == (1, awards_b[0].amount, Decimal("0.00"))
    assert sum(r.awarded for r in table.rows) == figures.total.awarded
    assert sum(r.paid for r in table.rows) == figures.total.paid
    # kept in the snapshot and shown: the page's table and the CSV
    page = client.get("/statistics").get_data(as_text=True)
    assert 'id="stat-source"' in page and "按资金来源" in page
    body = list(csv.reader(io.StringIO(client.get("/statistics/source.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert body[0][0] == "资金来源"
    assert body[1] == ["专项资金", "2", "80000.01", "15272.73", "", "", "", ""]
    assert body[-1][0] == "合计" and body[-1][2] == str(figures.total.awarded)


def _districts(awards, names):
    for award, name in zip(awards, names, strict=True):
        award.application.district = name
    db.session.commit()
    queries.clear_cache()


def test_by_district_counts_each_project_where_it_is_delivered(client, world):
    """Two 镇街 and a project from before the field existed: the 按镇街 table's figures, and its CSV, say what
    was created — 石岐街道 has the first call's paid project and the 2025 project, 小榄镇 the other one."""
    call_a, awards_a, call_b, awards_b = world
    # the organization's own 镇街 does not count: the project's 服务镇街 does
    awards_a[0].application.org.district = "坦洲镇"
    _districts([awards_a[0], awards_b[0], awards_a[1]], ["石岐街道", "石岐街道", "小榄镇"])
    rows = {r.key: r for r in queries.compute().table("district").rows}
    assert set(rows) == {"石岐街道", "小榄镇"}
    shiqi = tuple(x + y for x, y in zip(_expected([awards_a[0]], Decimal("21000.00"), Decimal("30000.00")),
                                         _expected(awards_b), strict=True))
    assert _figures(rows["石岐街道"]) == shiqi
    assert _figures(rows["小榄镇"]) == _expected([awards_a[1]])
    assert (rows["石岐街道"].projects, rows["石岐街道"].awarded, rows["石岐街道"].paid, rows["石岐街道"].people) == \
        (2, awards_a[0].amount + awards_b[0].amount, Decimal("21000.00"), 200)
    assert (rows["小榄镇"].projects, rows["小榄镇"].awarded, rows["小榄镇"].paid, rows["小榄镇"].people) == \
        (1, awards_a[1].amount, Decimal("0.00"), 0)

    page = client.get("/statistics").get_data(as_text=True)
    assert 'id="stat-district"' in page and "按镇街" in page and 'href="/statistics/district.csv"' in page
    assert '<title id="chart-district-t">' in page
    parser = _Tables()
    parser.feed(page)
    table = parser.tables[2]
    assert table[0][0] == "服务镇街"
    csv_rows = list(csv.reader(io.StringIO(client.get("/statistics/district.csv").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    assert csv_rows[0][:5] == ["服务镇街", "项目数", "资助金额（元）", "净拨付金额（元）", "计划服务人数"]
    # largest amount first, then the total; the same figures as the table
    big, small = sorted(rows.values(), key=lambda r: -r.awarded)
    assert [r[:5] for r in csv_rows[1:]] == [
        [big.label, str(big.projects), str(big.awarded), str(big.paid), str(big.people)],
        [small.label, str(small.projects), str(small.awarded), str(small.paid), str(small.people)],
        ["合计", "3", str(sum((a.amount for a in awards_a + awards_b), Decimal("0.00"))), "21000.00", "200"]]
    assert [row[:5] for row in table[1:]] == [
        [r[0], r[1], format_yuan(Decimal(r[2])), format_yuan(Decimal(r[3])), r[4]] for r in csv_rows[1:]]


def test_projects_without_a_district_are_listed_last_as_not_given(world):
    _call_a, awards_a, _call_b, awards_b = world
    _districts([awards_a[0], awards_a[1], awards_b[0]], [None, "神湾镇", None])
    rows = queries.compute().table("district").rows
    assert [r.label for r in rows] == ["神湾镇", "未填写镇街"]
    assert rows[1].projects == 2


class _Tables(HTMLParser):
    """The cell texts of each <table> of a page, row by row."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def _as_shown(value, column):
    if value == "":
        return "—"  # the source table's columns that belong to projects, not to sources
    return format_yuan(Decimal(value)) if "（元）" in column else value


def test_each_csv_matches_its_table(client, app, world):
    with queries_while_rendering(app) as seen:
        page = client.get("/statistics").get_data(as_text=True)
    assert seen == []
    parser = _Tables()
    parser.feed(page)
    assert len(parser.tables) == 6
    for name, table in zip(["year", "field", "district", "tier", "call", "source"], parser.tables, strict=True):
        resp = client.get(f"/statistics/{name}.csv")
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
        header, body = rows[0], rows[1:]
        assert len(body) == len(table) - 1  # the table's header row
        for csv_row, html_row in zip(body, table[1:], strict=True):
            shown = [csv_row[0].removeprefix("'")] + [_as_shown(v, c) for v, c in zip(csv_row[1:], header[1:],
                                                                                        strict=True)]
            assert shown == html_row
    field_csv = client.get("/statistics/field.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in field_csv  # CSV injection defused (core.spreadsheet.safe_cell)


def test_charts_are_accessible_svg_and_the_page_says_when_figures_were_computed(client, world):
    page = client.get("/statistics").get_data(as_text=True)
    assert page.count("<svg") == 6 and page.count('role="img"') == 6
    assert re.search(r'<svg viewBox="0 0 400 \d+" width="100%"', page)
    assert '<title id="chart-year-t">' in page and '<desc id="chart-year-d">' in page
    assert 'aria-labelledby="chart-year-t chart-year-d"' in page
    assert "数据更新于" in page
    # the charts need no script: the only ones are the site-wide table_scroll.js (wide tables take the focus)
    # and focus_answer.js (a form's answer takes the focus)
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/table_scroll.js" defer>',
                                                  '<script src="/static/js/focus_answer.js" defer>']


def test_figures_are_cached_for_a_short_time(client, world, officer):
    call_a, awards_a, _call_b, _awards_b = world
    before = client.get("/statistics/call.csv").get_data(as_text=True)
    contract = active_contract(awards_a[1], officer)
    record_payment(contract, contract.tranches[0], officer, TODAY, Decimal("1000"), "FK-9")
    db.session.commit()
    assert client.get("/statistics/call.csv").get_data(as_text=True) == before  # cached
    queries.clear_cache()  # no snapshot: the next request computes the figures
    assert client.get("/statistics/call.csv").get_data(as_text=True) != before


def test_old_figures_are_shown_while_new_ones_are_computed(app, client, world, officer):
    """Past STATISTICS_CACHE_SECONDS the visitor is answered from the snapshot at hand and a new one is
    computed (here at once, JOBS_SYNC); the next visitor sees it. No request sums the projects itself."""
    call_a, awards_a, _call_b, _awards_b = world
    before = client.get("/statistics/call.csv").get_data(as_text=True)
    contract = active_contract(awards_a[1], officer)
    record_payment(contract, contract.tranches[0], officer, TODAY, Decimal("1000"), "FK-9")
    db.session.commit()
    app.config.update(STATISTICS_CACHE_SECONDS=0, JOBS_SYNC=True)
    assert client.get("/statistics/call.csv").get_data(as_text=True) == before  # the snapshot at hand
    after = client.get("/statistics/call.csv").get_data(as_text=True)
    assert after != before and "1000" in after.replace(",", "")
    # the first snapshot, and one new for each of the two requests that found the newest too old
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatisticsSnapshot)) == 3


def test_an_empty_site_says_so_and_an_unknown_table_is_404(client):
    queries.clear_cache()
    page = client.get("/statistics").get_data(as_text=True)
    assert "暂无评审结果已确定的入选项目" in page
    assert client.get("/statistics/county.csv").status_code == 404


def test_the_home_page_links_the_statistics(client):
    assert 'href="/statistics"' in client.get("/").get_data(as_text=True)


def test_the_command_computes_the_figures(app, world):
    result = app.test_cli_runner().invoke(args=["statistics", "refresh"])
    assert result.exit_code == 0 and "已计算：入选项目" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatisticsSnapshot)) >= 1
