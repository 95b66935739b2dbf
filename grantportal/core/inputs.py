"""What people type or paste, before any rule looks at it (DESIGN.md §6, issue 11).

- Control characters (NUL, ESC, DEL, the C1 range …) are never part of what someone means to write: a
  text field refuses them with a message next to the field, a multi-line field allows only tab, line feed
  and carriage return. PostgreSQL cannot store NUL at all, so letting one through is a 500 there and a
  hidden byte in the data on SQLite.
- Codes and phone numbers are typed from paper or pasted from documents and chat programs: full-width
  letters and digits (NFKC), ideographic spaces (U+3000), zero-width characters and spaces inside are
  normalised before the code is checked, so that the message talks about what is really wrong.
"""
import re
import unicodedata

CONTROL_MESSAGE = "含有不可见的控制字符（可能是从其他文档复制时带入的），请删除后重新填写。"

# Cc: C0 controls, DEL and the C1 range.
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# the same without tab, line feed and carriage return (multi-line text)
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# invisible characters a paste carries along: zero-width space/joiners, word joiner, BOM, soft hyphen
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")


# Ids are integer columns: PostgreSQL's integer ends at 2^31 - 1 (SQLite's at 2^63 - 1).
MAX_ID = 2**31 - 1


def as_id(text):
    """The id a form or query value names: ASCII digits, 1 … MAX_ID; anything else (full-width or
    superscript digits, a number past the column) is None, so that it names nothing."""
    if not isinstance(text, str) or not (text.isascii() and text.isdigit()):
        return None
    n = int(text)
    return n if 0 < n <= MAX_ID else None


def has_control(value, multiline=False):
    """Whether ``value`` holds a control character; ``multiline`` allows tab, LF and CR."""
    if not isinstance(value, str):
        return False
    return bool((_CONTROL_IN_TEXT if multiline else _ANY_CONTROL).search(value))


def trim(value):
    """Spaces around a value gone, the ideographic space U+3000 and invisible characters included."""
    if not isinstance(value, str):
        return value
    return _INVISIBLE.sub("", value).strip()


def normalize_code(value):
    """A code as its owner means it: half-width (NFKC), upper case, no spaces or invisible characters
    anywhere (a 统一社会信用代码 pasted as "5310 0000 5000 1979 5A" is the same code)."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", value))
    return re.sub(r"\s", "", text).upper()


def normalize_phone(value):
    """A phone number in ASCII digits: full-width digits and dashes made half-width, spaces dropped
    ("１３８ ０００ ０１２３" → "13800000123"); what cannot be a phone number is left for the rule to refuse."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", value))
    return re.sub(r"\s", "", text.replace("\u2014", "-").replace("\u2013", "-"))
