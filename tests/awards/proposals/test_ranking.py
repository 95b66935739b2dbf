"""Tier priority rules and the matched-funds bonus as officers and applicants meet them: through the call's
final ranking (``final_ranking``) and the proposal it produces (``operations.generate``), each rule alone,
then all of them together on one call."""
from datetime import date
from decimal import Decimal

from grantportal.awards.models import AwardStatus
from grantportal.awards.proposals.operations import generate
from grantportal.awards.proposals.ranking import final_ranking
from grantportal.calls.models import Level
from grantportal.calls.tier_rules import call_rules, waived_documents
from grantportal.core.db import db
from grantportal.orgs.models import Grade, RatingEnd
from tests import factories as f
from tests.awards.conftest import (
    A4_TEXT,
    NOW,
    ON,
    REF,
    UNRATED_TEXT,
    awards_by_app,
    has_line,
    rules,
    selected_totals,
    set_level,
)


def ranked(call):
    """``{application id: Ranked}`` of the call's final ranking, and the ranking itself."""
    ranking = final_ranking(call)
    return {i.application_id: i for items in ranking.by_level.values() for i in items}, ranking


def order(call, level=Level.CITY):
    ranking = final_ranking(call)
    return [i.application_id for i in ranking.by_level[level]]


def lines(call, app):
    """The Chinese explanation lines of an application's standing (tier rules, matched funds)."""
    return final_ranking(call).standings[app.id].explanation(call)


# --- (a) minimum grade -------------------------------------------------------------------------

def test_the_calls_min_grade_is_the_single_minimum_whatever_the_stored_rules_say(officer):
    call, (a4,) = f.ranked_call([{"total": 80, "grade": Grade.A4}], reference_date=REF, min_grade=Grade.A3,
                                tier_rules={**rules(bonus_by_grade={Grade.A4: 2}), "min_grade": "5A"})
    assert call_rules(call).min_grade == Grade.A3 == call.min_grade
    assert f"申报等级要求：{A4_TEXT}，符合3A及以上的申报要求" in lines(call, a4)
    call.min_grade = None
    db.session.commit()
    assert call_rules(call).min_grade is None  # the stale "5A" in the JSON is never used
    assert not any("申报等级要求" in line for line in lines(call, a4))


def test_an_organization_whose_grade_was_revoked_before_the_reference_date_is_not_funded(officer):
    """Eligibility is checked at submission; a grade revoked afterwards (before the reference date) makes the
    organization unrated on that date: the explanation says it falls short, and the proposal does not fund it."""
    call, (ok, revoked) = f.ranked_call([{"total": 80, "grade": Grade.A4}, {"total": 90, "grade": Grade.A4}],
                                        reference_date=REF, min_grade=Grade.A3)
    record = revoked.org.ratings[0]
    record.ended_on, record.end_kind, record.end_reason = date(2026, 6, 1), RatingEnd.REVOKED, "年检不合格"
    db.session.commit()
    assert ("申报等级要求：未评级（等级已于2026年6月1日撤销），未达到3A及以上的申报要求，不能申报"
            in lines(call, revoked))
    awards = awards_by_app(generate(call, officer, NOW))
    assert awards[ok.id].status == AwardStatus.SELECTED
    assert has_line(awards[ok.id], "符合3A及以上的申报要求")
    assert awards[revoked.id].status == AwardStatus.NOT_SELECTED and awards[revoked.id].amount == 0
    assert has_line(awards[revoked.id], "未达到3A及以上的申报要求")
    assert has_line(awards[revoked.id], "不符合", "申报要求", "未入选")


# --- (b) bonus by grade ------------------------------------------------------------------------

