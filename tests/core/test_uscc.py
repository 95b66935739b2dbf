import pytest
from hypothesis import given
from hypothesis import strategies as st

from grantportal.core.uscc import ALPHABET, UsccError, check_character, make_uscc, parse_uscc

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
    ("９３１０００００５０００１９７９５Ａ", "不允许的字符"),
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
