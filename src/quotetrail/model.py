"""The domain shared by every stage: plain dataclasses, nothing else.

The article owns its text; everything found in it (tokens, sentences,
quotations, time expressions) points into that text with ``(start, end)``
character offsets, as spaCy's Doc does.  Highlighting, the audit trail and the
mapping onto a gold corpus's tokens then come for free, and no copy of a
quotation can drift from its source.

Values are frozen and slotted so a stage cannot change what an earlier stage
decided; the pipeline builds new values instead (``dataclasses.replace``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Literal

from .messages import Message

#: The quotation types of the WikiNews / GermEval 2023 annotation scheme,
#: spelled exactly as the corpus spells them.
QUOTATION_TYPES: tuple[str, ...] = (
    "Direct",
    "Indirect",
    "FreeIndirect",
    "IndirectFreeIndirect",
    "Reported",
)
QuotationType = Literal["Direct", "Indirect", "FreeIndirect", "IndirectFreeIndirect", "Reported"]

#: Date granularities, coarsest first.  A date is kept as an ISO string whose
#: length *is* its granularity: ``2024``, ``2024-05`` or ``2024-05-22``.
GRANULARITIES: tuple[str, ...] = ("year", "month", "day")


def granularity_of(iso: str | None) -> str | None:
    """Return ``year``/``month``/``day`` for an ISO date string, ``None`` for ``None``.

    Why: granularity is carried by the string itself so that it can never
    disagree with the value (a month-only date cannot pretend to be a day).
    """
    if iso is None:
        return None
    return {4: "year", 7: "month", 10: "day"}.get(len(iso))


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` into ``Article.text``."""

    start: int
    end: int

    def text(self, text: str) -> str:
        """The covered text of ``text`` (the article's text)."""
        return text[self.start : self.end]

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Removed:
    """A piece of the raw input dropped while cleaning, kept so a user can audit it."""

    text: str
    reason: str  # e.g. "consent", "photo-credit", "duplicate-caption", "byline", "dateline"


