"""German stemming for full-text search: index and query are stemmed the same way.

SQLite's FTS5 has no German stemmer; simplemma's German lemmatiser (MIT)
maps inflected forms to one lemma ("Truppen" → "truppe", "entsandt" →
"entsenden"), which is what a searcher expects.
"""

from __future__ import annotations

import re
from functools import lru_cache

import simplemma

_WORD = re.compile(r"\w+", re.UNICODE)
#: A character the index keeps: FTS5's unicode61 and the PostgreSQL tokens split on ``_`` as on spaces.
_INDEXED = re.compile(r"[^\W_]", re.UNICODE)


def query_words(query: str) -> list[str]:
    """The words of a search query that can match anything: ``_`` alone is no word to the index.

    Both dialects build their query from these, so ``Truppen _`` finds what
    ``Truppen`` finds on SQLite and PostgreSQL alike (it found nothing on
    SQLite and was an invalid tsquery on PostgreSQL).
    """
    words = [w for w in _WORD.findall(query) if _INDEXED.search(w)]
    if not words:
        raise ValueError("empty search query: give at least one word")
    return words


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Lower-cased German lemma of one word."""
    return simplemma.lemmatize(word, lang="de").lower()


def stem_text(text: str) -> str:
    """The stemmed copy of a text that goes into the FTS index."""
    return " ".join(stem(w) for w in _WORD.findall(text))


def fts_query(query: str) -> str:
    """An FTS5 MATCH expression: every word must occur, as written or by its lemma.

    User input never reaches FTS syntax raw: each word is quoted, so
    ``"``, ``*``, ``NEAR`` or ``-`` in a query cannot raise a syntax error.
    """
    parts = []
    for word in query_words(query):
        lemma = stem(word)
        parts.append(f'("{word.lower()}"* OR stems:"{lemma}")')
    return " AND ".join(parts)
