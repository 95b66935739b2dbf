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
