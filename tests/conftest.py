"""Shared fixtures: where the demo corpus lives, and a helper to build articles from German text."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotetrail.analyse import analyse
from quotetrail.model import Article, Doc

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CORPORA = ROOT.parent / "shared" / "corpora"


def make_doc(text: str, published: str | None = "2024-05-22") -> Doc:
    """An analysed article from a German text of our own."""
    return analyse(Article(id="t", source="test.txt", text=text, published=published, language="de"))


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES
