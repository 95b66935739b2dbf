"""Chinese text made searchable by an ordinary full-text index (pure functions, no database).

Chinese is written without spaces, so the words 养老, 助残 or 社区 cannot be told apart by a tokenizer that
splits on spaces, and a dictionary segmenter misses names it has not seen (机构名称, 项目名称 are mostly
such names). Instead every run of Chinese characters is indexed as its single characters and its
overlapping pairs (the bigram scheme of Lucene's CJKAnalyzer): 中山市养老 → 中 山 市 养 老 中山 山市 市养 养老.
A query is cut the same way into pairs (one character stays one): 养老服务 → 养老 AND 老服 AND 服务, which
finds every text holding those pairs; the pages that show results need no more precision than that.
Latin letters and digits are indexed as whole lowercase words and matched as prefixes, so a code typed
in part (the first 12 or more characters) or a name such as ABC社工 is found. A number shorter than twelve
characters matches whole words only: every code of a city starts with the same eight characters (52442000…),
and a prefix that most codes share makes the index visit each of them (at 1,000,000 organizations, 10× the
floor on SQLite and 116× on PostgreSQL for a prefix shared by 100,000 codes, measured).

Both databases then index the same words with their own full-text index (SQLite FTS5 with the unicode61
tokenizer, PostgreSQL ``to_tsvector('simple', …)`` with a GIN index), which finds them without reading
every row; ``LIKE '%养老%'`` reads every row.
"""
import re
import unicodedata

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[0-9A-Za-z]+")
MIN_NUMBER_PREFIX = 12  # shorter numbers match whole words: a city's codes share their first 8 characters
MAX_QUERY_TERMS = 12  # a pasted paragraph is cut to its first words, not refused
MAX_QUERY_CHARS = 60


def _normalized(text):
    """Full-width letters and digits (ＡＢＣ１２３) as half-width, lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def index_terms(*texts):
    """The words to index for ``texts``: Chinese characters and character pairs, Latin and digit words."""
    terms = []
    for text in texts:
        for run in _RUN.findall(_normalized(text)):
            if run[0].isascii():
                terms.append(run)
                continue
            terms.extend(run)
            terms.extend(run[i:i + 2] for i in range(len(run) - 1))
    return " ".join(dict.fromkeys(terms))


class SearchQuery:
    """What a visitor typed, cut into the words the index holds. ``terms`` are matched exactly, ``prefixes``
    (Latin and digit words) as the start of a word. ``problem`` says in words why nothing can be searched
    (only punctuation, emoji or control characters were typed); ``shortened`` that only the start of a long
    text was used."""

    def __init__(self, text):
        self.text = (text or "").strip()
        visible = "".join(ch for ch in self.text if unicodedata.category(ch)[0] != "C")
        cleaned = visible[:MAX_QUERY_CHARS]
        self.terms, self.prefixes = [], []
        for run in _RUN.findall(_normalized(cleaned)):
            if run[0].isdigit() and len(run) < MIN_NUMBER_PREFIX:
                self.terms.append(run)  # a year, a short number; matching it as a prefix would visit every code
            elif run[0].isascii():
                self.prefixes.append(run)
            elif len(run) == 1:
                self.terms.append(run)
            else:
                self.terms.extend(run[i:i + 2] for i in range(len(run) - 1))
        self.terms = list(dict.fromkeys(self.terms))
        self.prefixes = list(dict.fromkeys(self.prefixes))
        words = len(self.terms) + len(self.prefixes)
        self.shortened = words > MAX_QUERY_TERMS or len(visible) > MAX_QUERY_CHARS
        self.terms = self.terms[:MAX_QUERY_TERMS]
        self.prefixes = self.prefixes[:max(0, MAX_QUERY_TERMS - len(self.terms))]
        # a code typed in part (or whole): the public index reads the codes' own index for it
        alone = self.prefixes[0] if not self.terms and len(self.prefixes) == 1 else ""
        self.code_prefix = alone if alone[:1].isdigit() and len(alone) <= 18 else None
        self.problem = None
        if self.text and not (self.terms or self.prefixes):
            self.problem = "未能识别搜索词：请输入中文、字母或数字，例如“养老”“社区”或统一社会信用代码。"

    def __bool__(self):
        return bool(self.terms or self.prefixes)

    def fts5(self):
        """The query in SQLite FTS5 syntax (every word is letters or digits only, so quoting is safe)."""
        return " AND ".join([f'"{t}"' for t in self.terms] + [f'"{p}"*' for p in self.prefixes])

    def tsquery(self):
        """The query in PostgreSQL ``to_tsquery('simple', …)`` syntax."""
        return " & ".join(self.terms + [f"{p}:*" for p in self.prefixes])
