from decimal import Decimal

import pytest

from grantportal.core.money import (
    AmountError,
    format_match_share,
    format_percent,
    format_points,
    format_wan,
    format_yuan,
    match_share,
    parse_amount,
)

pytestmark = pytest.mark.nodb


@pytest.mark.parametrize("text,expected", [
    ("50000", Decimal("50000.00")),
    ("50000.5", Decimal("50000.50")),
    ("1,234.56", Decimal("1234.56")),
    (" 80000.00 ", Decimal("80000.00")),
    ("0", Decimal("0.00")),
])
def test_plain_amounts_parse_to_decimal(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text,message", [
    ("１２３", "半角数字"),
    ("1e5", "格式不正确"),
    ("-1", "不能为负数"),
    ("123.456", "两位小数"),
    ("", "请填写金额"),
    ("abc", "格式不正确"),
    ("NaN", "格式不正确"),
    ("Infinity", "格式不正确"),
    ("1234567890123", "格式不正确"),
])
def test_bad_amounts_are_refused_in_chinese(text, message):
    with pytest.raises(AmountError, match=message):
        parse_amount(text)


def test_money_is_shown_as_officials_write_it():
    assert format_yuan(Decimal("1234")) == "¥1,234.00"
    assert format_wan(Decimal("50000")) == "5万元"
    assert format_wan(Decimal("125000")) == "12.5万元"


# --- amounts in capitals (the rule: grantportal.core.money.amount_in_capitals) -------------------

CAPITALS = [
    ("0.01", "人民币壹分"),
    ("0.10", "人民币壹角整"),
    ("0.55", "人民币伍角伍分"),
    ("0", "人民币零元整"),
    ("1.05", "人民币壹元零伍分"),
    ("10", "人民币壹拾元整"),
    ("15", "人民币壹拾伍元整"),
    ("100.05", "人民币壹佰元零伍分"),
    ("100.50", "人民币壹佰元零伍角整"),
    ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
    ("10005", "人民币壹万零伍元整"),
    ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
    ("50000", "人民币伍万元整"),
    ("60000.00", "人民币陆万元整"),
    ("100000", "人民币壹拾万元整"),
    ("107000.53", "人民币壹拾万零柒仟元零伍角叁分"),
    ("123456.78", "人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分"),
    ("325.04", "人民币叁佰贰拾伍元零肆分"),
    ("1000000.50", "人民币壹佰万元零伍角整"),
    ("10000000", "人民币壹仟万元整"),
    ("10007000", "人民币壹仟万零柒仟元整"),
    ("100000001", "人民币壹亿零壹元整"),
    ("100010000", "人民币壹亿零壹万元整"),
    ("999999999999.99", "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize("amount,expected", CAPITALS)
def test_amounts_are_written_in_capitals_as_on_vouchers(amount, expected):
    from grantportal.core.money import amount_in_capitals

    assert amount_in_capitals(Decimal(amount)) == expected


@pytest.mark.parametrize("amount", ["-1", "1000000000000"])
def test_amounts_outside_the_range_are_refused_in_capitals(amount):
    from grantportal.core.money import amount_in_capitals

    with pytest.raises(ValueError):
        amount_in_capitals(Decimal(amount))


def test_percentages_print_as_officials_write_them():
    assert [format_percent(Decimal(v)) for v in ("50.00", "12.50", "100", "0.5")] == ["50%", "12.5%", "100%", "0.5%"]
    assert format_percent(None) == ""


def test_scores_print_without_trailing_zeros():
    assert [format_points(Decimal(v)) for v in ("12", "12.50", "100", "100.00", "0.25")] == \
        ["12", "12.5", "100", "100", "0.25"]
    assert format_points(None) == ""


def test_the_matched_share_is_cut_never_rounded_up_to_a_limit():
    assert match_share(Decimal("39999"), Decimal("100000")) == Decimal("39.99")
    assert match_share(Decimal("1"), Decimal("3")) == Decimal("33.33")
    assert match_share(Decimal("2"), Decimal("3")) == Decimal("66.66")
    assert match_share(Decimal("5"), Decimal("0")) == Decimal("0")
    assert format_match_share(Decimal("40000"), Decimal("90000")) == "44.44%"
    assert format_match_share(Decimal("0"), Decimal("0")) == "—"
