"""Money is Decimal with two places; input is ASCII digits only. Also the other Decimal figures shown on
pages: percentages, the matched share and scores."""
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

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


def format_percent(value):
    """Decimal('40.00') → '40%', Decimal('12.50') → '12.5%' (never '4E+1%')."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}%"


def format_points(value):
    """Scores and weights: 12 / 12.5 / 100 (no trailing zeros, never 1E+2)."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def match_share(matched, total):
    """The matched share in percent, cut (never rounded up) to two places, so it never looks met when
    it is not."""
    if not total:
        return Decimal("0")
    return (Decimal(matched) * 100 / Decimal(total)).quantize(CENT, rounding=ROUND_DOWN)


def format_match_share(matched, total):
    """自筹配套比例 as shown everywhere: cut to two places, never rounded up to a limit; "—" without a total."""
    return f"{match_share(matched, total):.2f}%" if total else "—"


def percent(part, whole):
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿")
CAPITALS_MAX = Decimal("999999999999.99")


def amount_in_capitals(value):
    """An amount in Chinese capitals as written on contracts and vouchers: ``人民币伍万元整``.

    The rule followed (中国人民银行《支付结算办法》附件一《正确填写票据和结算凭证的基本规定》):
    - every run of zeros between two non-zero digits is written as one 零 — across 万/亿 groups and across
      元 too (壹万零伍元整, 壹拾万零柒仟元整, 壹佰元零伍分, 壹仟陆佰捌拾元零叁角贰分); where the rules
      allow either writing or omitting that 零 (万位 or 元位 zero), we always write it;
    - trailing zeros are silent; 拾 keeps its 壹 (壹拾元整);
    - 整 follows 元 or 角 when there are no 分 (伍万元整, 伍角整); no 整 after 分;
    - less than one yuan starts at 角 or 分 (壹分, 伍角整); zero is 零元整.
    Amounts are rounded to the cent; negative amounts and amounts of a trillion or more are refused.
    """
    amount = quantize(value)
    if amount < 0 or amount > CAPITALS_MAX:
        raise ValueError(f"cannot write {amount} in capitals")
    cents = int(amount * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    out, pending_zero, seen = [], False, False

    def digit(d, unit):
        nonlocal pending_zero, seen
        if d == 0:
            pending_zero = pending_zero or seen
            return
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(DIGITS[d] + unit)
        seen = True

    text = str(yuan) if yuan else ""
    for i, ch in enumerate(text):
        pos = len(text) - 1 - i
        digit(int(ch), SMALL_UNITS[pos % 4])
        if pos % 4 == 0 and pos and int(text[max(0, i - 3):i + 1]):
            out.append(GROUP_UNITS[pos // 4])
    if yuan:
        out.append("元")
    digit(jiao, "角")
    digit(fen, "分")
    if not out:
        out.append("零元")
    if not fen:
        out.append("整")
    return "人民币" + "".join(out)
