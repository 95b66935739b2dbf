"""Tier priority rules: each rule alone, in combination, their Chinese explanations and storage."""
from datetime import date
from decimal import Decimal

import pytest

import grantportal.models  # noqa: F401  (every mapper, so that records can be built without a database)
from grantportal.calls.tier_rules import (
    Effect,
    TierRule,
    TierRules,
    TierRulesError,
    explain,
    grade_in_force,
    grant_cap,
    meets_min_grade,
    rating_for_explanation,
    reserved_amount,
    tie_key,
    tier_bonus,
    waived_documents,
)
from grantportal.orgs.models import Grade, Organization, RatingEnd, RatingRecord
from grantportal.orgs.tiers import default_validity, effective_tier

pytestmark = pytest.mark.nodb
REF = date(2026, 6, 30)  # the call's reference date
ON = "以2026年6月30日为准"


def record(grade, announced_on, **kw):
    valid_from, valid_until = default_validity(announced_on)
    kw.setdefault("valid_from", valid_from)
    kw.setdefault("valid_until", valid_until)
    return RatingRecord(grade=grade, announced_on=announced_on, **kw)


A4 = record(Grade.A4, date(2024, 6, 1))  # valid 2025-01-01 … 2029-12-31
A5 = record(Grade.A5, date(2023, 6, 1))  # valid 2024-01-01 … 2028-12-31
A3 = record(Grade.A3, date(2024, 6, 1))
A2 = record(Grade.A2, date(2024, 6, 1))
EXPIRED_5A = record(Grade.A5, date(2020, 6, 1))  # valid 2021-01-01 … 2025-12-31
A4_TEXT = f"评估等级4A（有效期至2029年12月31日，{ON}）"


def texts(effects):
    return [e.text for e in effects]


def test_no_rules_no_effects():
    rules = TierRules()
    assert rules.is_empty
    assert explain(rules, A4, REF) == []
    assert tier_bonus(rules, Grade.A5) == Decimal("0.00")
    assert grant_cap(rules, None, Decimal("100000")) == Decimal("100000.00")
    assert tie_key(rules, Grade.A5) == tie_key(rules, None) == 0
    assert reserved_amount(rules, Decimal("1000000")) == Decimal("0.00")
    assert waived_documents(rules, Grade.A5) == []
    assert meets_min_grade(rules, None)


def test_minimum_grade_alone():
    rules = TierRules(min_grade=Grade.A3)
    assert meets_min_grade(rules, Grade.A3) and meets_min_grade(rules, Grade.A5)
    assert not meets_min_grade(rules, Grade.A2) and not meets_min_grade(rules, None)
    assert texts(explain(rules, A4, REF)) == [f"申报等级要求：{A4_TEXT}，符合3A及以上的申报要求"]
    [effect] = explain(rules, A2, REF)
    assert effect == Effect(TierRule.MIN_GRADE, False, f"评估等级2A（有效期至2029年12月31日，{ON}）",
                            "未达到3A及以上的申报要求，不能申报")


def test_bonus_by_grade_alone():
    rules = TierRules(bonus_by_grade={Grade.A5: 5, Grade.A4: 4, Grade.A3: Decimal("2.5")})
    assert tier_bonus(rules, Grade.A4) == Decimal("4.00")
    assert tier_bonus(rules, Grade.A3) == Decimal("2.50")
    assert tier_bonus(rules, Grade.A2) == tier_bonus(rules, None) == Decimal("0.00")
    assert texts(explain(rules, A4, REF)) == [f"等级加分：{A4_TEXT}，加4分"]
    assert texts(explain(rules, A3, REF))[0].endswith("，加2.5分")
    [effect] = explain(rules, None, REF)
    assert not effect.applies
    assert effect.text == f"等级加分：未评级（{ON}），不加分"


