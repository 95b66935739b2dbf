"""The officer's result settings page: tier rules, matched-funds bonus, reserve places, 公示 length and what
is published; checked, shown next to their fields, and locked once the proposal is published."""
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from grantportal.awards.models import ProposalStatus
from grantportal.awards.proposals import operations as ops
from grantportal.awards.proposals import publicity
from grantportal.awards.proposals.queries import proposal_of
from grantportal.calls.models import Call
from grantportal.calls.tier_rules import call_rules
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.core.workdays import calendar_coverage_text
from grantportal.orgs.models import Grade
from tests import factories as f

FULL = {
    "bonus_5a": "5", "bonus_4a": "3", "bonus_3a": "1.5", "tier_first_tiebreak": "y",
    "reserved_share_percent": "30", "cap_2a": "30000", "cap_unrated": "20000.50",
    "waive_documents_for_4a": "上年度财务审计报告", "matched_bonus_per_wan": "1", "matched_bonus_cap": "10",
    "reserve_per_level": "2", "publicity_days": "7", "publish_scores": "y", "publish_panel": "y",
}


def value_of(html, name):
    """What a text box shows (the page keeps what was typed)."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return found.group(1) if found else None


def checked(html, name, value="y"):
    return re.search(rf'<input checked[^>]*name="{name}"[^>]*value="{value}"', html) is not None


def url(call):
    return f"/manage/calls/{call.id}/result-settings"


def stored(call):
    db.session.expire_all()
    return db.session.get(Call, call.id)


@pytest.fixture
def call(officer):
    return f.CallFactory(created_by=officer)


def test_officer_saves_settings_and_sees_them_again(client, auth, officer, call):
    auth.login(officer)
    resp = client.post(url(call), data=FULL)
    assert resp.status_code == 303
    saved = stored(call)
    assert saved.tier_rules == {
        "bonus_by_grade": {"5A": "5.00", "4A": "3.00", "3A": "1.50"},
        "tier_first_tiebreak": True,
        "reserved_share_percent": "30.00",
        "cap_by_grade": {"2A": "30000.00", "unrated": "20000.50"},
        "waive_documents_for_4a": ["上年度财务审计报告"],
    }
    assert "min_grade" not in saved.tier_rules  # Call.min_grade is the one minimum grade
    assert (saved.matched_bonus_per_wan, saved.matched_bonus_cap) == (Decimal("1.00"), Decimal("10.00"))
    assert (saved.reserve_per_level, saved.publicity_days) == (2, 7)
    assert saved.publish_scores and saved.publish_panel and not saved.promote_reserve
    rules = call_rules(saved)
    assert rules.bonus_by_grade[Grade.A5] == Decimal("5.00") and rules.cap_by_grade[None] == Decimal("20000.50")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "call.result_settings")) >= 1

    html = client.get(url(call)).get_data(as_text=True)
    assert "结果设置已保存" in html
    for name, value in (("bonus_5a", "5"), ("bonus_3a", "1.5"), ("reserved_share_percent", "30"),
                        ("cap_2a", "30000.00"), ("publicity_days", "7"), ("reserve_per_level", "2")):
        assert value_of(html, name) == value, name
    assert checked(html, "waive_documents_for_4a", "上年度财务审计报告")
    assert not checked(html, "waive_documents_for_4a", "项目申报书")
    assert checked(html, "tier_first_tiebreak") and checked(html, "publish_scores")
    assert not checked(html, "promote_reserve")


def test_clearing_a_field_removes_the_rule(client, auth, officer, call):
    auth.login(officer)
    client.post(url(call), data=FULL)
    data = {**FULL, "bonus_4a": "", "reserved_share_percent": "", "matched_bonus_per_wan": "",
            "matched_bonus_cap": ""}
    del data["tier_first_tiebreak"]
    assert client.post(url(call), data=data).status_code == 303
    saved = stored(call)
    assert saved.tier_rules["bonus_by_grade"] == {"5A": "5.00", "3A": "1.50"}
    assert saved.tier_rules["reserved_share_percent"] is None and not saved.tier_rules["tier_first_tiebreak"]
    assert saved.matched_bonus_per_wan is None and saved.matched_bonus_cap is None


def test_invalid_settings_are_shown_next_to_their_fields_and_nothing_is_saved(client, auth, officer, call):
    auth.login(officer)
    resp = client.post(url(call), data={**FULL, "bonus_4a": "-2", "reserved_share_percent": "120",
                                        "cap_2a": "三万", "publicity_days": "31"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "等级加分不能为负数（4A：-2）" in html
    assert "预留比例须在0至100之间（当前为120）" in html
    assert "请使用半角数字填写金额" in html
    assert "请填写1到30之间的整数" in html
    assert "您已填写的内容已保留" in html
    for name, value in (("bonus_4a", "-2"), ("reserved_share_percent", "120"), ("cap_2a", "三万"),
                        ("publicity_days", "31"), ("bonus_5a", "5")):
        assert value_of(html, name) == value, name
    saved = stored(call)
    assert saved.tier_rules is None and saved.publicity_days == 5 and saved.matched_bonus_per_wan is None


@pytest.mark.parametrize(("data", "message"), [
    ({"cap_4a": "abc"}, "金额格式不正确"),
    ({"bonus_5a": "５"}, "请使用半角数字填写"),
    ({"matched_bonus_per_wan": "-1"}, "每万元加分须在0至999.99之间"),
    ({"matched_bonus_per_wan": "", "matched_bonus_cap": "10"}, "未设置每万元加分时，不需要填写最高加分"),
    ({"reserve_per_level": "-1"}, "请使用半角数字填写整数"),
    ({"waive_documents_for_4a": "不存在的材料"}, "请从列表中选择"),
])
def test_each_bad_value_is_refused_with_a_chinese_message(client, auth, officer, call, data, message):
    auth.login(officer)
    resp = client.post(url(call), data={**FULL, **data})
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert stored(call).tier_rules is None


def test_page_shows_min_grade_read_only_and_the_calendar_coverage(client, auth, officer, call):
    call.min_grade = Grade.A3
    db.session.commit()
    auth.login(officer)
    html = client.get(url(call)).get_data(as_text=True)
    assert "3A及以上" in html and f'href="/manage/calls/{call.id}/edit"' in html
    assert 'name="min_grade"' not in html
    assert calendar_coverage_text() in html
    assert "项目申报书" in html and "上年度财务审计报告" in html  # the call's documents to waive
    client.post(url(call), data={**FULL, "min_grade": "5A"})  # not a field here: ignored
    saved = stored(call)
    assert saved.min_grade == Grade.A3 and call_rules(saved).min_grade == Grade.A3


def test_saved_bonuses_show_on_the_ranking_page(client, auth):
    call, apps = f.ranked_call([{"total": 80, "grade": Grade.A5, "title": "五星助老"},
                                {"total": 82, "title": "社区融合"}])
    auth.login(call.created_by)
    no_matched = {**FULL, "matched_bonus_per_wan": "", "matched_bonus_cap": ""}
    assert client.post(url(call), data=no_matched).status_code == 303
    html = client.get(f"/manage/calls/{call.id}/ranking").get_data(as_text=True)
    assert "等级加分（5A加5分、4A加3分、3A加1.5分" in html
    assert "评估等级高者在前" in html
    assert html.index("五星助老") < html.index("社区融合")  # 80 + 5 > 82
    assert "85.00" in html


def test_settings_are_locked_once_the_proposal_is_published(client, auth):
    call, _ = f.ranked_call([{"total": 80}])
    officer = call.created_by
    proposal = ops.generate(call, officer, utcnow())
    publicity.publish(proposal, officer, utcnow(), 5)
    db.session.commit()
    auth.login(officer)
    html = client.get(url(call)).get_data(as_text=True)
    assert "结果设置已锁定" in html and "保存结果设置" not in html
    resp = client.post(url(call), data=FULL)
    assert resp.status_code == 409
    assert "拟资助方案已发布公示，结果设置不能再修改" in resp.get_data(as_text=True)
    assert stored(call).tier_rules is None and stored(call).publicity_days == 5
    assert proposal_of(stored(call)).status == ProposalStatus.PUBLICIZED


def test_auditors_read_the_settings_but_cannot_save_them(client, auth, call):
    auditor = f.UserFactory(auditor=True)
    auth.login(auditor)
    html = client.get(url(call)).get_data(as_text=True)
    assert "只读" in html and "保存结果设置" not in html
    assert client.post(url(call), data=FULL).status_code == 403
    assert stored(call).tier_rules is None
