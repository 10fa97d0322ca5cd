"""The encoder mode of quotation finding: a fine-tuned multilingual-e5-small tags quotations and their roles.

``find_encoder_quotations`` is the encoder's counterpart of
``quotations.find_quotations``'s CRF path: the encoder finds quotation spans
with their type, the rules drop scare quotes, fix the type of marked quotes
and add nested direct quotes, and the encoder's role head gives every
quotation its speaker mention, cue, frame and addressee.  Inference runs in
numpy; training (``training.py``) needs torch, installed with ``.[train]``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from ...analyse import is_headline, line_around
from ...model import Doc, Quotation, Span
from ..attribution import covered, token_ends
from .tagger import Reading, load_model, model_available, read_article, tag_roles

__all__ = ["find_encoder_quotations", "model_available"]


#: Rule-found quotations the encoder missed are added (direct quotes in marks, indirect speech by
#: source frames and cue clauses); chosen on dev, see docs/accuracy.md.
ADD_RULE_QUOTATIONS = True
#: The encoder's quotations that are not exactly a quote-mark span and are shorter than this many tokens
#: are dropped: in the train split 20 of 2,260 undelimited gold quotations (all Indirect) are that short,
#: and every gold Direct quotation is in quote marks, while the encoder leaves such fragments ("das soll",
#: "Darin", "Der Fall wird") where it splits a clause.  3 → 4 tokens, and Direct ones out of marks
#: included, raised dev Joint 0.694 → 0.698 (docs/accuracy.md).
MIN_UNDELIMITED_TOKENS = 4


def find_encoder_quotations(doc: Doc, reading: Reading | None = None) -> list[Quotation] | None:
    """Every quotation in ``doc`` with its roles, or ``None`` when the encoder model is not installed.

    ``reading`` is the encoder's reading of ``doc`` when already made (the dev experiments reuse it).
    """
    from .. import (
        _drop_scare_quotes,
        _fix_marked_types,
        _marks,
        add_nested_direct,
        add_rule_quotations,
        inherit_speakers,
    )
    from ..rules import find_direct

    model = load_model()
    if model is None:
        return None
    reading = reading or read_article(model, doc)
    marks = _marks(doc)
    found = [_trim_trailing_punctuation(doc, q) for q in reading.quotations]
    found = _fix_marked_types(marks, _drop_scare_quotes(marks, found))
    ends = token_ends(doc)
    delimited = {(start, end) for start, end, _ in marks}

    def in_marks(q: Quotation) -> bool:
        return len(q.spans) == 1 and (q.start, q.end) in delimited

    found = [q if in_marks(q) else _cut_paragraph_stubs(doc, q, ends) for q in found]
    found = [q for q in found if in_marks(q) or len(covered(doc, q.spans, ends)) >= MIN_UNDELIMITED_TOKENS]
    direct = find_direct(doc)
    found = _join_split_direct(found, direct)
    if ADD_RULE_QUOTATIONS:
        found = add_rule_quotations(doc, found, direct)
    found = _join_purpose_clauses(doc, found)
    found = tag_roles(model, reading.windows, reading.frozen, found, doc.article.text)
    found = [q for q in (_in_headline(doc, q) for q in found) if q is not None]
    starts = [t.start for t in doc.tokens]
    found = [_snap_quotation(doc, q, starts) for q in found]
    found = sorted(found + add_nested_direct(doc.text, marks, found), key=lambda q: q.start)
    return inherit_speakers(doc, found)


def _in_headline(doc: Doc, q: Quotation) -> Quotation | None:
    """A quotation in a headline keeps only the roles inside its line, and goes when none is left.

    Why: the encoder learnt from WikiNews text, which has no headlines between its
    paragraphs (of the train split's 130 lines without final punctuation, 7 hold
    a quotation, and those are cut-off sentences).  On news pages it reads a
    section heading as speech ("Bodentruppen unter polnischer Führung", demo
    article 002) and gives it the speaker and cue of the paragraph below.  A
    headline that says who speaks keeps its quotation ("Rasmussen: NATO-Staaten
    könnten …", "Stoltenberg rechnet nicht mit Angriff …").
    """
    text = doc.article.text
    line = line_around(text, q.start)
    if q.end > line.end or not is_headline(text[line.start : line.end]):
        return q

    def inside(spans: tuple[Span, ...]) -> tuple[Span, ...]:
        return tuple(s for s in spans if line.start <= s.start and s.end <= line.end)

    speaker, cue = inside(q.speaker_mention), inside(q.cue)
    if not speaker and not cue:
        return None
    return replace(q, speaker_mention=speaker, cue=cue, frame=inside(q.frame), addressee=inside(q.addressee))


def _join_split_direct(found: list[Quotation], direct: list[Quotation]) -> list[Quotation]:
    """Direct quotes the rules read as one quotation split by a frame ("„…“, sagte Stoltenberg, „…“") are one.

    Why: the encoder has a label for a further span of the quotation before (``C-``), yet often
    opens a new quotation after the frame; the rules pair the marks around an inserted cue clause.
    Each part must be one of the encoder's quote-marked Direct quotations exactly.
    """
    by_span = {(q.start, q.end): i for i, q in enumerate(found) if q.type == "Direct" and len(q.spans) == 1}
    gone: set[int] = set()
    joined: dict[int, Quotation] = {}
    for rule in direct:
        parts = [by_span.get((s.start, s.end)) for s in rule.spans]
        indexes = [p for p in parts if p is not None and p not in gone and p not in joined]
        if len(parts) < 2 or len(indexes) < len(parts):
            continue
        joined[indexes[0]] = replace(found[indexes[0]], spans=rule.spans)
        gone.update(indexes[1:])
    return [joined.get(i, q) for i, q in enumerate(found) if i not in gone]


_TRAILING_PUNCTUATION = ",;:"
_CLOSING_MARKS = "“”\"«»'’‘"


def _trim_trailing_punctuation(doc: Doc, q: Quotation) -> Quotation:
    """A comma, semicolon or colon after a span's closing quote mark is the sentence's, not the quotation's.

    Why: the encoder's pieces can join a closing quote mark and the comma after it ("“,"), so its
    quotation ran to "„Wir schicken keine Truppen in die Ukraine“," and was not recognised as the
    quote-marked span it is.  No gold Direct quotation in the train split ends so.
    """
    text = doc.article.text
    spans = []
    for span in q.spans:
        end = span.end
        while end > span.start + 2 and text[end - 1] in _TRAILING_PUNCTUATION and text[end - 2] in _CLOSING_MARKS:
            end -= 1
        spans.append(Span(span.start, end))
    return replace(q, spans=tuple(spans)) if spans != list(q.spans) else q


_PURPOSE_CLAUSE = re.compile(r"[Uu]m\s.*\bzu\s+\w+", re.DOTALL)
_ENDS_WITH_COMMA = re.compile(r".*,\s*", re.DOTALL)


def _join_purpose_clauses(doc: Doc, found: list[Quotation]) -> list[Quotation]:
    """A quotation that is only a purpose clause ("um die Ukraine … unterstützen zu können") joins the
    quotation before it in its sentence, when a comma ends that one or the words between, and no finite
    verb stands between them.

    Why: in the train split one gold quotation starts with "um", and it is no purpose clause ("um
    einen … Angriff gehandelt haben könne"), while 53 ", um … zu" clauses lie inside quotations.  The
    encoder sometimes cuts such a clause off as a quotation of its own, which then takes the subject
    of the clause before as its speaker ("Die Nato bemühe sich um eine „…“ der Verbündeten, um die
    Ukraine „so lange wie nötig“ unterstützen zu können", demo article 004: the NATO instead of
    Stoltenberg).  A finite verb in between would be another clause, perhaps a cue ("…, sagte er, um …").
    """
    text = doc.article.text
    starts = [t.start for t in doc.tokens]
    out: list[Quotation] = []
    for q in sorted(found, key=lambda q: q.start):
        before = out[-1] if out else None
        if (
            before is not None
            and before.end <= q.start
            and _PURPOSE_CLAUSE.match(text, q.start, q.end)
            and _ENDS_WITH_COMMA.fullmatch(text, before.end - 1, q.start)
            and _same_sentence(doc, before.end - 1, q.start)
            and not any(
                t.pos.endswith("(FIN)")
                for t in doc.tokens[bisect.bisect_left(starts, before.end) : bisect.bisect_left(starts, q.start)]
            )
        ):
            joined = Span(before.spans[-1].start, q.spans[0].end)
            out[-1] = replace(before, spans=(*before.spans[:-1], joined, *q.spans[1:]))
            continue
        out.append(q)
    return out


def _same_sentence(doc: Doc, a: int, b: int) -> bool:
    return any(s.start <= a and b < s.end for s in doc.sentences)


_LINE_BREAK = re.compile(r"\s*\n\s*")


def _cut_paragraph_stubs(doc: Doc, q: Quotation, ends: list[int]) -> Quotation:
    """Drop the pieces of an undelimited quotation's spans that are stubs of a line of their own.

    Why: the encoder reads windows that run over paragraph breaks, and runs a
    heading's quotation on into the first word of the paragraph below
    ("nicht mit Angriff auf Bündnisgebiet" + "Stoltenberg", demo article 003).
    A piece of a span shorter than ``MIN_UNDELIMITED_TOKENS`` tokens on its side
    of a line break goes; in the train split the 11 gold quotations that cross a
    line break go on for whole sentences on both sides.  A span without a line
    break is kept whatever its length (a frame can cut a quotation into short
    spans), and so is a span whose every piece is short.
    """
    text = doc.article.text
    spans: list[Span] = []
    for span in q.spans:
        pieces: list[Span] = []
        start = span.start
        for brk in _LINE_BREAK.finditer(text, span.start, span.end):
            pieces.append(Span(start, brk.start()))
            start = brk.end()
        pieces.append(Span(start, span.end))
        kept = [p for p in pieces if p.end > p.start and len(covered(doc, (p,), ends)) >= MIN_UNDELIMITED_TOKENS]
        spans += kept if len(pieces) > 1 and kept and len(kept) < len(pieces) else [span]
    return replace(q, spans=tuple(spans)) if len(spans) != len(q.spans) or spans != list(q.spans) else q


def _snap(doc: Doc, spans: tuple[Span, ...], starts: list[int]) -> tuple[Span, ...]:
    """Widen spans to whole tokens of the analysis: a word is never cut in two by a piece boundary.

    ``starts`` are the tokens' start offsets, made once per article (made per span, they cost as much
    as the article per quotation).
    """
    out = []
    for span in spans:
        first = bisect.bisect_right(starts, span.start) - 1
        last = bisect.bisect_left(starts, span.end) - 1
        start = (
            min(span.start, doc.tokens[first].start)
            if first >= 0 and doc.tokens[first].end > span.start
            else span.start
        )
        end = max(span.end, doc.tokens[last].end) if last >= 0 and doc.tokens[last].start < span.end else span.end
        out.append(Span(start, end))
    return tuple(dict.fromkeys(out))  # two runs inside one word snap to the same span


def _snap_quotation(doc: Doc, q: Quotation, starts: list[int]) -> Quotation:
    return replace(
        q,
        spans=_snap(doc, q.spans, starts),
        speaker_mention=_snap(doc, q.speaker_mention, starts),
        cue=_snap(doc, q.cue, starts),
        frame=_snap(doc, q.frame, starts),
        addressee=_snap(doc, q.addressee, starts),
    )