def test_grade_bonus_lets_a_4a_with_80_beat_an_unrated_84(officer):
    specs = [{"total": 84, "title": "社区长者助餐"}, {"total": 80, "grade": Grade.A4, "title": "青少年成长营"}]
    call, (unrated, a4) = f.ranked_call(specs, reference_date=REF)
    assert order(call) == [unrated.id, a4.id]  # no rule: the higher score first

    call, (unrated, a4) = f.ranked_call(specs, reference_date=REF,
                                        tier_rules=rules(bonus_by_grade={Grade.A4: 5, Grade.A5: 8}))
    items, ranking = ranked(call)
    assert order(call) == [a4.id, unrated.id]
    assert (items[a4.id].final, items[a4.id].bonus) == (Decimal("85.00"), Decimal("5.00"))
    assert (items[unrated.id].final, items[unrated.id].bonus) == (Decimal("84.00"), Decimal("0.00"))
    assert f"等级加分：{A4_TEXT}，加5分" in lines(call, a4)
    assert f"等级加分：{UNRATED_TEXT}，不加分" in lines(call, unrated)
    assert ranking.formula == ("最终得分 = 初评得分 × 100% + 等级加分（5A加8分、4A加5分，以2026年6月30日有效的"
                               "评估等级为准）。只计入申报有评审结果的轮次。")

    awards = awards_by_app(generate(call, officer, NOW))
    award = awards[a4.id]
    assert (award.rank, award.final_score, award.bonus, award.grade) == (1, Decimal("85.00"), Decimal("5.00"), "4A")
    assert has_line(award, "最终得分85.00分（含加分5.00分），在市级排名第1位。")
    assert awards[unrated.id].rank == 2 and awards[unrated.id].grade is None


# --- (c) tier as the first tie-break -------------------------------------------------------------

def test_equal_final_scores_put_the_higher_grade_first_only_with_the_tie_break_rule(officer):
    # the unrated application is created first: earlier submission time and smaller id
    specs = [{"total": 80}, {"total": 80, "grade": Grade.A3}, {"total": 81}, {"total": 79, "grade": Grade.A5}]
    call, (unrated, a3, higher, a5) = f.ranked_call(specs, reference_date=REF)
    items, ranking = ranked(call)
    assert order(call) == [higher.id, unrated.id, a3.id, a5.id]  # first round equal, then submission time
    assert "评估等级" not in ranking.tie_break

    call, (unrated, a3, higher, a5) = f.ranked_call(specs, reference_date=REF,
                                                    tier_rules=rules(tier_first_tiebreak=True))
    items, ranking = ranked(call)
    assert order(call) == [higher.id, a3.id, unrated.id, a5.id]  # the grade never outweighs a point
    assert "依次比较：评估等级高者在前（未评级排在最后）；第一轮（初评）得分高者在前" in ranking.tie_break
    assert any("同分按等级排序：" in line and "3A排在较低等级和未评级的申报之前" in line for line in lines(call, a3))
    assert f"同分按等级排序：{UNRATED_TEXT}，总分相同时排在有评估等级的申报之后" in lines(call, unrated)
    awards = awards_by_app(generate(call, officer, NOW))
    assert [awards[a.id].rank for a in (higher, a3, unrated, a5)] == [1, 2, 3, 4]


# --- (d) a share of each level's budget reserved for 3A and above -------------------------------

RESERVE_SPECS = [
    {"total": 90, "requested": "60000", "title": "未评级甲"},
    {"total": 88, "requested": "50000", "title": "未评级乙"},
    {"total": 85, "requested": "50000", "grade": Grade.A3, "title": "三A丙"},
    {"total": 84, "requested": "40000", "grade": Grade.A2, "title": "二A丁"},
    {"total": 80, "requested": "50000", "grade": Grade.A4, "title": "四A戊"},
]


