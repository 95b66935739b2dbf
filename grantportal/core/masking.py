"""Masking of personal data on public pages, done on the server (个人信息保护法 art.25)."""
import re


def mask_phone(phone):
    """13812341234 → 138****1234; landlines keep the area code and last 2 digits."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 6:
        return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]
    return "*" * len(digits)


def mask_id_number(number):
    """350102199001011234 → 35*************234"""
    s = (number or "").strip()
    if len(s) <= 5:
        return "*" * len(s)
    return s[:2] + "*" * (len(s) - 5) + s[-3:]


_ADDRESS_CUT = re.compile(r"^(.*?(?:街道|镇|乡))")


def mask_address(address):
    """Keep the address down to 街道/乡镇 and hide the rest."""
    s = (address or "").strip()
    m = _ADDRESS_CUT.match(s)
    if m:
        return m.group(1) + "****"
    m = re.match(r"^(.*?(?:区|县|市))", s)
    return (m.group(1) + "****") if m else "****"


def mask_name(name):
    """张三丰 → 张**"""
    s = (name or "").strip()
    return s[:1] + "*" * (len(s) - 1) if s else ""


# Personal numbers inside free text (e.g. an objection's public summary typed by an officer).
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9])")
_LANDLINE_IN_TEXT = re.compile(r"(?<![0-9])0\d{2,3}-\d{7,8}(?![0-9])")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def _mask_mobile(match):
    digits = re.sub(r"\D", "", match.group(0))[-11:]
    return mask_phone(digits)


def _mask_email(match):
    local, domain = match.group(0).split("@", 1)
    return local[:1] + "***@" + domain


def mask_text(text):
    """Free text for a public page with the personal numbers in it masked: ID numbers (18 characters,
    35*************123), mobile phones (138****1234, also written 138-1234-1234 or +86 …), landlines
    and e-mail addresses (w***@example.cn)."""
    if not text:
        return text or ""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _MOBILE_IN_TEXT.sub(_mask_mobile, text)
    text = _LANDLINE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
    return _EMAIL_IN_TEXT.sub(_mask_email, text)
