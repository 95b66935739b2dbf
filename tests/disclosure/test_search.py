"""站内搜索 and the directory read the public index (core/search.py): what they find follows the writes, in
Chinese, and no input makes them fail."""
from datetime import date, timedelta

import pytest

from grantportal.calls.models import CallStatus
from grantportal.core import search
from grantportal.core.db import db
from grantportal.core.search import SearchEntry
from grantportal.core.search_text import SearchQuery
from grantportal.orgs.models import Grade, OrgStatus
from tests.factories import CallFactory, OrganizationFactory, RatingRecordFactory, final_awards
from tests.funding.conftest import active_contract


def names(resp):
    return resp.get_data(as_text=True)


def org(name, fields="社区治理", **kw):
    return OrganizationFactory(name=name, service_fields=fields, charter_scope="开展公益服务。", **kw)


def test_one_search_finds_calls_organizations_and_projects_by_a_two_character_word(client):
    org("中山市明德长者关爱协会", fields="养老服务")
    org("中山市启航青少年发展中心", fields="青少年服务")
    CallFactory(name="社区长者照护项目征集", summary="征集长者照护服务", service_categories="长者照护")
    call, (award, _) = final_awards()
    contract = active_contract(award, call.created_by)
    body = names(client.get("/search?q=长者"))
    assert "明德长者关爱协会" in body and "社区长者照护项目征集" in body and "启航青少年" not in body
    project = award.application
    body = names(client.get("/search", query_string={"q": project.title[:2], "kind": "project"}))
    assert f"/projects/{contract.id}" in body and "资助项目" in body
    assert "明德长者" not in names(client.get("/search?q=长者&kind=project"))


def test_single_characters_and_partial_codes_are_found(client):
    found = org("中山市助残服务社")
    org("中山市环保促进会", fields="环境保护")
    assert "助残服务社" in names(client.get("/search?q=残"))
    assert "助残服务社" in names(client.get("/orgs/", query_string={"q": found.uscc[:14].lower()}))
    assert "环保促进会" not in names(client.get("/orgs/", query_string={"q": found.uscc}))
    assert "助残服务社" in names(client.get("/search", query_string={"q": found.uscc}))
    other = found.uscc[:-1] + ("1" if found.uscc.endswith("0") else "0")
    assert "助残服务社" not in names(client.get("/search", query_string={"q": other}))


def test_the_index_follows_verification_grades_and_edits(client):
    pending = org("中山市晨曦邻里互助会", status=OrgStatus.PENDING)
    assert "晨曦邻里" not in names(client.get("/search?q=邻里"))
    pending.status = OrgStatus.VERIFIED
    db.session.commit()
    assert "晨曦邻里" in names(client.get("/search?q=邻里"))
    assert "晨曦邻里" not in names(client.get("/orgs/?tier=5A"))
    RatingRecordFactory(org=pending, grade=Grade.A5, valid_from=date(2000, 1, 1), valid_until=date(2099, 12, 31))
    assert "晨曦邻里" in names(client.get("/orgs/?tier=5A"))
    pending.name = "中山市晨曦社区互助会"
    db.session.commit()
    assert "晨曦社区" in names(client.get("/search?q=社区互助"))
    assert "晨曦邻里" not in names(client.get("/search?q=邻里"))
    pending.status = OrgStatus.RETURNED
    db.session.commit()
    assert "晨曦社区" not in names(client.get("/search?q=社区互助"))
    draft = CallFactory(name="暂未发布的助老征集", status=CallStatus.DRAFT, published_at=None)
    assert "暂未发布" not in names(client.get("/search?q=助老"))
    draft.status = CallStatus.PUBLISHED
    db.session.commit()
    assert "暂未发布" in names(client.get("/search?q=助老"))


def test_a_renamed_organization_and_a_call_back_in_draft_update_their_projects(client):
    call, (award, _) = final_awards()
    contract = active_contract(award, call.created_by)
    organization = award.application.org
    organization.name = "中山市星火助老服务中心"
    db.session.commit()
    body = names(client.get("/search?q=星火助老&kind=project"))
    assert f"/projects/{contract.id}" in body and "星火助老服务中心" in body
    call.status = CallStatus.DRAFT
    db.session.commit()
    assert f"/projects/{contract.id}" not in names(client.get("/search?q=星火助老&kind=project"))
    assert db.session.scalar(db.select(db.func.count()).select_from(SearchEntry)
                             .where(SearchEntry.kind == "project")) == 0