def test_reserved_share_keeps_half_of_the_level_for_3a_and_above(officer):
    """B = 20万, 50% reserved: below 3A at most 10万 in total; 3A+ take the rest. The unrated 88 no longer fits
    the open part (4万 left of it) while the lower-ranked 3A and 4A are funded from the reserved part."""
    call, (u1, u2, a3, a2, a4) = f.ranked_call(RESERVE_SPECS, reference_date=REF,
                                               tier_rules=rules(reserved_share_percent=50))
    set_level(call, budget=200000, max_grant=80000)
    proposal = generate(call, officer, NOW)
    awards = awards_by_app(proposal)
    status = {a.id: (awards[a.id].status, awards[a.id].amount) for a in (u1, u2, a3, a2, a4)}
    assert status == {
        u1.id: (AwardStatus.SELECTED, Decimal("60000.00")),
        u2.id: (AwardStatus.RESERVE, Decimal("50000.00")),
        a3.id: (AwardStatus.SELECTED, Decimal("50000.00")),
        a2.id: (AwardStatus.SELECTED, Decimal("40000.00")),
        a4.id: (AwardStatus.SELECTED, Decimal("50000.00")),
    }
    assert awards[u2.id].reserve_position == 1
    assert selected_totals(proposal, Level.CITY) == (Decimal("200000.00"), Decimal("100000.00"))

    assert has_line(awards[u2.id],
                    f"预留资金份额：{UNRATED_TEXT}，不能使用为3A及以上组织预留的50%预算，只参与其余预算的分配")
    assert has_line(awards[u2.id], "3A以下组织可用的剩余预算", "4万元", "不足以资助本项目（5万元）", "候补第1位")
    assert has_line(awards[a3.id], "预留资金份额：", "可使用各级别预算中为3A及以上组织预留的50%，也可使用其余预算")
    assert has_line(awards[a3.id], "拟资助5万元", "为3A及以上组织预留的预算")
    assert has_line(awards[a2.id], "不能使用为3A及以上组织预留的50%预算")
    assert has_line(awards[a2.id], "申请4万元，拟资助4万元。")


def test_without_a_reserved_share_the_higher_ranked_unrated_project_is_funded_instead(officer):
    call, (u1, u2, a3, a2, a4) = f.ranked_call(RESERVE_SPECS, reference_date=REF)
    set_level(call, budget=200000, max_grant=80000)
    awards = awards_by_app(generate(call, officer, NOW))
    assert [awards[a.id].status for a in (u1, u2, a3, a2, a4)] == [
        AwardStatus.SELECTED, AwardStatus.SELECTED, AwardStatus.SELECTED, AwardStatus.SELECTED, AwardStatus.RESERVE]
    assert has_line(awards[a4.id], "本级别剩余可用预算0万元，不足以资助本项目（5万元），列为候补第1位。")


# --- (e) cap by grade -----------------------------------------------------------------------------

def test_grade_cap_cuts_the_amount_to_the_smallest_of_request_grade_cap_and_level_max(officer):
    specs = [{"total": 90, "grade": Grade.A2, "requested": "50000"},
             {"total": 88, "grade": Grade.A4, "requested": "90000"},
             {"total": 86, "grade": Grade.A3, "requested": "90000"},
             {"total": 84, "grade": Grade.A2, "requested": "20000"}]
    call, (a2, a4, a3, small) = f.ranked_call(
        specs, reference_date=REF, tier_rules=rules(cap_by_grade={Grade.A2: 30000, Grade.A3: 100000}))
    awards = awards_by_app(generate(call, officer, NOW))  # 市级: at most 8万 per project
    assert [(awards[a.id].cap, awards[a.id].amount) for a in (a2, a4, a3, small)] == [
        (Decimal("30000.00"), Decimal("30000.00")), (Decimal("80000.00"), Decimal("80000.00")),
        (Decimal("80000.00"), Decimal("80000.00")), (Decimal("20000.00"), Decimal("20000.00"))]
    assert has_line(awards[a2.id], "等级资助上限：", "2A", "资助金额不超过3万元（且不超过本级别上限）")
    assert has_line(awards[a2.id], "申请5万元，受资助上限3万元限制，拟资助3万元。")
    assert has_line(awards[a4.id], "4A不设等级上限，以本级别的资助上限为准")
    assert has_line(awards[a4.id], "申请9万元，受资助上限8万元限制，拟资助8万元。")
    assert has_line(awards[small.id], "申请2万元，拟资助2万元。")


# --- (f) documents waived for 4A and above --------------------------------------------------------

def test_documents_are_waived_for_4a_and_above_but_not_for_3a():
    specs = [{"total": 80, "grade": Grade.A5}, {"total": 80, "grade": Grade.A4}, {"total": 80, "grade": Grade.A3}]
    call, (a5, a4, a3) = f.ranked_call(specs, reference_date=REF,
                                       tier_rules=rules(waive_documents_for_4a=["上年度财务审计报告"]))
    tier = call_rules(call)
    assert waived_documents(tier, Grade.A5) == waived_documents(tier, Grade.A4) == ["上年度财务审计报告"]
    assert waived_documents(tier, Grade.A3) == waived_documents(tier, None) == []
    assert f"4A及以上免交材料：{A4_TEXT}，免交上年度财务审计报告" in lines(call, a4)
    assert any("免交上年度财务审计报告" in line for line in lines(call, a5))
    assert any(line.startswith("4A及以上免交材料：评估等级3A") and line.endswith(
        "须提交上年度财务审计报告（4A及以上方可免交）") for line in lines(call, a3))


