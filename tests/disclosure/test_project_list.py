"""项目执行: the funded projects whose contract is in force, read from the public index a page at a time — by year,
service field, 镇街 and contract status, newest first, by amount or by name in 拼音 order — with the calls whose
results are final; a value not understood is left out and said so in Chinese, a page past the end is the last one.
A call's projects page and a project's page read a fixed number of statements, whatever the number of rows."""
import re
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from grantportal.core.db import db
from grantportal.funding.models import ContractStatus
from tests import factories as f
from tests.funding.conftest import TODAY, active_contract
from tests.permissions.world import built_once, restore_world

PROJECTS = [  # title, call year, service field, 镇街, requested, contract status, started days ago
    ("邻里守望互助网络", 2025, "社区治理", "小榄镇", "40000", ContractStatus.CLOSED, 300),
    ("阳光助残就业支持", 2025, "助残服务", "石岐街道", "60000", ContractStatus.TERMINATED, 200),
    ("长者幸福食堂", 2026, "养老服务", "小榄镇", "50000", ContractStatus.ACTIVE, 100),
    ("儿童阅读陪伴计划", 2026, "青少年服务", "东区街道", "30000", ContractStatus.ACTIVE, 10),
]


def build_world():
    """Four projects in force in two calls (2025, 2026), and one selected project still being signed."""
    officer = f.UserFactory(officer=True, name="黄主任")
    contracts = {}
    for year in (2025, 2026):
        specs = [p for p in PROJECTS if p[1] == year]
        call, awards = f.final_awards([dict(total=90 - i, requested=p[4], title=p[0]) for i, p in enumerate(specs)]
                                      + [dict(total=70, requested="30000", title=f"签约中的项目{year}")], year=year)
        for (title, _year, field, district, _amount, status, days), award in zip(specs, awards):
            award.application.category, award.application.district = field, district
            contracts[title] = active_contract(award, officer, starts_on=TODAY - timedelta(days=days), status=status)
        active_contract(awards[-1], officer, status=ContractStatus.ISSUED)
    db.session.commit()
    return SimpleNamespace(contracts=contracts)


@pytest.fixture(scope="module")
def world_snapshot(database, tmp_path_factory):
    return built_once(database, tmp_path_factory, build_world)


@pytest.fixture
def world(world_snapshot):
    """The module's world restored for this test: the contracts in force by project title."""
    return restore_world(world_snapshot).contracts


def listed(client, url):
    """The project titles the list shows, in order, and the page."""
    page = client.get(url).get_data(as_text=True)
    titles = [t for t, *_ in PROJECTS if f">{t}</a>" in page]
    return sorted(titles, key=page.index), page


def test_the_list_shows_the_projects_in_force_newest_first_and_the_calls_with_final_results(client, world):
    titles, page = listed(client, "/projects/")
    assert titles == ["儿童阅读陪伴计划", "长者幸福食堂", "阳光助残就业支持", "邻里守望互助网络"]
    assert "签约中的项目" not in page  # not in force: no public page yet
    contract = world["长者幸福食堂"]
    assert f'<a href="/projects/{contract.id}">长者幸福食堂</a>' in page
    assert "¥50,000.00" in page and "履行中" in page and "已终止" in page and "小榄镇" in page
    call = contract.award.proposal.call
    assert f'<a href="/calls/{call.id}/projects">{call.title}</a>' in page


@pytest.mark.parametrize("query, expected", [
    ("year=2025", ["阳光助残就业支持", "邻里守望互助网络"]),
    ("field=养老服务", ["长者幸福食堂"]),
    ("district=小榄镇", ["长者幸福食堂", "邻里守望互助网络"]),
    ("status=active", ["儿童阅读陪伴计划", "长者幸福食堂"]),
    ("status=closed&district=小榄镇", ["邻里守望互助网络"]),
    ("year=2026&field=助残服务", []),
])
def test_each_filter_narrows_the_list(client, world, query, expected):
    titles, page = listed(client, f"/projects/?{query}")
    assert titles == expected
    if not expected:
        assert "没有符合条件的资助项目" in page


@pytest.mark.parametrize("sort, expected", [
    ("amount", ["阳光助残就业支持", "长者幸福食堂", "邻里守望互助网络", "儿童阅读陪伴计划"]),
    ("name", ["儿童阅读陪伴计划", "邻里守望互助网络", "阳光助残就业支持", "长者幸福食堂"]),  # ér lín yáng zhǎng
    ("newest", ["儿童阅读陪伴计划", "长者幸福食堂", "阳光助残就业支持", "邻里守望互助网络"]),
])
def test_the_list_sorts_by_date_amount_or_name_in_pinyin(client, world, sort, expected):
    assert listed(client, f"/projects/?sort={sort}")[0] == expected


