"""The encoder mode of quotation finding: a fine-tuned multilingual-e5-small tags quotations and their roles.

``find_encoder_quotations`` is the encoder's counterpart of
``quotations.find_quotations``'s CRF path: the encoder finds quotation spans
with their type, the rules drop scare quotes, fix the type of marked quotes,
mend the spans where the encoder's reading of news text goes wrong
(``spans.py``) and add nested direct quotes, and the encoder's role head
gives every quotation its speaker mention, cue, frame and addressee.  It is
the default mode (``--fast`` takes the CRF path).  Inference runs in numpy or
onnxruntime; training (``training.py``) needs torch, installed with ``.[train]``.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from ...model import Doc, Quotation, Span
from ..attribution import covered, token_ends
from ..joins import include_back_reference, join_pieces
from ..learned import attribute_quotations
from ..rules import find_direct, find_free_indirect
from .spans import (
    complete_quote_marks,
    complete_speaker_names,
    cut_paragraph_stubs,
    fill_quote_marks,
    in_headline,
    join_purpose_clauses,
    join_split_direct,
    trim_role_edges,
    trim_speaker_words,
    trim_trailing_punctuation,
)
from .tagger import Reading, load_model, model_available, read_article, tag_roles

__all__ = ["find_encoder_quotations", "model_available"]


#: Rule-found quotations the encoder missed are added (direct quotes in marks, indirect speech by
#: source frames and cue clauses); chosen on dev, see docs/accuracy.md.
ADD_RULE_QUOTATIONS = True
#: The addressee comes from the CRF attribution tagger, run over the encoder's quotations: the encoder's role
#: head finds as many addressees but half of them wrong (dev addressee P / R 0.401 / 0.416, the CRF's
#: 0.667 / 0.339 on the same quotations; Roles 0.740 → 0.743, Joint 0.750 → 0.752).  Taking the CRF's only
#: where it has one kept the encoder's false ones (Roles 0.740).  It costs about 5 % of the encoder mode's time.
CRF_ADDRESSEE = True
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

    model = load_model()
    if model is None:
        return None
    reading = reading or read_article(model, doc)
    marks = _marks(doc)
    delimited = {(start, end) for start, end, _ in marks}
    found = [complete_quote_marks(trim_trailing_punctuation(doc, q), delimited) for q in reading.quotations]
    found = _fix_marked_types(marks, _drop_scare_quotes(marks, found))
    ends = token_ends(doc)

    def in_marks(q: Quotation) -> bool:
        return len(q.spans) == 1 and (q.start, q.end) in delimited

    found = [q if in_marks(q) else cut_paragraph_stubs(doc, q, ends, MIN_UNDELIMITED_TOKENS) for q in found]
    found = [q for q in found if in_marks(q) or len(covered(doc, q.spans, ends)) >= MIN_UNDELIMITED_TOKENS]
    direct = find_direct(doc)
    found = fill_quote_marks(doc, marks, join_split_direct(found, direct))
    if ADD_RULE_QUOTATIONS:
        found = add_rule_quotations(doc, found, direct)
    starts = [t.start for t in doc.tokens]
    found = join_purpose_clauses(doc, found, starts)
    found = [
        trim_role_edges(doc, q) for q in tag_roles(model, reading.windows, reading.frozen, found, doc.article.text)
    ]
    if CRF_ADDRESSEE:
        crf = attribute_quotations(doc, found)
        found = [replace(q, addressee=c.addressee) for q, c in zip(found, crf, strict=True)]
    found = include_back_reference(doc, join_pieces(doc, found))
    found = [q for q in (in_headline(doc, q) for q in found) if q is not None]
    found = [
        trim_speaker_words(doc, complete_speaker_names(doc, _snap_quotation(doc, q, starts), starts), starts)
        for q in found
    ]
    found += find_free_indirect(doc, found)  # as in the CRF path: Konjunktiv I sentences after a quotation
    found = sorted(found + add_nested_direct(doc, marks, found), key=lambda q: q.start)
    return [replace(q, quote_confidence=reading.confidence(q.spans)) for q in inherit_speakers(doc, found)]


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