# --- (g) an expired grade counts as unrated --------------------------------------------------------

def test_a_grade_expired_before_the_reference_date_counts_as_unrated(officer):
    call, (expired, a4) = f.ranked_call([{"total": 80}, {"total": 80, "grade": Grade.A4}], reference_date=REF,
                                        tier_rules=rules(bonus_by_grade={Grade.A5: 5, Grade.A4: 3}))
    f.RatingRecordFactory(org=expired.org, grade=Grade.A5, announced_on=date(2020, 6, 1))  # valid to 2025-12-31
    items, ranking = ranked(call)
    standing = ranking.standings[expired.id]
    assert standing.grade is None and standing.tier_bonus == 0
    assert items[expired.id].final == Decimal("80.00") and items[a4.id].final == Decimal("83.00")
    assert "等级加分：未评级（等级已于2025年12月31日过期），不加分" in lines(call, expired)
    awards = awards_by_app(generate(call, officer, NOW))
    assert awards[expired.id].grade is None and awards[expired.id].bonus == 0
    assert has_line(awards[expired.id], "过期")


# --- all the rules together, two levels ---------------------------------------------------------

def test_bonus_tie_break_reserved_share_and_caps_together_over_two_levels(officer):
    """市级 20万 (max 8万), 镇级 6万 (max 3万), 50% reserved; bonus 5A+5 4A+3 3A+1; tier tie-break;
    caps 2A 3万, unrated 4万."""
    specs = [
        {"total": 86, "requested": "60000", "title": "未评级长者助餐"},  # 86
        {"total": 83, "requested": "80000", "grade": Grade.A4, "title": "四A社区营造"},  # 83 + 3 = 86
        {"total": 85, "requested": "50000", "grade": Grade.A2, "title": "二A青少年"},  # 85
        {"total": 84, "requested": "50000", "title": "未评级助残"},  # 84
        {"total": 82, "requested": "50000", "grade": Grade.A3, "title": "三A家庭支持"},  # 82 + 1 = 83
        {"total": 84, "requested": "25000", "grade": Grade.A1, "level": Level.TOWN, "title": "一A镇街探访"},
        {"total": 78, "requested": "30000", "grade": Grade.A5, "level": Level.TOWN, "title": "五A镇街助餐"},
        {"total": 80, "requested": "20000", "level": Level.TOWN, "title": "未评级镇街义剪"},
    ]
    tier = rules(bonus_by_grade={Grade.A5: 5, Grade.A4: 3, Grade.A3: 1}, tier_first_tiebreak=True,
                 reserved_share_percent=50, cap_by_grade={Grade.A2: 30000, None: 40000})
    call, apps = f.ranked_call(specs, reference_date=REF, tier_rules=tier)
    set_level(call, Level.CITY, budget=200000, max_grant=80000)
    set_level(call, Level.TOWN, budget=60000, max_grant=30000)
    u1, a4, a2, u2, a3, t1, t5, tu = apps
    proposal = generate(call, officer, NOW)
    awards = awards_by_app(proposal)
    got = {a.id: (awards[a.id].rank, awards[a.id].status, awards[a.id].amount) for a in apps}
    assert got == {
        a4.id: (1, AwardStatus.SELECTED, Decimal("80000.00")),  # ties with u1 at 86, the grade decides
        u1.id: (2, AwardStatus.SELECTED, Decimal("40000.00")),  # unrated cap
        a2.id: (3, AwardStatus.SELECTED, Decimal("30000.00")),  # 2A cap
        u2.id: (4, AwardStatus.RESERVE, Decimal("40000.00")),  # only 3万 of the open part left
        a3.id: (5, AwardStatus.SELECTED, Decimal("50000.00")),  # from the reserved part
        t1.id: (1, AwardStatus.SELECTED, Decimal("25000.00")),
        t5.id: (2, AwardStatus.SELECTED, Decimal("30000.00")),
        tu.id: (3, AwardStatus.RESERVE, Decimal("20000.00")),
    }
    assert has_line(awards[a4.id], "等级加分：", "加3分")
    assert has_line(awards[a4.id], "同分按等级排序：", "4A排在较低等级和未评级的申报之前")
    assert has_line(awards[a4.id], "最终得分86.00分（含加分3.00分），在市级排名第1位。")
    assert has_line(awards[u1.id], "最终得分86.00分（含加分0.00分），在市级排名第2位。")
    assert has_line(awards[u1.id], "申请6万元，受资助上限4万元限制，拟资助4万元。")
    assert has_line(awards[a2.id], "申请5万元，受资助上限3万元限制，拟资助3万元。")
    assert has_line(awards[u2.id], "3A以下组织可用的剩余预算", "3万元", "列为候补第1位")
    assert has_line(awards[a3.id], "最终得分83.00分（含加分1.00分），在市级排名第5位。")
    assert has_line(awards[a3.id], "为3A及以上组织预留的预算")
    assert has_line(awards[t5.id], "最终得分83.00分（含加分5.00分），在镇级排名第2位。")
    assert has_line(awards[tu.id], "3A以下组织可用的剩余预算", "0.5万元", "列为候补第1位")
    for level, budget in ((Level.CITY, Decimal("200000")), (Level.TOWN, Decimal("60000"))):
        total, below = selected_totals(proposal, level)
        assert total <= budget and below <= budget / 2
    assert selected_totals(proposal, Level.CITY) == (Decimal("200000.00"), Decimal("70000.00"))
    assert selected_totals(proposal, Level.TOWN) == (Decimal("55000.00"), Decimal("25000.00"))