def test_a_grade_that_expires_leaves_the_tier_filter_on_its_day(client):
    today = date.today()
    rated = org("中山市彩虹家庭服务中心")
    RatingRecordFactory(org=rated, grade=Grade.A4, valid_from=date(2000, 1, 1), valid_until=today + timedelta(days=3))
    assert "彩虹家庭" in names(client.get("/orgs/?tier=4A"))
    entry = db.session.scalar(db.select(SearchEntry).where(SearchEntry.kind == "org", SearchEntry.ref_id == rated.id))
    assert entry.tier == "4A" and entry.changes_on == today + timedelta(days=4)
    assert search.refresh_due(today + timedelta(days=4)) == 1
    db.session.expire_all()
    assert db.session.get(SearchEntry, entry.id).tier is None


def test_the_directory_sorts_by_pinyin(client):
    for name in ("中山市张家边社区协会", "中山市阿拉善公益协会", "中山市北区关爱协会"):
        org(name)
    body = names(client.get("/orgs/?sort=name"))
    assert body.index("阿拉善") < body.index("北区") < body.index("张家边")


@pytest.mark.parametrize("common", [1_000_000, 2], ids=["few-matches-sorted", "common-word-by-index"])
def test_a_search_in_pinyin_order_pages_the_same_however_common_the_word(client, app, monkeypatch, common):
    monkeypatch.setattr(search, "COMMON", common)  # the plan a common word takes, with a handful of entries
    app.config["PAGE_SIZE"] = 2
    for name in ("中山市张家边社区协会", "中山市阿拉善社区公益协会", "中山市北区社区关爱协会", "中山市东凤社区服务社"):
        org(name)
    org("中山市长者关爱协会", fields="养老服务")  # no 社区
    pages = [names(client.get("/search", query_string={"q": "社区", "kind": "org", "sort": "name", "page": n}))
             for n in (1, 2, 3)]
    assert pages[0].index("阿拉善") < pages[0].index("北区") and "东凤" not in pages[0]
    assert pages[1].index("东凤") < pages[1].index("张家边") and "阿拉善" not in pages[1]
    assert "长者关爱" not in "".join(pages)
    assert "已显示第 2 页" in pages[2] and "东凤" in pages[2]


def test_a_common_word_within_one_kind_pages_newest_first(monkeypatch):
    """养老 among projects sits behind every organization holding it in the full-text order: within one kind a
    search is newest first, on the kind's own date index (for a common word, walked entry by entry) — the same
    entries, page after page."""
    monkeypatch.setattr(search, "COMMON", 2)
    made = [org(f"中山市{name}社区服务社", registered_on=date(2020, 1, 1) - timedelta(days=30 * i))
            for i, name in enumerate(("明德", "仁爱", "博雅", "康宁", "和乐"))]
    pages = [search.entries(["org"], SearchQuery("社区"), order="match", page=n, size=2)[0] for n in (1, 2, 3)]
    assert [e.ref_id for p in pages for e in p.items] == [o.id for o in made]  # registered newest first
    assert [p.has_next for p in pages] == [True, True, False]


@pytest.mark.parametrize("query_string, message", [
    ({"q": "🙂🙂"}, "未能识别搜索词"),
    ({"q": "\x00\x1b"}, "请输入关键词"),  # a parameter holding control characters is dropped (core/web.py)
    ({"q": "养老" * 40}, "搜索词过长"),
    ({"q": "养老", "kind": "x"}, "类别无效"),
    ({"q": "养老", "year": "99999"}, "年度无效"),
    ({"q": "养老", "sort": "drop table"}, "排序方式无效"),
    ({"q": "养老", "page": "999999999"}, "已显示第 1 页"),
])
def test_bad_search_input_is_answered_in_words(client, query_string, message):
    org("中山市养老服务促进会", fields="养老服务")
    resp = client.get("/search", query_string=query_string)
    assert resp.status_code == 200 and message in names(resp)


@pytest.mark.parametrize("query_string, message", [
    ({"tier": "9A"}, "评估等级无效"), ({"kind": "x"}, "机构类别无效"), ({"sort": "x"}, "排序方式无效"),
    ({"page": "-3"}, None), ({"page": "abc"}, None), ({"q": "\u202e\u200b"}, None),
])
def test_bad_directory_input_is_answered_in_words(client, query_string, message):
    org("中山市阳光义工协会")
    resp = client.get("/orgs/", query_string=query_string)
    assert resp.status_code == 200
    assert message is None or message in names(resp)


def test_a_page_past_the_end_shows_the_last_page_without_counting_every_row(client, app):
    app.config["PAGE_SIZE"] = 2
    for i in range(5):
        org(f"中山市第{i}社区服务社")
    body = names(client.get("/orgs/?page=40"))
    assert "已显示第 3 页" in body and "第 5–5 条" in body


def test_rebuild_writes_every_public_entry_again(app):
    org("中山市明德长者关爱协会")
    org("待审核的机构", status=OrgStatus.PENDING)
    db.session.execute(db.delete(SearchEntry))
    db.session.commit()
    assert search.rebuild(["org"]) == {"org": 1}
    assert db.session.scalar(db.select(SearchEntry.title)) == "中山市明德长者关爱协会"
