"""统一社会信用代码 (GB 32100-2015) checks, every part of the code (DESIGN.md §4).

An 18-character code from ``ALPHABET`` (no I, O, S, V, Z) is read as:

- position 1: 登记管理部门代码 (the registration authority: 5 = 民政 …);
- position 2: 机构类别代码, one of the kinds that authority registers (for 民政: 1 社会团体,
  2 民办非企业单位/社会服务机构, 3 基金会, 9 其他) — ``KINDS`` lists the allowed pairs;
- positions 3–8: 登记管理机关行政区划码, a 6-digit administrative division code (GB/T 2260) whose first two
  digits are a province, or 100000 for an authority of the central government;
- positions 9–17: 主体标识码, the 9-character 组织机构代码 (GB 11714-1997), whose own check character is
  position 17: C9 = 11 − Σ(value × weight) mod 11 with weights 3,7,9,10,5,8,4,2 (10 → X, 11 → 0);
- position 18: the check character: weights 3^i mod 31, C18 = (31 − Σ value × weight mod 31) mod 31.

A code is normalised first (core.inputs.normalize_code: full-width to half-width, spaces and invisible
characters removed, upper case), so that a pasted code is judged by what it says; each refusal names the
part that fails, in the order a person would check the code on paper.
"""
from dataclasses import dataclass

from grantportal.core.inputs import normalize_code
from grantportal.core.wording import quoted

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]
ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

CIVIL_AFFAIRS = "5"
# Position 2 for department 5 (民政)
CIVIL_AFFAIRS_CATEGORIES = {
    "1": "social_group",
    "2": "social_service",
    "3": "foundation",
    "9": "other",
}

# GB 32100-2015 附录A 登记管理部门代码 and the 机构类别代码 each registers (with the later additions of
# 中央军委改革和编制办公室 and 农业 for 集体经济组织).
AUTHORITIES = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                   "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位（社会服务机构）", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

# GB/T 2260 province-level codes (first two digits of an administrative division code)
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82"
    .split()
)
CENTRAL = "100000"


@dataclass
class UsccInfo:
    code: str
    kind: str  # OrgKind value (民政 codes only)
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


def _region_ok(region):
    if not (region.isascii() and region.isdigit()):
        return False
    if region == CENTRAL:
        return True
    return region[:2] in PROVINCES


def validate_code(raw, department=None):
    """A 统一社会信用代码, every part checked; return the normalised code or raise UsccError naming the
    part that fails. With ``department`` (e.g. "5" for 民政) a code of another authority is refused as
    such before its other parts are looked at."""
    code = normalize_code(raw or "")
    if not code:
        raise UsccError("请填写统一社会信用代码。")
    if len(code) != 18:
        raise UsccError(f"统一社会信用代码应为18位，您填写了{len(code)}位（空格不计）。")
    bad = sorted({c for c in code if c not in VALUE})
    if bad:
        shown = "、".join(c if c.isprintable() else "不可见字符" for c in bad)
        raise UsccError(f"统一社会信用代码含有不允许的字符：{shown}（只使用数字和大写字母，不使用 I、O、S、V、Z）。")
    if code[0] not in AUTHORITIES:
        raise UsccError(f"第1位（登记管理部门代码）{quoted(code[0])}不是国家标准规定的登记管理部门，请核对。")
    authority, kinds = AUTHORITIES[code[0]]
    if department is not None and code[0] != department:
        raise UsccError(f"该代码由{authority}部门登记（第1位为{code[0]}），不是{AUTHORITIES[department][0]}部门"
                        f"登记的社会组织代码（第1位应为{department}）。")
    if code[1] not in kinds:
        allowed = "、".join(kinds)
        raise UsccError(f"第2位（机构类别代码）{quoted(code[1])}不属于{authority}部门登记的机构类别"
                        f"（{authority}部门为{allowed}），请核对。")
    region = code[2:8]
    if not _region_ok(region):
        raise UsccError(f"第3至8位（登记管理机关行政区划码）{quoted(region)}不是有效的行政区划代码"
                        "（应为6位数字，前两位为省级代码），请核对。")
    org_code = code[8:17]
    if org_code_check(org_code[:8]) != org_code[8]:
        raise UsccError(f"第9至17位（组织机构代码）“{org_code[:8]}-{org_code[8]}”的校验码不正确，请核对。")
    if check_character(code[:17]) != code[17]:
        raise UsccError("统一社会信用代码第18位校验位不正确，请逐位核对后重新填写。")
    return code


def parse_uscc(raw):
    """Validate a code for a social organization registered with 民政; return what it says."""
    code = validate_code(raw, department=CIVIL_AFFAIRS)
    return UsccInfo(code=code, kind=CIVIL_AFFAIRS_CATEGORIES[code[1]], region=code[2:8])


def make_uscc(category, region, serial, department=CIVIL_AFFAIRS):
    """Build a valid code (demo data and tests): department + category + region + org code + check."""
    body = f"{serial:08d}"[-8:]
    org_code = body + org_code_check(body)
    first17 = f"{department}{category}{region}{org_code}"
    return first17 + check_character(first17)
