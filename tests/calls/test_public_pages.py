"""The public list and detail pages, and the officers' list."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from grantportal.applications.models import AppStatus
from grantportal.calls.models import CallKind, CallStatus
from grantportal.core.db import db, utcnow
from grantportal.orgs.models import Grade
from tests import factories as f


def draft(**kw):
    return f.CallFactory(status=CallStatus.DRAFT, published_at=None, **kw)


def test_draft_is_invisible_to_the_public_and_members(client, auth):
    call = draft(edition="第九十九届")
    assert client.get(f"/calls/{call.id}").status_code == 404
    assert "第九十九届" not in client.get("/calls/").get_data(as_text=True)
    auth.login(f.member_of())
    assert client.get(f"/calls/{call.id}").status_code == 404


def test_a_system_administrator_sees_a_draft_as_the_public_does(client, auth):
    call = draft(edition="第九十八届")
    auth.login(f.UserFactory(admin=True))
    assert client.get(f"/calls/{call.id}").status_code == 404
    assert "第九十八届" not in client.get("/calls/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_staff_may_preview_a_draft(client, auth, role):
    call = draft()
    auth.login(f.UserFactory(**{role: True}))
    resp = client.get(f"/calls/{call.id}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "草稿预览" in html and "在线申报" not in html


def test_detail_shows_what_an_applicant_needs(client):
    call = f.CallFactory(min_grade=Grade.A3, reference_date=date(2026, 6, 30), min_years_registered=2)
    html = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert call.title in html and "面向全市社会组织" in html
    assert "养老服务" in html and "社区治理" in html
    assert "80万元" in html and "3万元 – 8万元" in html and "不低于项目总预算的40%" in html  # 市级
    assert "须取得3A及以上社会组织评估等级（以2026年6月30日为准）" in html
    assert "登记成立满2年" in html and "每个机构最多申报2个项目" in html
    assert "征集申报" in html and "资格审查" in html and "专家评审" in html and "结果公示" in html
    assert "项目申报书" in html and "必须提交" in html and "上年度财务审计报告" in html
    assert "需求分析" in html and "25分" in html and "满分合计 100 分" in html
    assert f'href="/calls/{call.id}/apply"' in html and "在线申报" in html
    assert "征集中" in html


def test_detail_says_why_one_cannot_apply_yet_or_any_more(client):
    upcoming = f.CallFactory(setup__stages={"open_days": 3, "close_days": 20})
    html = client.get(f"/calls/{upcoming.id}").get_data(as_text=True)
    assert "尚未开始" in html and "/apply" not in html
    past = f.CallFactory(setup__stages={"open_days": -30, "close_days": -2})
    html = client.get(f"/calls/{past.id}").get_data(as_text=True)
    assert "已截止" in html and "/apply" not in html
    closed = f.CallFactory(status=CallStatus.CLOSED)
    html = client.get(f"/calls/{closed.id}").get_data(as_text=True)
    assert "本次征集已结束" in html and "/apply" not in html


def test_detail_shows_deadline_in_beijing_time(client):
    call = f.CallFactory()
    deadline = call.deadline.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    html = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日 {deadline:%H:%M}" in html


def test_public_list_shows_published_and_closed_newest_first(client):
    older = f.CallFactory(edition="第一届", published_at=utcnow() - timedelta(days=30))
    newer = f.CallFactory(edition="第二届")
    closed = f.CallFactory(edition="第三届", status=CallStatus.CLOSED, published_at=utcnow() - timedelta(days=60))
    draft(edition="第四届")
    html = client.get("/calls/").get_data(as_text=True)
    assert html.index(newer.title) < html.index(older.title) < html.index(closed.title)
    assert "第四届" not in html
    assert "110万元" in html  # 80万 + 30万
    assert "征集中" in html and "已结束" in html


def test_public_list_filters_by_kind_year_and_status(client):
    open_call = f.CallFactory(edition="开放中", year=2026)
    past = f.CallFactory(edition="已截止的", year=2025, setup__stages={"open_days": -30, "close_days": -2})
    purchase = f.CallFactory(edition="购买服务", kind=CallKind.PURCHASE, year=2026)
    closed = f.CallFactory(edition="已结束的", status=CallStatus.CLOSED, year=2024)

    def titles(**args):
        html = client.get("/calls/", query_string=args).get_data(as_text=True)
        return {c.edition for c in (open_call, past, purchase, closed) if c.title in html}

    assert titles(kind="purchase") == {"购买服务"}
    assert titles(kind="venture") == {"开放中", "已截止的", "已结束的"}
    assert titles(year="2025") == {"已截止的"}
    assert titles(status="open") == {"开放中", "购买服务"}
    assert titles(status="past") == {"已截止的"}
    assert titles(status="closed") == {"已结束的"}
    assert titles(kind="nonsense") == {"开放中", "已截止的", "购买服务", "已结束的"}  # unknown filter ignored


def test_public_list_pages_and_answers_absurd_pages_with_the_last_one(app, client):
    app.config["PAGE_SIZE"] = 2
    for i in range(5):
        f.CallFactory(edition=f"第{i + 1}批", published_at=utcnow() - timedelta(days=i))
    first = client.get("/calls/").get_data(as_text=True)
    assert "第1批" in first and "第2批" in first and "第3批" not in first
    assert "第 1 / 3 页" in first
    last = client.get("/calls/?page=3").get_data(as_text=True)
    assert "第5批" in last and "第1批" not in last
    for absurd in ("100000", "-5", "x"):
        resp = client.get(f"/calls/?page={absurd}")
        assert resp.status_code == 200
    body = client.get("/calls/?page=100000").get_data(as_text=True)
    assert "已显示第 3 页" in body and "第5批" in body


def test_public_list_has_a_clear_empty_state(client):
    assert "目前还没有发布项目征集" in client.get("/calls/").get_data(as_text=True)
    f.CallFactory(kind=CallKind.VENTURE)
    html = client.get("/calls/?kind=purchase").get_data(as_text=True)
    assert "没有符合筛选条件的项目征集" in html


def test_manage_list_counts_applications_by_status_in_one_query(app, client, auth):
    auth.login(f.UserFactory(officer=True))
    call = f.CallFactory(edition="统计用")
    f.ApplicationFactory(call=call)
    f.ApplicationFactory(call=call, status=AppStatus.SUBMITTED, number="X-1")
    f.ApplicationFactory(call=call, status=AppStatus.SUBMITTED, number="X-2")
    draft(edition="草稿中")

    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        html = client.get("/manage/calls/").get_data(as_text=True)
        few = len(statements)
        for _ in range(4):
            f.ApplicationFactory(call=f.CallFactory())
        statements.clear()
        client.get("/manage/calls/")
        many = len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert many == few  # no query per call
    assert "统计用" in html and "草稿中" in html
    assert "已提交 <strong>2</strong>" in html and "草稿 <strong>1</strong>" in html
    assert f'href="/manage/calls/{call.id}/applications"' in html
    assert "新建征集" in html


def test_auditor_sees_the_manage_list_read_only(client, auth):
    auth.login(f.UserFactory(auditor=True))
    call = f.CallFactory()
    html = client.get("/manage/calls/").get_data(as_text=True)
    assert call.title in html and "只读" in html
    assert "新建征集" not in html and f"/manage/calls/{call.id}/edit" not in html
