"""The faster HanTa word analysis must give exactly HanTa's results: tags, scores, morphemes, lemmas.

Both ways it runs are checked: with the compiled searches (``quotetrail._morphsearch``,
built at install time where a C compiler is found) and with the Python ones.
"""

from __future__ import annotations

import re
import shutil
import sysconfig

import pytest
from HanTa.HanoverTagger import HanoverTagger
from tests.conftest import EXAMPLES

from quotetrail.morphology import FastHanoverTagger

#: Hard cases: long compounds, hyphenated forms, names, numbers, short words, Konjunktiv I.
_HARD = [
    "menschenrechtskatastrophe",
    "nato-generalsekretär",
    "us-datenschutzgesetze",
    "dreieinhalbjährigen",
    "58-jährige",
    "szijjártó",
    "stoltenberg",
    "94,5",
    "ab",
    "xq",
    "habe",
    "sei",
    "bekräftigte",
    "bodentruppen",
]


@pytest.fixture(scope="module")
def hanta() -> HanoverTagger:
    return HanoverTagger("morphmodel_ger.pgz")


@pytest.fixture(scope="module", params=["compiled", "python"])
def taggers(request: pytest.FixtureRequest, hanta: HanoverTagger) -> tuple[HanoverTagger, FastHanoverTagger]:
    fast = FastHanoverTagger("morphmodel_ger.pgz")
    if request.param == "python":
        fast._compiled = fast._compiled_sentences = None
    elif fast._compiled is None:
        pytest.skip("quotetrail._morphsearch was not built (no C compiler at install time)")
    return hanta, fast


def test_the_compiled_searches_are_built_where_a_c_compiler_is() -> None:
    """The install builds them wherever it can; a silent fallback would make ingest several times slower."""
    if not shutil.which((sysconfig.get_config_var("CC") or "cc").split()[0]):
        pytest.skip("no C compiler here")
    fast = FastHanoverTagger("morphmodel_ger.pgz")
    assert fast._compiled is not None and fast._compiled_sentences is not None


@pytest.fixture(scope="module")
def words(hanta: HanoverTagger) -> list[str]:
    """The word forms of the demo articles that HanTa has not analysed before (the slow case), and hard ones."""
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt")))
    forms = sorted({w.lower() for w in re.findall(r"\w[\w,-]*\w|\w", text)} - set(hanta.cache))
    return forms[:300] + _HARD


def test_forward_analysis_is_identical(taggers: tuple[HanoverTagger, FastHanoverTagger], words: list[str]) -> None:
    slow, fast = taggers
    assert len(words) > 100
    for word in words:
        assert fast.analyze_forward(word) == slow.analyze_forward(word), word


def test_morpheme_paths_are_identical_for_every_likely_tag(
    taggers: tuple[HanoverTagger, FastHanoverTagger], words: list[str]
) -> None:
    slow, fast = taggers
    for word in words:
        for tag, _ in slow.analyze_forward(word)[:3]:
            assert fast.analyze_viterbi(word, -tag) == slow.analyze_viterbi(word, -tag), (word, tag)


def test_tagged_sentences_are_identical(taggers: tuple[HanoverTagger, FastHanoverTagger]) -> None:
    slow, fast = taggers
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt")))
    # words and punctuation apart, as analyse gives them, and in both cases
    sentences = [re.findall(r"\w+|[^\w\s]", s) for s in re.split(r"(?<=[.!?])\s+", text)]
    assert len(sentences) > 100
    for words in filter(None, sentences):
        assert fast.tag_sent(words, taglevel=3) == slow.tag_sent(words, taglevel=3)
        assert fast.tag_sent(words, taglevel=1) == slow.tag_sent(words, taglevel=1)  # lemmas (makelemma)
        assert fast.tag_sent_viterbi(words, casesensitive=False) == slow.tag_sent_viterbi(words, casesensitive=False)


def test_compiled_search_tables_are_cell_for_cell_the_python_ones(words: list[str]) -> None:
    """Same states, scores, back-pointers, and the same order of states in every row (it decides ties)."""
    fast = FastHanoverTagger("morphmodel_ger.pgz")
    if fast._compiled is None:
        pytest.skip("quotetrail._morphsearch was not built (no C compiler at install time)")
    for word in words:
        for strict, targetpos in ((fast.strict, None), (True, -11), (False, -11)):
            compiled = fast._compiled.search(word, strict, targetpos)
            table, back = fast._search(word, strict, targetpos)
            assert compiled == (table, back), (word, strict, targetpos)
            assert [list(row) for row in compiled[0]] == [list(row) for row in table], word
