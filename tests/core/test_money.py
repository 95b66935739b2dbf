from decimal import Decimal

import pytest

from grantportal.core.money import AmountError, format_wan, format_yuan, parse_amount

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