@pytest.mark.parametrize("query, note", [
    ("year=二〇二五", "年度无效（应为 2000–"),
    ("year=1999", "年度无效"),
    ("field=不存在的领域", "没有名为“不存在的领域”的服务领域，已显示全部服务领域的项目。"),
    ("district=火星镇", "没有名为“火星镇”的镇街，已显示全部镇街的项目。"),
    ("status=draft", "合同状态无效，已显示全部状态的项目。"),
    ("sort=random", "排序方式无效，已按合同生效日期排序。"),
])
def test_a_value_not_understood_is_left_out_and_said_so(client, world, query, note):
    titles, page = listed(client, f"/projects/?{query}")
    assert note in page
    assert titles == ["儿童阅读陪伴计划", "长者幸福食堂", "阳光助残就业支持", "邻里守望互助网络"]


def test_a_page_past_the_end_is_the_last_page_and_says_so(app, client, world):
    app.config["PAGE_SIZE"] = 3
    titles, page = listed(client, "/projects/?page=40")
    assert titles == ["邻里守望互助网络"]
    assert "所选页码超出结果范围，已显示第 2 页。" in page and "第 2 页（第 4–4 条）" in page
    titles, page = listed(client, "/projects/?page=1&district=小榄镇")
    assert titles == ["长者幸福食堂", "邻里守望互助网络"] and "所选页码超出" not in page


def test_without_final_results_the_list_says_so(client):
    page = client.get("/projects/?status=active").get_data(as_text=True)
    assert "目前还没有确定最终结果的项目征集" in page and "没有符合条件的资助项目" in page


# --- a call's projects and a project's page: statements do not grow with rows -------------------------------

@contextmanager
def statements(app):
    seen = []

    def executed(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", executed)


def test_a_calls_projects_page_reads_as_many_statements_for_many_projects_as_for_few(app, client, officer):
    counts = []
    for n in (1, 4):
        call, awards = f.final_awards([dict(total=90 - i, requested="30000") for i in range(n)])
        for award in awards:
            active_contract(award, officer)
        client.get(f"/calls/{call.id}/projects")  # the totals, summed once and kept
        with statements(app) as seen:
            page = client.get(f"/calls/{call.id}/projects").get_data(as_text=True)
        assert len(re.findall(r'href="/projects/\d+"', page)) == n
        counts.append(len(seen))
    assert counts[0] == counts[1]


def test_a_calls_projects_page_past_the_end_is_the_last_page_and_says_so(client, officer):
    call, awards = f.final_awards()
    active_contract(awards[0], officer)
    page = client.get(f"/calls/{call.id}/projects?page=7").get_data(as_text=True)
    assert "所选页码超出范围，已显示第 1 页。" in page and awards[0].application.title in page


def test_a_projects_page_reads_the_same_statements_however_many_payments(app, client, officer):
    from decimal import Decimal

    from grantportal.funding.payments.operations import record_payment

    call, awards = f.final_awards()
    quiet, busy = (active_contract(a, officer) for a in awards)
    record_payment(quiet, quiet.tranches[0], officer, TODAY, Decimal("5000"), "FK-0")
    record_payment(busy, busy.tranches[0], officer, TODAY - timedelta(days=3), Decimal("10000"), "FK-1")
    record_payment(busy, busy.tranches[0], officer, TODAY, Decimal("5000"), "FK-2")
    db.session.commit()
    counts = []
    for contract in (quiet, busy):
        client.get(f"/projects/{contract.id}")
        with statements(app) as seen:
            assert client.get(f"/projects/{contract.id}").status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1]


def test_a_project_with_no_payment_or_evaluation_yet_does_not_read_them(app, client, officer):
    """Most projects in force have no payment, recovery or evaluation yet: the contract's kept sums and
    milestone stamps say so, and the page does not look for them — until one is recorded."""
    from decimal import Decimal

    from grantportal.funding.payments.operations import record_payment

    call, awards = f.final_awards()
    contract = active_contract(awards[0], officer)
    client.get(f"/projects/{contract.id}")
    with statements(app) as seen:
        page = client.get(f"/projects/{contract.id}").get_data(as_text=True)
    read = " ".join(seen).lower()
    assert "from payment" not in read and "from recovery" not in read and "from evaluation" not in read
    assert "拨付第1期" not in page
    record_payment(contract, contract.tranches[0], officer, TODAY, Decimal("5000"), "FK-9")
    db.session.commit()
    page = client.get(f"/projects/{contract.id}").get_data(as_text=True)
    assert "拨付第1期" in page