# --- the matched-funds bonus ---------------------------------------------------------------------

def test_matched_funds_bonus_per_wan_capped_and_explained(officer):
    specs = [{"total": 82, "matched": "0"}, {"total": 80, "matched": "25000"}, {"total": 80, "matched": "80000"}]
    call, (none, some, lots) = f.ranked_call(specs, reference_date=REF, matched_bonus_per_wan=Decimal("1"),
                                             matched_bonus_cap=Decimal("3"))
    items, ranking = ranked(call)
    assert [items[a.id].final for a in (none, some, lots)] == [Decimal("82.00"), Decimal("82.50"), Decimal("83.00")]
    assert order(call) == [lots.id, some.id, none.id]
    assert "配套资金加分：自筹配套25,000.00元，按每万元加1分，最高3分，加2.5分" in lines(call, some)
    assert "配套资金加分：自筹配套80,000.00元，按每万元加1分，最高3分，加3分" in lines(call, lots)
    assert "配套资金加分：自筹配套0.00元，按每万元加1分，最高3分，加0分" in lines(call, none)
    assert ranking.formula == ("最终得分 = 初评得分 × 100% + 配套资金加分（自筹配套资金每1万元加1分，最高3分）。"
                               "只计入申报有评审结果的轮次。")
    awards = awards_by_app(generate(call, officer, NOW))
    assert awards[lots.id].bonus == Decimal("3.00") and awards[lots.id].rank == 1
    assert has_line(awards[some.id], "配套资金加分", "加2.5分")


def test_matched_bonus_without_a_cap_and_added_to_the_grade_bonus(officer):
    call, (a4,) = f.ranked_call([{"total": 70, "matched": "120000", "grade": Grade.A4}], reference_date=REF,
                                matched_bonus_per_wan=Decimal("0.5"), tier_rules=rules(bonus_by_grade={Grade.A4: 2}))
    items, ranking = ranked(call)
    assert items[a4.id].bonus == Decimal("8.00") and items[a4.id].final == Decimal("78.00")
    assert "配套资金加分：自筹配套120,000.00元，按每万元加0.5分，加6分" in lines(call, a4)
    assert "等级加分（4A加2分" in ranking.formula and "配套资金加分（自筹配套资金每1万元加0.5分）" in ranking.formula
    assert ON in lines(call, a4)[0]
