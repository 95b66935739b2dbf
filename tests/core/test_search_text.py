"""Chinese text cut into the words the public index holds (grantportal/core/search_text.py)."""
import pytest

from grantportal.core.search_text import MAX_QUERY_TERMS, SearchQuery, index_terms

pytestmark = pytest.mark.nodb


def test_chinese_is_indexed_as_characters_and_pairs_and_latin_as_words():
    words = index_terms("中山市养老", "ABC社工 5244 2000").split()
    assert {"养", "老", "养老", "市养", "中山"} <= set(words)
    assert {"abc", "社工", "5244", "2000"} <= set(words)
    assert len(words) == len(set(words))  # each word once


def test_a_query_needs_every_pair_of_what_was_typed():
    assert SearchQuery("养老").terms == ["养老"]
    assert SearchQuery("养老服务").terms == ["养老", "老服", "服务"]
    assert SearchQuery("老").terms == ["老"]
    query = SearchQuery("ＡＢＣ社工 524420000012")  # full-width letters typed on a phone
    assert query.terms == ["社工"] and query.prefixes == ["abc", "524420000012"]
    assert query.fts5() == '"社工" AND "abc"* AND "524420000012"*'
    assert query.tsquery() == "社工 & abc:* & 524420000012:*"
    assert SearchQuery("2025 52442000").terms == ["2025", "52442000"]  # short numbers: whole words only


@pytest.mark.parametrize("typed", ["🙂🙂", "!!!", "\x00\x07", "——", "　"])
def test_nothing_searchable_is_said_in_words(typed):
    query = SearchQuery(typed)
    assert not query
    assert (query.problem is None) == (typed.strip() == "")  # a blank box is just an empty search
    if query.problem:
        assert "请输入中文、字母或数字" in query.problem


def test_control_characters_and_emoji_around_words_are_dropped():
    query = SearchQuery("养\x00老🙂")
    assert query.terms == ["养老"] and query.problem is None


def test_a_pasted_paragraph_is_cut_to_its_first_words():
    query = SearchQuery("社区养老服务" * 200)
    assert query.shortened and len(query.terms) + len(query.prefixes) <= MAX_QUERY_TERMS


def test_a_code_alone_is_searched_as_a_code():
    assert SearchQuery(" 52442000MJ1234567X ").code_prefix == "52442000mj1234567x"
    assert SearchQuery("524420000012").code_prefix == "524420000012"
    assert SearchQuery("524420000012 养老").code_prefix is None
    assert SearchQuery("abc12345678901").code_prefix is None
