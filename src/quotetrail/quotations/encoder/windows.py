"""What the encoder reads and what its labels mean, shared by training and tagging (no torch here).

An article is cut into sentences (the pipeline's own splitter), the sentences
into vocabulary pieces, and runs of sentences packed into windows of at most
``MAX_PIECES`` pieces.  The quote head labels every piece of a window
(``B-``/``I-`` a quotation of a type, ``C-`` the first piece of a further span
of the quotation before, as when a frame interrupts a direct quote).  The role
head reads a crop of the window around one quotation, whose pieces carry a
marker, and says for each piece whether it is that quotation's speaker, cue,
frame or addressee.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ...analyse import find_paragraphs, split_sentences
from ...model import QUOTATION_TYPES, Span
from .tokenizer import Piece, Tokenizer

MAX_PIECES = 254  # plus <s> and </s>
QUOTE_LABELS: tuple[str, ...] = ("O", *(f"{p}-{t}" for t in QUOTATION_TYPES for p in ("B", "I", "C")))
ROLES: tuple[str, ...] = ("speaker", "cue", "frame", "addressee")
ROLE_BEFORE = 2  # sentences before the quotation's first one that its roles may sit in
ROLE_AFTER = 1


@dataclass(frozen=True)
class Window:
    """Consecutive sentences read together: their indexes and their pieces."""

    sentences: tuple[int, ...]
    pieces: tuple[Piece, ...]
    sentence_of_piece: tuple[int, ...]  # sentence index of each piece

    @cached_property
    def starts(self) -> np.ndarray:
        """Start offsets of the pieces, for ``pieces_in``."""
        return np.fromiter((p.start for p in self.pieces), np.int64, len(self.pieces))


def sentence_spans(text: str) -> list[Span]:
    """The article's sentences, as the pipeline's analysis splits them (paragraphs, then sentences)."""
    return [s for p in find_paragraphs(text) for s in split_sentences(text, p)]


def sentence_pieces(tokenizer: Tokenizer, text: str, sentences: list[Span]) -> list[list[Piece]]:
    """Each sentence's pieces (a sentence longer than a window is cut to ``MAX_PIECES``)."""
    return [tokenizer.pieces(text[s.start : s.end], s.start)[:MAX_PIECES] for s in sentences]


def pack_windows(pieces: list[list[Piece]], keep: list[bool] | None = None) -> list[Window]:
    """Pack consecutive kept sentences into windows of at most ``MAX_PIECES`` pieces.

    A sentence not kept ends the window (the text around it is not continuous).
    """
    windows: list[Window] = []
    current: list[int] = []
    size = 0

    def close() -> None:
        if current:
            flat = tuple(p for i in current for p in pieces[i])
            owner = tuple(i for i in current for _ in pieces[i])
            windows.append(Window(tuple(current), flat, owner))

    for i, sentence in enumerate(pieces):
        if keep is not None and not keep[i]:
            close()
            current, size = [], 0
            continue
        if current and size + len(sentence) > MAX_PIECES:
            close()
            current, size = [], 0
        current.append(i)
        size += len(sentence)
    close()
    return windows


_QUOTE_MARK = re.compile(r"[\"„“”«»‚‘’›‹]")
_CANDIDATE_WORDS = re.compile(
    r"\b(laut|zufolge|demnach|angaben|angeblich|umfrage|berichte\w*|bericht|meldung|heißt|hieß|wie|"
    r"sei|seien|habe|werde|könne|müsse|solle|wolle|dürfe|gebe|liege|stehe|gehe|komme|wisse|"
    r"\w*(sag|erklär|beton|mein|bericht|teilt|kritisier|fordert|warnt|räumt|bestätig|kündig|"
    r"schreib|schrieb|sprach|spricht|glaub|hofft|zeigt|erwart|ließ|lässt|wirft|warf|verweis|"
    r"äußer|antwort|erzähl|behaupt|versich|bekräftig|unterstrich|ergänz|fügt|hinzu|zitier|"
    r"forder|appellier|beklag|bezeichn|befürcht|vermut|ankündig|dementier|einräum|entschlossen|vor\b))",
    re.IGNORECASE,
)


def candidate_sentences(text: str, sentences: list[Span], neighbours: int = 1) -> list[bool]:
    """Sentences where a quotation or its roles can be: a quote mark, a cue, a source word or Konjunktiv I, ±neighbours.

    Why: the encoder is the slow part of extraction; a sentence with none of
    these (and not next to one) holds no quotation in the train split often
    enough to be worth reading (see docs/accuracy.md for the recall).
    """
    hit = [
        bool(_QUOTE_MARK.search(text, s.start, s.end) or _CANDIDATE_WORDS.search(text[s.start : s.end]))
        for s in sentences
    ]
    keep = list(hit)
    for i, h in enumerate(hit):
        if h:
            for j in range(max(0, i - neighbours), min(len(hit), i + neighbours + 1)):
                keep[j] = True
    return keep


def piece_in(piece: Piece, spans: tuple[Span, ...] | list[Span]) -> bool:
    """Whether the piece starts inside one of ``spans`` (a piece of a word straddling an edge goes by its start)."""
    return any(s.start <= piece.start < s.end for s in spans)


def quote_labels(window: Window, quotations: list[tuple[str, tuple[Span, ...]]]) -> list[int]:
    """Gold quote-head labels for the window's pieces from (type, spans) quotations.

    Longer quotations are labelled first: a direct quote nested in an indirect
    one stays with the outer (the rules add nested direct quotes back).
    """
    labels = [0] * len(window.pieces)
    index = {label: i for i, label in enumerate(QUOTE_LABELS)}
    order = sorted(quotations, key=lambda q: -sum(len(s) for s in q[1]))
    for qtype, spans in order:
        taken = False
        for k, span in enumerate(sorted(spans, key=lambda s: s.start)):
            inside = [i for i, p in enumerate(window.pieces) if span.start <= p.start < span.end]
            if not inside or any(labels[i] for i in inside):
                continue
            labels[inside[0]] = index[f"{'C' if k and taken else 'B'}-{qtype}"]
            for i in inside[1:]:
                labels[i] = index[f"I-{qtype}"]
            taken = True
    return labels


def pieces_in(window: Window, spans: tuple[Span, ...] | list[Span]) -> np.ndarray:
    """``piece_in`` for every piece of the window at once, as a boolean array.

    Why: the tagger asks this for every quotation over windows of up to 254
    pieces; piece by piece in Python it was 3 % of the encoder mode's time.
    """
    inside = np.zeros(len(window.pieces), bool)
    for span in spans:
        inside |= (window.starts >= span.start) & (window.starts < span.end)
    return inside


def role_crop(window: Window, quote_spans: tuple[Span, ...]) -> tuple[int, int] | None:
    """The ``[first, last)`` piece range of the window that the role head reads for a quotation.

    From ``ROLE_BEFORE`` sentences before the quotation's first sentence to
    ``ROLE_AFTER`` after its last, within the window.  ``None`` when the
    quotation has no piece in the window.
    """
    inside = np.flatnonzero(pieces_in(window, quote_spans))
    if not len(inside):
        return None
    first_sentence = window.sentence_of_piece[inside[0]] - ROLE_BEFORE
    last_sentence = window.sentence_of_piece[inside[-1]] + ROLE_AFTER
    idx = [i for i, s in enumerate(window.sentence_of_piece) if first_sentence <= s <= last_sentence]
    return idx[0], idx[-1] + 1