def test_expired_grade_counts_as_unrated():
    rules = TierRules(bonus_by_grade={"5A": 5})
    assert grade_in_force(EXPIRED_5A, REF) is None
    assert tier_bonus(rules, grade_in_force(EXPIRED_5A, REF)) == Decimal("0.00")
    [effect] = explain(rules, EXPIRED_5A, REF)
    assert effect.text == "等级加分：未评级（等级已于2025年12月31日过期），不加分"
    # the same record, judged on a date inside its validity, still counts
    assert texts(explain(rules, EXPIRED_5A, date(2025, 12, 31))) == [
        "等级加分：评估等级5A（有效期至2025年12月31日，以2025年12月31日为准），加5分"]


def test_lowered_grade_counts_at_its_lower_value_after_the_lowering_date():
    lowered_on = date(2026, 3, 1)
    old = record(Grade.A4, date(2024, 6, 1), ended_on=lowered_on, end_kind=RatingEnd.LOWERED,
                 end_reason="年检不合格")
    new = record(Grade.A2, lowered_on, valid_from=lowered_on, valid_until=date(2029, 12, 31))
    org = Organization(ratings=[old, new])
    rules = TierRules(bonus_by_grade={"4A": 4, "2A": 1}, cap_by_grade={"2A": 80000})

    before, after = date(2026, 2, 28), REF
    assert effective_tier(org, before) == Grade.A4
    assert effective_tier(org, after) == Grade.A2
    assert rating_for_explanation(org, after) is new
    assert tier_bonus(rules, effective_tier(org, before)) == Decimal("4.00")
    assert tier_bonus(rules, effective_tier(org, after)) == Decimal("1.00")
    assert grant_cap(rules, effective_tier(org, after), Decimal("100000")) == Decimal("80000.00")
    assert texts(explain(rules, rating_for_explanation(org, after), after)) == [
        f"等级加分：评估等级2A（有效期至2029年12月31日，{ON}），加1分",
        f"等级资助上限：评估等级2A（有效期至2029年12月31日，{ON}），资助金额不超过8万元（且不超过本级别上限）",
    ]
    assert texts(explain(rules, rating_for_explanation(org, before), before))[0] == (
        "等级加分：评估等级4A（有效期至2029年12月31日，以2026年2月28日为准），加4分")


def test_revoked_grade_counts_as_unrated_from_the_revocation_date():
    revoked = record(Grade.A4, date(2024, 6, 1), ended_on=date(2026, 3, 1), end_kind=RatingEnd.REVOKED)
    org = Organization(ratings=[revoked])
    assert effective_tier(org, REF) is None
    assert rating_for_explanation(org, REF) is revoked
    assert texts(explain(TierRules(bonus_by_grade={"4A": 4}), revoked, REF)) == [
        "等级加分：未评级（等级已于2026年3月1日撤销），不加分"]


def test_grade_not_yet_in_force_on_the_reference_date():
    announced = record(Grade.A5, date(2026, 5, 20))  # valid from 2027-01-01
    assert texts(explain(TierRules(bonus_by_grade={"5A": 5}), announced, REF)) == [
        f"等级加分：未评级（等级自2027年1月1日起生效，{ON}），不加分"]


def test_tier_first_tiebreak_alone():
    rules = TierRules(tier_first_tiebreak=True)
    rows = [("unrated", None), ("3A", Grade.A3), ("5A", Grade.A5), ("1A", Grade.A1)]
    ranked = sorted(rows, key=lambda r: (-Decimal("80"), tie_key(rules, r[1])))
    assert [name for name, _ in ranked] == ["5A", "3A", "1A", "unrated"]
    # without the rule the grade does not order anything: the call's other tie-breaks decide
    assert {tie_key(TierRules(), g) for _, g in rows} == {0}
    assert texts(explain(rules, A4, REF)) == [
        f"同分按等级排序：{A4_TEXT}，总分相同时按评估等级从高到低排序，4A排在较低等级和未评级的申报之前"]
    [effect] = explain(rules, EXPIRED_5A, REF)
    assert not effect.applies
    assert effect.effect_text == "总分相同时排在有评估等级的申报之后"


