"""The pipeline's contract: stage order is checked, extraction is pure, non-German text is skipped."""

from __future__ import annotations

import pytest

from quotetrail.model import Article
from quotetrail.pipeline import STAGES, Stage, check_stages, extract


def test_stage_order_is_checked() -> None:
    reordered = (STAGES[1], STAGES[0], *STAGES[2:])
    with pytest.raises(ValueError, match="speakers"):
        check_stages(reordered)


def test_unknown_requirement_is_reported() -> None:
    bogus = Stage("claims", lambda state: None, ("embeddings",), ())
    with pytest.raises(ValueError, match="embeddings"):
        check_stages((*STAGES, bogus))


def test_extract_is_a_pure_function_of_the_article() -> None:
    article = Article(
        id="a1",
        source="t.txt",
        text="„Wir haben keine Pläne, Truppen zu schicken“, sagte Stoltenberg am Mittwoch.",
        published="2024-05",
        language="de",
    )
    first = extract(article)
    second = extract(article)
    assert first == second
    assert first.article is article
    assert all(q.article_id == "a1" for q in first.quotations)


def test_non_german_article_is_stored_but_not_analysed() -> None:
    article = Article(
        id="en1",
        source="en.txt",
        text='"We have no plans to send troops," Stoltenberg said on Wednesday.',
        language="en",
    )
    result = extract(article)
    assert result.article is article
    assert result.quotations == ()
    assert result.dates == ()
