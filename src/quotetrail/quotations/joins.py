"""Quotations a tagger gave in pieces, joined as wikinews-quotes (and a reader) takes them.

Both taggers, the CRF path and the encoder, read a quotation that runs across a
source frame ("… | laut X | …") or over several sentences of free indirect
speech as several quotations.  These rules join such neighbours in text order
(``join_consecutive``); each says on which train-split counts it rests.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import replace

from ..model import Doc, Quotation, Span
from .rules import attach_following_frame, frame_cues, is_cue_verb


def join_consecutive(
    quotations: list[Quotation], join: Callable[[Quotation, Quotation], Quotation | None]
) -> list[Quotation]:
    """``quotations`` in text order, each merged into the one before it where ``join(before, q)`` gives the
    merged quotation (which may be merged again with the next)."""
    out: list[Quotation] = []
    for q in sorted(quotations, key=lambda q: q.start):
        joined = join(out[-1], q) if out else None
        if joined is None:
            out.append(q)
        else:
            out[-1] = joined
    return out


def same_sentence(doc: Doc, sentence_starts: list[int], a: int, b: int) -> bool:
    """Whether offsets ``a`` and ``b`` lie in one sentence (``sentence_starts`` in text order)."""
    k = bisect.bisect_right(sentence_starts, a) - 1
    return k >= 0 and b < doc.sentences[k].end


#: A gap between two quotations this long or longer is more than a source frame.
_FRAME_GAP_WORDS = 8


def _outermost(spans: list[Span]) -> tuple[Span, ...]:
    """``spans`` in text order, each once, without those inside another."""
    spans = sorted(set(spans), key=lambda s: (s.start, -s.end))
    out: list[Span] = []
    for s in spans:
        if not out or s.end > out[-1].end:
            out.append(s)
    return tuple(out)


def join_split_by_source_frame(doc: Doc, quotations: list[Quotation]) -> list[Quotation]:
    """Two indirect quotations of one sentence with only a source frame between them are one quotation.

    "Am vergangenen Samstag starben | behördlichen Angaben zufolge | beim Absturz zwölf Menschen": both
    taggers open a new quotation after the frame.  In the wikinews-quotes train split, 132 gold quotations
    run on across a source frame in their sentence this way, against about 8 pairs of gold quotations of
    one sentence with only a source frame between them (mostly a reported act beside the clause it
    reports: "Heute bestätigte X | laut Reuters, | dass …").  Their roles are joined.
    """
    starts = [t.start for t in doc.tokens]
    sentence_starts = [s.start for s in doc.sentences]

    def join(a: Quotation, b: Quotation) -> Quotation | None:
        if a.type == "Direct" or b.type == "Direct" or b.start < a.end:
            return None
        if not same_sentence(doc, sentence_starts, a.start, b.end - 1):
            return None
        gap = doc.tokens[bisect.bisect_left(starts, a.end) : bisect.bisect_left(starts, b.start)]
        words = [t.text.lower() for t in gap if t.text not in (",", "–", "-")]
        if not (0 < len(words) <= _FRAME_GAP_WORDS and all(w[:1].isalnum() for w in words)):
            return None
        if not frame_cues(words):  # a source frame: "laut X", "X zufolge"
            return None
        return replace(
            a,
            type=a.type if a.type == b.type else "Indirect",
            spans=a.spans + b.spans,
            cue=_outermost([*a.cue, *b.cue]),
            speaker_mention=_outermost([*a.speaker_mention, *b.speaker_mention]),
            frame=_outermost([*a.frame, *b.frame]),
            addressee=_outermost([*a.addressee, *b.addressee]),
        )

    return join_consecutive(quotations, join)


_RUN_TYPES = frozenset({"FreeIndirect", "IndirectFreeIndirect"})


def join_free_indirect_runs(doc: Doc, quotations: list[Quotation]) -> list[Quotation]:
    """Free indirect sentences of one type that follow each other in a paragraph are one quotation.

    The taggers read them sentence by sentence; wikinews-quotes marks the run as one quotation.  In its
    train split 107 gold quotations of these two types run over several sentences, and 2 pairs of gold
    IndirectFreeIndirect quotations (none FreeIndirect) stand next to each other apart.  A sentence
    with a cue of its own starts a quotation of its own.
    """
    text = doc.text
    sentence_starts = [s.start for s in doc.sentences]

    def join(a: Quotation, b: Quotation) -> Quotation | None:
        gap = text[a.end : b.start]
        if not (
            a.type == b.type
            and b.type in _RUN_TYPES
            and not b.cue
            and len(a.spans) == 1
            and len(b.spans) == 1
            and a.end <= b.start
            and not gap.strip(" .")
            and "\n" not in gap
            and bisect.bisect_right(sentence_starts, b.start) - bisect.bisect_right(sentence_starts, a.end - 1) == 1
        ):
            return None
        return replace(
            a,
            spans=(Span(a.start, b.end),),
            speaker_mention=a.speaker_mention or b.speaker_mention,
            frame=_outermost([*a.frame, *b.frame]),
            addressee=_outermost([*a.addressee, *b.addressee]),
        )

    return join_consecutive(quotations, join)


def join_pieces(doc: Doc, quotations: list[Quotation]) -> list[Quotation]:
    """Both joins of pieces within and across sentences, in the order both taggers' paths run them."""
    return join_free_indirect_runs(doc, join_split_by_source_frame(doc, quotations))


