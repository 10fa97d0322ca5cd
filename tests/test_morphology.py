"""The faster HanTa word analysis must give exactly HanTa's results: tags, scores, morphemes, lemmas."""

from __future__ import annotations

import re

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
def taggers() -> tuple[HanoverTagger, FastHanoverTagger]:
    return HanoverTagger("morphmodel_ger.pgz"), FastHanoverTagger("morphmodel_ger.pgz")


@pytest.fixture(scope="module")
def words(taggers: tuple[HanoverTagger, FastHanoverTagger]) -> list[str]:
    """The word forms of the demo articles that HanTa has not analysed before (the slow case), and hard ones."""
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt")))
    forms = sorted({w.lower() for w in re.findall(r"\w[\w,-]*\w|\w", text)} - set(taggers[0].cache))
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
    text = (EXAMPLES / sorted(p.name for p in EXAMPLES.glob("*.txt"))[0]).read_text(encoding="utf-8")
    sentences = [s.split() for s in re.split(r"(?<=[.!?])\s+", text) if s.split()][:40]
    for words in sentences:
        assert fast.tag_sent(words, taglevel=3) == slow.tag_sent(words, taglevel=3)
