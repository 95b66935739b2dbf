import pytest
from hypothesis import given
from hypothesis import strategies as st

from grantportal.core.uscc import (
    ALPHABET,
    UsccError,
    check_character,
    make_uscc,
    org_code_check,
    parse_uscc,
    validate_code,
)

pytestmark = pytest.mark.nodb


@pytest.mark.parametrize("code,kind", [
    ("53100000500019795A", "foundation"),   # 中国社会福利基金会
    ("51100000500002862F", "social_group"),  # 中国自动化学会
])
def test_published_codes_pass_and_name_their_category(code, kind):
    info = parse_uscc(code)
    assert info.kind == kind
    assert info.region == "100000"


def test_lowercase_and_spaces_are_accepted():
    assert parse_uscc(" 53100000500019795a ").code == "53100000500019795A"


@pytest.mark.parametrize("code,message", [
    ("", "请填写"),
    ("5310000050001979", "应为18位"),
    ("53100000500019795B", "校验位不正确"),
    ("5310000050001979OA", "不允许的字符"),
    ("53100000500019I95A", "不允许的字符"),
    ("5310000050001979５Ｏ", "不允许的字符：O"),  # made half-width first: the message names the real culprit
])
def test_bad_codes_are_refused_with_a_reason(code, message):
    with pytest.raises(UsccError, match=message):
        parse_uscc(code)


def test_a_company_code_is_not_a_social_organization():
    first17 = "91442000MA4UQ1234"
    with pytest.raises(UsccError, match="第1位应为5"):
        parse_uscc(first17 + check_character(first17))


def test_category_must_be_one_of_the_civil_affairs_kinds():
    first17 = "54442000500019795"
    with pytest.raises(UsccError, match="第2位"):
        parse_uscc(first17 + check_character(first17))


@given(st.sampled_from("1239"), st.integers(min_value=0, max_value=99_999_999))
def test_generated_codes_are_valid(category, serial):
    code = make_uscc(category, "442000", serial)
    assert parse_uscc(code).code == code


@given(st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_any_single_character_change_is_caught(position, replacement):
    code = "53100000500019795A"
    changed = code[:position] + replacement + code[position + 1:]
    if changed != code:
        with pytest.raises(UsccError):
            parse_uscc(changed)


# Codes built from the standard's own examples: the two published codes of DESIGN.md §4, whose embedded
# organization codes 50001979-5 and 50000286-2 pass GB 11714 on their own.
PUBLISHED = ("53100000500019795A", "51100000500002862F")


def _with_check(first17):
    """A code whose final check character is right, so that only the part a test breaks is wrong."""
    return first17 + check_character(first17)


@pytest.mark.parametrize("code", PUBLISHED)
def test_the_embedded_organization_code_has_its_own_check_character(code):
    assert org_code_check(code[8:16]) == code[16]


@pytest.mark.parametrize("pasted", [
    "5310 0000 5000 1979 5A",                      # grouped as printed on a certificate
    "\u30005310000050001979５Ａ\u3000",              # full-width, with ideographic spaces
    "５３１０００００５０００１９７９５ａ",              # all full-width, lower case
    "53100000\u200b500019795A",                    # a zero-width space from a chat program
])
def test_a_valid_code_pasted_with_spaces_or_full_width_is_accepted(pasted):
    assert parse_uscc(pasted).code == "53100000500019795A"


def test_each_part_broken_in_turn_is_named():
    base = PUBLISHED[0][:17]
    # position 1: no such registration authority (B is in the alphabet but registers nothing)
    with pytest.raises(UsccError, match="第1位（登记管理部门代码）“B”"):
        validate_code(_with_check("B" + base[1:]))
    # positions 1–2: 民政 registers no kind 4; 工商 (9) registers no kind 9
    with pytest.raises(UsccError, match="第2位（机构类别代码）“4”不属于民政部门登记的机构类别"):
        validate_code(_with_check("54" + base[2:]))
    with pytest.raises(UsccError, match="第2位（机构类别代码）“9”不属于工商部门"):
        validate_code(_with_check("99" + base[2:]))
    # positions 3–8: letters in the division code, or a province that does not exist (99)
    for region in ("10000A", "990000"):
        with pytest.raises(UsccError, match=f"第3至8位（登记管理机关行政区划码）“{region}”"):
            validate_code(_with_check(base[:2] + region + base[8:]))
    # positions 9–17: the organization code's own check character (GB 11714) is wrong
    broken_org = base[:16] + ("6" if base[16] != "6" else "7")
    with pytest.raises(UsccError, match="第9至17位（组织机构代码）“50001979-6”的校验码不正确"):
        validate_code(_with_check(broken_org))
    # position 18: the final check character
    with pytest.raises(UsccError, match="第18位校验位不正确"):
        validate_code(base + "B")


@pytest.mark.parametrize("department,kind", [("1", "2"), ("3", "1"), ("9", "1"), ("9", "2"), ("Y", "1"),
                                             ("N", "2")])
def test_every_allowed_authority_and_kind_pair_passes_the_general_check(department, kind):
    code = make_uscc(kind, "440100", 12345678, department=department)
    assert validate_code(code) == code


def test_a_valid_code_of_another_authority_is_refused_for_a_social_organization_naming_it():
    code = make_uscc("1", "440100", 12345678, department="9")  # an enterprise (工商)
    assert validate_code(code) == code
    with pytest.raises(UsccError, match="由工商部门登记.*第1位应为5"):
        parse_uscc(code)
