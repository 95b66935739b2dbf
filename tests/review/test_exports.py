"""The score sheet: XLSX (opened with openpyxl) and CSV (UTF-8 with BOM), officers only."""
import csv
import io
from decimal import Decimal
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from grantportal.applications.models import AppStatus
from tests import factories as f


@pytest.fixture
def sheet_world():
    officer = f.UserFactory(officer=True)
    call = f.CallFactory(created_by=officer, name="“博爱100”公益创投活动")
    round_ = f.ReviewRoundFactory(call=call, rubric=[("需求分析", 40), ("项目设计", 60)])
    org = f.OrganizationFactory(name="中山市阳光社工服务中心")
    app = f.ApplicationFactory(call=call, org=org, status=AppStatus.SUBMITTED, number="BA-2026-0007",
                               title="=HYPERLINK(\"http://x\")长者助餐")
    names = ["甲专家", "乙专家", "丙专家"]
    for name, pts in zip(names, ([30, 50], [32.5, 47.5], [20, 40])):
        a = f.AssignmentFactory(round=round_, application=app, expert=f.expert(user_name=name))
        f.submitted_review(a, points=pts)
    draft = f.AssignmentFactory(round=round_, application=app, expert=f.expert(user_name="丁专家"))
    f.ReviewFactory(assignment=draft)
    return officer, round_, app


def test_xlsx_has_the_aggregates_and_every_review(client, auth, sheet_world):
    officer, round_, app = sheet_world
    auth.login(officer)
    resp = client.get(f"/manage/rounds/{round_.id}/results.xlsx")
    assert resp.status_code == 200
    cd = resp.headers["Content-Disposition"]
    assert cd.startswith("attachment;") and "filename*=UTF-8''" in cd
    assert unquote(cd.split("filename*=UTF-8''")[1]).endswith("初评-评分表.xlsx")
    cd.encode("latin-1")  # the header itself is ASCII-safe
    wb = load_workbook(io.BytesIO(resp.data))
    summary, detail = wb["汇总"], wb["评分明细"]
    head = [c.value for c in summary[1]]
    row = dict(zip(head, [c.value for c in summary[2]]))
    assert row["申报编号"] == "BA-2026-0007" and row["申报机构"] == "中山市阳光社工服务中心"
    assert row["有效评分数"] == 3 and row["平均分"] == pytest.approx(73.33) and row["本轮得分"] == pytest.approx(73.33)
    assert row["最低分"] == 60 and row["最高分"] == 80
    assert row["项目名称"].startswith("'=")  # a formula in a title is defused
    dhead = [c.value for c in detail[1]]
    assert dhead[:5] == ["排名", "申报编号", "项目名称", "本轮得分", "评审专家"]
    assert "需求分析（满分40）" in dhead and dhead[-3:] == ["合计", "提交时间", "备注"]
    rows = [dict(zip(dhead, [c.value for c in r])) for r in detail.iter_rows(min_row=2)]
    assert sorted(r["评审专家"] for r in rows) == ["丙专家", "乙专家", "甲专家"]  # no draft
    second = next(r for r in rows if r["评审专家"] == "乙专家")
    assert second["需求分析（满分40）"] == 32.5 and second["合计"] == 80


def test_csv_is_utf8_with_bom_and_one_row_per_review(client, auth, sheet_world):
    officer, round_, app = sheet_world
    auth.login(officer)
    resp = client.get(f"/manage/rounds/{round_.id}/results.csv")
    assert resp.status_code == 200 and resp.data.startswith(b"\xef\xbb\xbf")
    assert "charset=utf-8" in resp.headers["Content-Type"]
    assert unquote(resp.headers["Content-Disposition"].split("filename*=UTF-8''")[1]).endswith("评分表.csv")
    rows = list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert len(rows) == 3
    assert {r["评审专家"] for r in rows} == {"甲专家", "乙专家", "丙专家"}
    assert all(r["本轮得分"] == "73.33" and r["有效评分数"] == "3" for r in rows)
    r = next(r for r in rows if r["评审专家"] == "甲专家")
    assert Decimal(r["需求分析（满分40）"]) == 30 and Decimal(r["合计"]) == 80
    assert r["项目名称"].startswith("'=")


def test_exports_are_for_officers_only(client, auth, sheet_world):
    officer, round_, app = sheet_world
    for user in (f.UserFactory(auditor=True), f.UserFactory(admin=True), f.expert(), f.member_of()):
        auth.login(user)
        for fmt in ("xlsx", "csv"):
            assert client.get(f"/manage/rounds/{round_.id}/results.{fmt}").status_code == 403
        auth.logout()
    auth.login(officer)
    assert client.get("/manage/rounds/999999/results.csv").status_code == 404
