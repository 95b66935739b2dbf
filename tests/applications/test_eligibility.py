"""Each automatic eligibility rule on its own: passes, fails, and says which data it judged."""
from datetime import date, timedelta
from decimal import Decimal

from grantportal.applications import eligibility as el
from grantportal.calls.models import Level
from grantportal.orgs.models import Grade, InspectionResult, OrgStatus, RatingEnd, SanctionKind
from tests import factories as f

TODAY = date(2026, 11, 22)


def call(**kw):
    kw.setdefault("reference_date", date(2026, 6, 30))
    return f.CallFactory(**kw)


def test_verified_organization_passes_and_pending_fails():
    assert el.check_verified(f.OrganizationFactory()) == ("verified", True, "机构认证状态：已认证")
    check = el.check_verified(f.OrganizationFactory(status=OrgStatus.PENDING))
    assert not check.passed and "待审核" in check.reason


def test_grade_in_force_on_reference_date_passes_with_its_validity():
    org = f.OrganizationFactory()
    f.RatingRecordFactory(org=org, grade=Grade.A3, announced_on=date(2024, 6, 1))
    check = el.check_grade(org, call(min_grade=Grade.A3))
    assert check.passed
    assert check.reason == "评估等级：3A（有效期至2029年12月31日）"


def test_grade_below_minimum_fails():
    org = f.OrganizationFactory()
    f.RatingRecordFactory(org=org, grade=Grade.A2)
    check = el.check_grade(org, call(min_grade=Grade.A3))
    assert not check.passed and "2A" in check.reason and "要求3A及以上" in check.reason


def test_expired_grade_counts_as_unrated():
    org = f.OrganizationFactory()
    f.RatingRecordFactory(org=org, grade=Grade.A5, announced_on=date(2019, 6, 1))  # valid until 2024-12-31
    check = el.check_grade(org, call(min_grade=Grade.A3))
    assert not check.passed
    assert "无有效评估等级" in check.reason and "已过期" in check.reason


def test_revoked_grade_counts_as_unrated():
    org = f.OrganizationFactory()
    f.RatingRecordFactory(org=org, grade=Grade.A4, ended_on=date(2026, 1, 10), end_kind=RatingEnd.REVOKED)
    assert not el.check_grade(org, call(min_grade=Grade.A3)).passed


def test_registration_age_is_counted_in_full_years_on_the_reference_date():
    org = f.OrganizationFactory(registered_on=date(2024, 7, 1))
    short = el.check_registration_age(org, call(min_years_registered=2))
    assert not short.passed
    assert short.reason == "登记成立日期：2024年7月1日，至2026年6月30日满1年（要求成立满2年）"
    assert el.check_registration_age(org, call(min_years_registered=1)).passed


def test_last_years_inspection_qualified_or_basic_passes():
    for result in (InspectionResult.QUALIFIED, InspectionResult.BASIC):
        org = f.OrganizationFactory()
        f.AnnualInspectionFactory(org=org, year=2025, result=result)
        check = el.check_inspection(org, call())
        assert check.passed and check.reason == f"2025年度年检结果：{result.label}"


def test_failed_absent_or_missing_inspection_fails():
    for result in (InspectionResult.FAILED, InspectionResult.ABSENT):
        org = f.OrganizationFactory()
        f.AnnualInspectionFactory(org=org, year=2025, result=result)
        check = el.check_inspection(org, call())
        assert not check.passed and result.label in check.reason
    org = f.OrganizationFactory()
    f.AnnualInspectionFactory(org=org, year=2024)  # not the reference year − 1
    check = el.check_inspection(org, call())
    assert not check.passed and check.reason.startswith("2025年度年检结果：无记录")
    assert f"请联系登记管理机关（{org.registration_authority}）或本平台项目官员补录" in check.reason


def test_a_missing_inspection_of_an_organization_founded_later_says_it_had_none_that_year():
    org = f.OrganizationFactory(registered_on=date(2026, 3, 1))
    check = el.check_inspection(org, call())
    assert not check.passed and "该机构成立于2026年，不参加2025年度年检" in check.reason