#: Sentence-initial words that point back to the statement before ("Dies bestätigte der Parteichef").
_BACK_REFERENCES = frozenset({"Das", "Dies", "Dieses"})


def include_back_reference(doc: Doc, quotations: list[Quotation]) -> list[Quotation]:
    """A statement followed by "Das/Dies sagte X" is a quotation that takes "Das"/"Dies" as a further span.

    The pronoun stands for the statement, and wikinews-quotes marks it as part of the quotation.  In
    its train split, of the sentences followed in their paragraph by "Das/Dies/Dieses" and a cue verb,
    35 hold a gold quotation (31 Indirect) and 4 do not; of the indirect and reported quotations
    followed so, 29 include the pronoun and 1 does not (direct quotations, in their marks, do not).
    A quotation found there gets the pronoun; with none, the sentence before becomes an Indirect
    quotation, its cue, speaker and frame read from the sentence with the pronoun
    (``rules.attach_following_frame``).  A quotation of the pronoun alone, which the CRF tagger
    sometimes makes, goes when the pronoun joined a quotation; after a quotation with a cue of its own
    ("…, sagte Stoltenberg. Dies erklärte der Generalsekretär …") it stays a report of its own.
    """
    tokens = doc.tokens
    pronouns: list[tuple[int, Span]] = []  # (sentence index, the pronoun) of "Dies bestätigte …" sentences
    for i, sentence in enumerate(doc.sentences):
        if i and sentence.last - sentence.first >= 3:
            first, verb = tokens[sentence.first], tokens[sentence.first + 1]
            if first.text in _BACK_REFERENCES and is_cue_verb(verb):
                pronouns.append((i, Span(first.start, first.end)))
    if not pronouns:
        return quotations
    pronoun_spans = {p for _, p in pronouns}
    out = [q for q in quotations if not set(q.spans) <= pronoun_spans]
    alone = [q for q in quotations if set(q.spans) <= pronoun_spans]
    used: set[Span] = set()
    # the quotations by end, and the characters they cover, made once: each "Dies …" sentence asks both
    by_end = sorted(range(len(out)), key=lambda k: out[k].end)
    ends = [out[k].end for k in by_end]
    covered = bytearray(len(doc.text) + 1)
    for q in out:
        for span in q.spans:
            covered[span.start : span.end] = b"\x01" * (span.end - span.start)
    for i, pronoun in pronouns:
        sentence, before = doc.sentences[i], doc.sentences[i - 1]
        if before.paragraph != sentence.paragraph:
            continue
        j = bisect.bisect_right(ends, sentence.start) - 1
        if j >= 0 and doc.text[ends[j] : sentence.start].strip(' .\n"“”»«') == "":
            k = by_end[j]
            q = out[k]
            if q.type != "Direct" and not any(c.start < sentence.start for c in q.cue):
                out[k] = replace(q, spans=(*q.spans, pronoun))
                used.add(pronoun)
            continue
        if covered.find(1, before.start, before.end) >= 0:
            continue  # the sentence before holds another quotation, which does not end it
        last = before.last - 1 if tokens[before.last - 1].text in (".", "!", "?") else before.last
        statement = Quotation(doc.article.id, "Indirect", (Span(tokens[before.first].start, tokens[last - 1].end),))
        [statement] = attach_following_frame(doc, [statement])
        out.append(replace(statement, spans=(*statement.spans, pronoun)))
        used.add(pronoun)
    out += [q for q in alone if not set(q.spans) <= used]  # a pronoun that stays its own report
    return sorted(out, key=lambda q: q.start)