def test_reserved_share_alone():
    rules = TierRules(reserved_share_percent=Decimal("30"))
    assert reserved_amount(rules, Decimal("1000000.00")) == Decimal("300000.00")
    # to the cent, half up: 12.5% of 100,000.05 = 12,500.00625 → 12,500.01
    assert reserved_amount(TierRules(reserved_share_percent="12.5"), Decimal("100000.05")) == Decimal("12500.01")
    assert texts(explain(rules, A3, REF)) == [
        f"预留资金份额：评估等级3A（有效期至2029年12月31日，{ON}），可使用各级别预算中为3A及以上组织预留的30%，也可使用其余预算"]
    [effect] = explain(rules, A2, REF)
    assert not effect.applies
    assert effect.effect_text == "不能使用为3A及以上组织预留的30%预算，只参与其余预算的分配"


def test_cap_by_grade_alone():
    rules = TierRules(cap_by_grade={"unrated": 30000, "1A": 30000, "2A": Decimal("50000")})
    level_max = Decimal("80000")
    assert grant_cap(rules, None, level_max) == Decimal("30000.00")
    assert grant_cap(rules, Grade.A2, level_max) == Decimal("50000.00")
    assert grant_cap(rules, Grade.A4, level_max) == Decimal("80000.00")
    # a grade cap above the level's maximum never raises it
    assert grant_cap(rules, Grade.A2, Decimal("40000")) == Decimal("40000.00")
    assert texts(explain(rules, None, REF)) == [
        f"等级资助上限：未评级（{ON}），资助金额不超过3万元（且不超过本级别上限）"]
    assert texts(explain(rules, A4, REF)) == [f"等级资助上限：{A4_TEXT}，4A不设等级上限，以本级别的资助上限为准"]


def test_document_waiver_alone():
    rules = TierRules(waive_documents_for_4a=["年度审计报告", " 年检结论 ", "年度审计报告"])
    assert rules.waive_documents_for_4a == ("年度审计报告", "年检结论")
    assert waived_documents(rules, Grade.A4) == waived_documents(rules, Grade.A5) == ["年度审计报告", "年检结论"]
    assert waived_documents(rules, Grade.A3) == waived_documents(rules, None) == []
    assert texts(explain(rules, A5, REF)) == [
        f"4A及以上免交材料：评估等级5A（有效期至2028年12月31日，{ON}），免交年度审计报告、年检结论"]
    assert texts(explain(rules, A3, REF))[0].endswith("，须提交年度审计报告、年检结论（4A及以上方可免交）")


ALL_RULES = {
    "min_grade": "2A",
    "bonus_by_grade": {"5A": 5, "4A": 4, "3A": 3},
    "tier_first_tiebreak": True,
    "reserved_share_percent": 40,
    "cap_by_grade": {"2A": 50000},
    "waive_documents_for_4a": ["年度审计报告"],
}


def test_all_rules_together_for_a_4a_organization():
    rules = TierRules.from_dict(ALL_RULES)
    effects = explain(rules, A4, REF)
    assert [e.rule for e in effects] == list(TierRule)
    assert [e.applies for e in effects] == [True, True, True, True, False, True]
    assert {e.grade_text for e in effects} == {A4_TEXT}
    assert [e.effect_text for e in effects] == [
        "符合2A及以上的申报要求",
        "加4分",
        "总分相同时按评估等级从高到低排序，4A排在较低等级和未评级的申报之前",
        "可使用各级别预算中为3A及以上组织预留的40%，也可使用其余预算",
        "4A不设等级上限，以本级别的资助上限为准",
        "免交年度审计报告",
    ]


