"""Money is Decimal with two places; input is ASCII digits only."""
import re
from decimal import ROUND_HALF_UP, Decimal

AMOUNT_RE = re.compile(r"^\d{1,12}(\.\d{1,2})?$")
CENT = Decimal("0.01")


class AmountError(ValueError):
    """Raised with a Chinese message suitable to show next to the field."""


def parse_amount(text):
    """Parse a yuan amount typed by a person; refuse anything not plain ASCII decimal."""
    raw = (text or "").strip().replace(",", "")
    if not raw:
        raise AmountError("请填写金额。")
    if not raw.isascii():
        raise AmountError("请使用半角数字填写金额，例如 50000 或 50000.00。")
    if raw.startswith("-"):
        raise AmountError("金额不能为负数。")
    if re.fullmatch(r"\d+\.\d{3,}", raw):
        raise AmountError("金额最多保留两位小数（精确到分）。")
    if not AMOUNT_RE.match(raw):
        raise AmountError("金额格式不正确：只能填写数字和小数点，例如 50000 或 50000.00。")
    return Decimal(raw).quantize(CENT)


def quantize(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_yuan(value):
    """¥1,234.00"""
    if value is None:
        return ""
    return f"¥{quantize(value):,.2f}"


def format_wan(value):
    """Amounts in 万元 as officials write them: 5万元, 12.5万元."""
    if value is None:
        return ""
    wan = (Decimal(value) / Decimal(10000)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    text = f"{wan:f}".rstrip("0").rstrip(".")
    return f"{text}万元"


def percent(part, whole):
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)