def test_penalty_within_three_years_fails_and_older_passes():
    org = f.OrganizationFactory()
    f.SanctionFactory(org=org, kind=SanctionKind.PENALTY, decided_on=TODAY - timedelta(days=365 * 2))
    check = el.check_penalty(org, TODAY)
    assert not check.passed and "行政处罚" in check.reason and "未满3年" in check.reason
    old = f.OrganizationFactory()
    f.SanctionFactory(org=old, kind=SanctionKind.PENALTY, decided_on=date(2023, 11, 1))
    assert el.check_penalty(old, TODAY) == ("no_penalty", True, "行政处罚：近3年内无行政处罚记录")


def test_abnormal_list_now_or_lifted_within_a_year_fails():
    listed = f.OrganizationFactory()
    f.SanctionFactory(org=listed, kind=SanctionKind.ABNORMAL, decided_on=date(2026, 3, 1))
    check = el.check_abnormal_list(listed, TODAY)
    assert not check.passed and check.reason == "活动异常名录：2026年3月1日列入，目前尚未移出"
    lifted = f.OrganizationFactory()
    f.SanctionFactory(org=lifted, kind=SanctionKind.ABNORMAL, decided_on=date(2025, 3, 1),
                      lifted_on=date(2026, 2, 1))
    check = el.check_abnormal_list(lifted, TODAY)
    assert not check.passed and "2026年2月1日移出，移出未满1年" in check.reason
    clean = f.OrganizationFactory()
    f.SanctionFactory(org=clean, kind=SanctionKind.ABNORMAL, decided_on=date(2024, 3, 1),
                      lifted_on=date(2025, 10, 1))
    assert el.check_abnormal_list(clean, TODAY).passed


def test_serious_list_lifted_within_two_years_fails():
    org = f.OrganizationFactory()
    f.SanctionFactory(org=org, kind=SanctionKind.SERIOUS, decided_on=date(2023, 1, 1),
                      lifted_on=date(2025, 1, 1))
    check = el.check_serious_list(org, TODAY)
    assert not check.passed and "严重违法失信名单" in check.reason and "未满2年" in check.reason
    old = f.OrganizationFactory()
    f.SanctionFactory(org=old, kind=SanctionKind.SERIOUS, decided_on=date(2022, 1, 1),
                      lifted_on=date(2024, 6, 1))
    assert el.check_serious_list(old, TODAY).passed
    # an abnormal listing does not count against the serious list
    assert el.check_serious_list(f.SanctionFactory(kind=SanctionKind.ABNORMAL).org, TODAY).passed


def test_switched_off_rules_are_not_checked():
    org = f.OrganizationFactory(registered_on=date(2026, 1, 1))
    c = call(min_grade=None, min_years_registered=0, require_inspection=False, require_no_sanctions=False)
    assert [check.code for check in el.org_checks(org, c, TODAY)] == ["verified"]


def test_application_count_limit():
    c = call(max_applications_per_org=2)
    assert el.check_application_count(c, 2).passed
    check = el.check_application_count(c, 3)
    assert not check.passed and check.reason == "本机构在本次征集中的有效申报：3份（上限2份）"


def test_requested_amount_must_be_within_the_levels_limits():
    level = call().level(Level.CITY)  # 3万–8万
    assert el.check_grant_range(level, Decimal("30000.00")).passed
    assert el.check_grant_range(level, Decimal("80000.00")).passed
    high = el.check_grant_range(level, Decimal("80000.01"))
    assert not high.passed and high.reason == "申请资助金额：¥80,000.01（市级须在3万元至8万元之间）"
    assert not el.check_grant_range(level, Decimal("29999.99")).passed
    assert not el.check_grant_range(None, Decimal("50000")).passed


def test_matched_share_must_reach_the_levels_minimum():
    level = call().level(Level.CITY)  # at least 40% matched
    ok = el.check_match_share(level, Decimal("40000"), Decimal("100000"))
    assert ok.passed and ok.reason == "自筹配套比例：40%（要求不低于40%）"
    low = el.check_match_share(level, Decimal("39999"), Decimal("100000"))
    assert not low.passed and low.reason == "自筹配套比例：39.99%（要求不低于40%）"
    assert not el.check_match_share(level, Decimal("0"), Decimal("0")).passed