def test_all_rules_together_for_a_2a_and_an_expired_organization():
    rules = TierRules.from_dict(ALL_RULES)
    assert [e.effect_text for e in explain(rules, A2, REF)] == [
        "符合2A及以上的申报要求",
        "不加分",
        "总分相同时按评估等级从高到低排序，2A排在较低等级和未评级的申报之前",
        "不能使用为3A及以上组织预留的40%预算，只参与其余预算的分配",
        "资助金额不超过5万元（且不超过本级别上限）",
        "须提交年度审计报告（4A及以上方可免交）",
    ]
    assert grant_cap(rules, Grade.A2, Decimal("100000")) == Decimal("50000.00")
    expired = explain(rules, EXPIRED_5A, REF)
    assert [e.applies for e in expired] == [False] * 6
    assert expired[0].text == "申报等级要求：未评级（等级已于2025年12月31日过期），未达到2A及以上的申报要求，不能申报"


def test_bonus_and_tiebreak_order_a_ranking_together():
    rules = TierRules(bonus_by_grade={"4A": 2}, tier_first_tiebreak=True)
    base = {"甲（3A）": (Decimal("80.00"), Grade.A3), "乙（4A）": (Decimal("78.00"), Grade.A4),
            "丙（未评级）": (Decimal("80.00"), None)}
    final = {name: score + tier_bonus(rules, grade) for name, (score, grade) in base.items()}
    ranked = sorted(base, key=lambda name: (-final[name], tie_key(rules, base[name][1])))
    assert ranked == ["乙（4A）", "甲（3A）", "丙（未评级）"]  # all on 80.00 after the bonus; the grade decides


def test_round_trip_through_json():
    rules = TierRules.from_dict(ALL_RULES)
    stored = rules.to_dict()
    assert stored == {
        "min_grade": "2A",
        "bonus_by_grade": {"5A": "5.00", "4A": "4.00", "3A": "3.00"},
        "tier_first_tiebreak": True,
        "reserved_share_percent": "40.00",
        "cap_by_grade": {"2A": "50000.00"},
        "waive_documents_for_4a": ["年度审计报告"],
    }
    assert TierRules.from_dict(stored) == rules
    assert TierRules.from_dict(None) == TierRules.from_dict({}) == TierRules()
    assert TierRules.from_dict(TierRules().to_dict()).is_empty
    assert TierRules.from_dict({"cap_by_grade": {"未评级": 1}}).to_dict()["cap_by_grade"] == {"unrated": "1.00"}


@pytest.mark.parametrize(("data", "message"), [
    ({"bonus_by_grade": {"4A": -1}}, "等级加分不能为负数（4A：-1）。"),
    ({"cap_by_grade": {"unrated": -100}}, "资助上限不能为负数（未评级：-100）。"),
    ({"reserved_share_percent": 120}, "预留比例须在0至100之间（当前为120）。"),
    ({"reserved_share_percent": "-5"}, "预留比例须在0至100之间（当前为-5）。"),
    ({"bonus_by_grade": {"6A": 1}}, "未知的评估等级“6A”，只能是5A、4A、3A、2A、1A或未评级。"),
    ({"min_grade": "AAAA"}, "申报最低等级“AAAA”无效，只能是5A、4A、3A、2A、1A之一。"),
    ({"bonus_by_grade": {"3A": "三分"}}, "等级加分（3A）必须是数字（当前为“三分”）。"),
    ({"waive_documents_for_4a": ["  "]}, "免交材料的名称不能为空。"),
    ({"tier_first_tiebreak": "yes"}, "“同分按等级排序”只能是“是”或“否”。"),
    ({"bonus": 5}, "未知的设置项：bonus。"),
])
def test_invalid_settings_are_refused_in_chinese(data, message):
    with pytest.raises(TierRulesError) as excinfo:
        TierRules.from_dict(data)
    assert excinfo.value.messages == [message]


def test_every_problem_is_reported_at_once():
    with pytest.raises(TierRulesError) as excinfo:
        TierRules.from_dict({"bonus_by_grade": {"4A": -1, "7A": 2}, "reserved_share_percent": 101})
    assert excinfo.value.messages == [
        "等级加分不能为负数（4A：-1）。",
        "未知的评估等级“7A”，只能是5A、4A、3A、2A、1A或未评级。",
        "预留比例须在0至100之间（当前为101）。",
    ]
    assert str(excinfo.value) == "".join(excinfo.value.messages)
