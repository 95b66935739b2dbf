"""Official-style wording in documents (GB/T 9704 practice): quotation marks nested correctly and
Chinese numerals for article and tranche numbers.

``quoted("第九届“博爱100”公益创投活动")`` → ``“第九届‘博爱100’公益创投活动”``: the text is put inside “”, so
the marks already in it become the inner ones ‘’ (straight " pairs too). ``cn_number(12)`` → ``十二``."""
import re

DIGITS = "零一二三四五六七八九"
_STRAIGHT = re.compile(r'"([^"]*)"')


def inner_quotes(text):
    """The text's own double quotes as single ones, for printing inside “”."""
    text = _STRAIGHT.sub(lambda m: f"‘{m.group(1)}’", str(text or ""))
    return text.replace("“", "‘").replace("”", "’")


def quoted(text):
    """The text inside “”, its own quotation marks turned into the inner ‘’."""
    return f"“{inner_quotes(text)}”"


def cn_number(n):
    """1–99 in Chinese numerals as official documents count articles (一, 十, 十二, 二十, 九十九)."""
    n = int(n)
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")
