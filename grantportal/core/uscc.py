"""统一社会信用代码 (GB 32100-2015) checks."""
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]
ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Position 2 for department 5 (民政)
CIVIL_AFFAIRS_CATEGORIES = {
    "1": "social_group",
    "2": "social_service",
    "3": "foundation",
    "9": "other",
}


@dataclass
class UsccInfo:
    code: str
    kind: str  # OrgKind value
    region: str


class UsccError(ValueError):
    pass


def check_character(first17):
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check(first8):
    """GB 11714 check character for the 9-character organization code."""
    total = sum(ORG_CODE_ALPHABET.index(c) * w for c, w in zip(first8, ORG_CODE_WEIGHTS))
    c9 = 11 - total % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def parse_uscc(raw):
    """Validate a code for a social organization registered with 民政; return what it says."""
    code = (raw or "").strip().upper()
    if not code:
        raise UsccError("请填写统一社会信用代码。")
    if len(code) != 18:
        raise UsccError(f"统一社会信用代码应为18位，您填写了{len(code)}位。")
    bad = sorted({c for c in code if c not in VALUE})
    if bad:
        raise UsccError(
            "统一社会信用代码含有不允许的字符：" + "、".join(bad) + "（不使用 I、O、S、V、Z）。"
        )
    if check_character(code[:17]) != code[17]:
        raise UsccError("统一社会信用代码校验位不正确，请核对后重新填写。")
    if code[0] != "5":
        raise UsccError("该代码不是民政部门登记的社会组织代码（第1位应为5）。")
    if code[1] not in CIVIL_AFFAIRS_CATEGORIES:
        raise UsccError("代码第2位（机构类别）应为1、2、3或9。")
    return UsccInfo(code=code, kind=CIVIL_AFFAIRS_CATEGORIES[code[1]], region=code[2:8])


def make_uscc(category, region, serial):
    """Build a valid code (demo data and tests): 5 + category + region + org code + check."""
    body = f"{serial:08d}"[-8:]
    org_code = body + org_code_check(body)
    first17 = f"5{category}{region}{org_code}"
    return first17 + check_character(first17)