@dataclass(frozen=True, slots=True)
class Article:
    """One news article after ingest and cleaning.

    ``text`` is the cleaned article text (title line excluded); every offset
    elsewhere points into it.  ``published`` is an ISO date at its true
    granularity or ``None`` when nothing dates the article.
    """

    id: str  # stable content hash of (text, title), see ingest.article_id
    source: str  # file path (or path#line / path#member) or URL it came from
    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    agency: str | None = None  # "dpa", "AFP", "Reuters"... ("AFP/red" kept verbatim in byline)
    byline: str | None = None  # the raw byline as printed, e.g. "svs/Reuters"
    dateline: str | None = None  # e.g. "Brüssel"
    author: str | None = None
    published: str | None = None  # "2024", "2024-05" or "2024-05-22"
    published_source: str | None = None  # header, html, json, filename, sidecar
    language: str | None = None  # ISO 639-1 code detected from the text
    removed: tuple[Removed, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()  # other metadata as (key, value) pairs

    @property
    def is_german(self) -> bool:
        """False only when a language was detected and it is not German."""
        return self.language in (None, "de")


@dataclass(frozen=True, slots=True)
class Token:
    """One token with its offsets, part of speech (STTS via HanTa) and lemma."""

    start: int
    end: int
    text: str
    pos: str = ""  # STTS tag, e.g. "VV(FIN)", "NE", "$,"
    lemma: str = ""
    subjunctive: bool = False  # finite verb form read as Konjunktiv I


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as a token range ``[first, last)`` plus its character span."""

    start: int
    end: int
    first: int  # index of its first token in Doc.tokens
    last: int  # one past its last token
    paragraph: int = 0


@dataclass(frozen=True, slots=True)
class Doc:
    """An article with its linguistic analysis: what the extractors read."""

    article: Article
    tokens: tuple[Token, ...]
    sentences: tuple[Sentence, ...]
    paragraphs: tuple[Span, ...] = ()

    @property
    def text(self) -> str:
        return self.article.text

    def sentence_tokens(self, sentence: Sentence) -> tuple[Token, ...]:
        return self.tokens[sentence.first : sentence.last]


@dataclass(frozen=True, slots=True)
class DateMention:
    """A time expression found in the text, normalised the TimeML way.

    ``value`` is a TimeML value (``2024-05-22``, ``2024-W21``, ``PAST_REF``,
    ``P3Y``...); ``None`` when the expression could not be resolved (for
    instance a weekday against a year-only creation time).
    """

    start: int
    end: int
    text: str
    type: str  # DATE, TIME, DURATION, SET
    value: str | None
    needs_dct: bool = False  # resolved relative to the document creation time


@dataclass(frozen=True, slots=True)
class Quotation:
    """One quotation: what was said, by whom, to whom, with which cue, and when.

    All spans point into ``Article.text``.  A quote may have several spans (a
    direct quote split by an inserted frame).  ``speaker`` is the resolved
    canonical name; ``speaker_mention`` the words in the text that name the
    speaker (possibly a pronoun in another sentence).
    """

    article_id: str
    type: str  # one of QUOTATION_TYPES
    spans: tuple[Span, ...]
    cue: tuple[Span, ...] = ()
    speaker_mention: tuple[Span, ...] = ()
    frame: tuple[Span, ...] = ()
    addressee: tuple[Span, ...] = ()
    medium: str | None = None  # Speech, Thought, Writing, ST, SW, TW or None
    speaker: str | None = None  # canonical name after resolution
    speaker_role: str | None = None
    said_on: str | None = None  # ISO date at its granularity or None
    said_on_text: str | None = None  # the expression that justified said_on
    claim_id: str | None = None
    #: How sure the quote tagger is that these words are a quotation (0–1): the mean, over its words, of the
    #: tagger's probability that a word is quoted (the encoder's quote head, or the CRF's marginals).  None
    #: when no tagger read it (a quotation added by hand, or the rules alone without models).
    quote_confidence: float | None = None
    #: How sure the speaker stage is of ``speaker`` (0–1; None when there is no speaker): an explicit
    #: name in the cue clause is near 1, a pronoun or a speaker carried over from another quotation lower.
    speaker_confidence: float | None = None

    @property
    def id(self) -> str:
        """Stable id from the article and the quote's spans: re-extraction keeps it."""
        key = self.article_id + "|" + ";".join(f"{s.start}-{s.end}" for s in sorted(self.spans, key=lambda s: s.start))
        return hashlib.sha1(key.encode()).hexdigest()[:16]

    @property
    def start(self) -> int:
        return min(s.start for s in self.spans)

    @property
    def end(self) -> int:
        return max(s.end for s in self.spans)

    def text(self, article_text: str) -> str:
        """The quoted words, spans joined by `` … `` where a frame interrupts them."""
        return " … ".join(article_text[s.start : s.end] for s in sorted(self.spans, key=lambda s: s.start))


@dataclass(frozen=True, slots=True)
class RoleSeen:
    """A role or affiliation a speaker was given, and when it was seen."""

    role: str
    first_seen: str | None = None
    last_seen: str | None = None


@dataclass(frozen=True, slots=True)
class Speaker:
    """One person, organisation or medium that says things, across articles."""

    id: str
    name: str  # canonical name, e.g. "Jens Stoltenberg"
    kind: str = "person"  # person, organisation, media, unknown
    variants: tuple[str, ...] = ()
    roles: tuple[RoleSeen, ...] = ()
    quotation_count: int = 0


@dataclass(frozen=True, slots=True)
class Claim:
    """A proposition restated across quotations, articles and years."""

    id: str
    text: str  # canonical text: its most representative quotation
    quotation_ids: tuple[str, ...] = ()
    first_said: str | None = None
    last_said: str | None = None
    speakers: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    reports: int = 0
    statements: int = 0  # independent articles reporting it: syndicated copies of one story count once


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that went wrong with one input; the run goes on with the rest.

    ``error`` is the exception's type where one was raised (empty for input
    the readers refused on purpose).  ``fingerprint`` names the *kind* of
    failure, not the file: the same bug hit by a thousand articles has one
    fingerprint, so a user (or a bug report) can group them.  It is stable
    across runs and machines: it hashes the stage, the exception type and
    the innermost quotetrail function that raised, or, without an exception,
    the reason with its numbers blanked.

    ``reason`` is the English line that is stored and printed; ``message``,
    when the reader wrote its reason as a ``Message``, is the same line with
    its German, for the upload page.  It is not stored: a problem read back
    from the ledger has its English reason only.
    """

    path: str
    stage: str  # read, decode, parse, clean, extract, store...
    reason: str
    error: str = ""
    fingerprint: str = ""
    message: Message | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, path: str, stage: str, message: Message, error: str = "", fingerprint: str = "") -> Problem:
        """A problem whose reason is ``message`` (stored in English, shown in German on a page)."""
        return cls(path, stage, str(message), error, fingerprint, message)

    def german_reason(self) -> str:
        """The reason in German where the reader wrote it as a ``Message``, else the English one."""
        return self.message.german() if self.message is not None else self.reason

    def __post_init__(self) -> None:
        if not self.fingerprint:
            basis = f"{self.stage}|{self.error}|{re.sub(r'[0-9]+', '#', self.reason)}"
            object.__setattr__(self, "fingerprint", hashlib.sha1(basis.encode("utf-8", "replace")).hexdigest()[:12])

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class InputError(Exception):
    """Raised by a reader for input it cannot use; carries the file and the reason.

    ``reason`` is a ``Message`` where the reader wrote one (``.reason`` is then
    its English text and ``.message`` the Message), so the problem it becomes
    can be shown in German.
    """

    def __init__(self, path: str, reason: str | Message, stage: str = "read") -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = str(reason)
        self.message = reason if isinstance(reason, Message) else None
        self.stage = stage

    def problem(self) -> Problem:
        return Problem(self.path, self.stage, self.reason, message=self.message)


@dataclass(frozen=True, slots=True)
class Extraction:
    """What extraction found in one article: the pure result of ``pipeline.extract``."""

    article: Article
    quotations: tuple[Quotation, ...] = ()
    dates: tuple[DateMention, ...] = ()
    mentions: tuple[SpeakerMention, ...] = ()


@dataclass(frozen=True, slots=True)
class SpeakerMention:
    """A name, role noun or pronoun in an article, resolved to a canonical speaker.

    Produced by the speaker stage; the store merges mentions of the same
    canonical name across articles into one ``Speaker``.
    """

    start: int
    end: int
    text: str
    name: str  # canonical name within the article, e.g. "Jens Stoltenberg"
    kind: str = "person"
    role: str | None = None  # e.g. "NATO-Generalsekretär"


#: Export and API field names, in this order (README "Export schema").
EXPORT_FIELDS: tuple[str, ...] = (
    "article_id",
    "source",
    "title",
    "outlet",
    "agency",
    "published",
    "type",
    "text",
    "speaker",
    "speaker_mention",
    "speaker_role",
    "cue",
    "addressee",
    "said_on",
    "said_on_text",
    "start",
    "end",
    "claim_id",
    "quotation_id",
    "speaker_confidence",
    "corrected",
    "extractor_version",
    "quote_confidence",
)


#: The article fields that exports (``export --articles``) and Spark outputs carry, in this order.
ARTICLE_FIELDS: tuple[str, ...] = (
    "id",
    "source",
    "text",
    "title",
    "url",
    "outlet",
    "agency",
    "byline",
    "dateline",
    "author",
    "published",
    "published_source",
    "language",
)


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One quotation joined with its article's metadata: the row of exports, the API and timelines.

    Text fields hold the covered text of the spans (``speaker_mention``,
    ``cue``, ``addressee``; several spans joined by `` … ``).
    """

    article_id: str
    source: str
    title: str | None
    outlet: str | None
    agency: str | None
    published: str | None
    type: str
    text: str
    speaker: str | None
    speaker_mention: str | None
    speaker_role: str | None
    cue: str | None
    addressee: str | None
    said_on: str | None
    said_on_text: str | None
    start: int
    end: int
    claim_id: str | None
    quotation_id: str = ""  # not exported; links API rows to their quotation
    speaker_confidence: float | None = None  # how sure the speaker is (see Quotation)
    corrected: bool = False  # a person corrected the row (quotetrail correct; see docs/corrections.md)
    extractor_version: str | None = None  # quotetrail's version + the model files' short hashes (provenance.py)
    quote_confidence: float | None = None  # how sure the tagger is that this is a quotation (see Quotation)

    def export_dict(self) -> dict[str, object]:
        """The row as a dict with exactly EXPORT_FIELDS, in order."""
        return {name: getattr(self, name) for name in EXPORT_FIELDS}


__all__ = [
    "ARTICLE_FIELDS",
    "EXPORT_FIELDS",
    "GRANULARITIES",
    "QUOTATION_TYPES",
    "Article",
    "Claim",
    "DateMention",
    "Doc",
    "Extraction",
    "InputError",
    "LedgerRow",
    "Problem",
    "Quotation",
    "Removed",
    "RoleSeen",
    "Sentence",
    "Span",
    "Speaker",
    "SpeakerMention",
    "Token",
    "granularity_of",
]
