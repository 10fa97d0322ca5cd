"""Attribution: which tokens around one quotation are its cue, speaker, addressee and frame.

Why a tagger per quotation: labelling every cue and speaker of a paragraph
at once and giving each quote the nearest one (quotetrail's first design)
goes wrong when quotes and frames sit close together: a free indirect
sentence took the speaker of the next frame, a quote the addressee of its
cue.  Here a CRF reads a window of sentences around a single quotation,
with features saying where each token stands relative to *that*
quotation, and labels only its roles, so the pairing is learnt rather
than guessed.  Trained on the wikinews-quotes train split
with gold quotations, applied to predicted ones; the model file inherits
the corpus's licence, CC BY-NC-SA 4.0.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Doc, Span
from .crf import Sequence as CRFSequence
from .crf import Tagger
from .features import Features

ATTRIBUTION_MODEL = "attribution_tagger.crfsuite"
#: Sentences before and after the quotation that the tagger reads: speakers of free
#: indirect speech sit up to two sentences back, "Das sagte X." frames one after.
LOOKBACK = 2
LOOKAHEAD = 1
ROLE_PRIORITY = ("cue", "speaker", "addressee", "frame")
#: When the tagger labels no speaker, cue or addressee, the window tokens at least this likely
#: to be one form it: the tagger is cautious, and a near-certain role beats none (tuned on dev:
#: speaker F1 0.611 -> 0.620, cue 0.724 -> 0.729, addressee 0.41 -> 0.44).
SPEAKER_FALLBACK = 0.25
CUE_FALLBACK = 0.3
ADDRESSEE_FALLBACK = 0.35


@dataclass(frozen=True)
class Roles:
    """Token ranges ``[a, b)`` of one quotation's roles."""

    cue: tuple[tuple[int, int], ...] = ()
    speaker: tuple[int, int] | None = None
    addressee: tuple[int, int] | None = None
    frame: tuple[tuple[int, int], ...] = ()


def sentence_index(doc: Doc) -> list[int]:
    """The sentence number of every token."""
    out = [0] * len(doc.tokens)
    for si, s in enumerate(doc.sentences):
        for i in range(s.first, s.last):
            out[i] = si
    return out


def covered(doc: Doc, spans: Sequence[Span]) -> list[int]:
    """Indices of the tokens overlapping any of ``spans``, sorted."""
    tokens = doc.tokens
    ends = [t.end for t in tokens]
    out: set[int] = set()
    for span in spans:
        i = bisect.bisect_right(ends, span.start)
        while i < len(tokens) and tokens[i].start < span.end:
            out.add(i)
            i += 1
    return sorted(out)


def window(doc: Doc, sentence_of: list[int], first: int, last: int) -> range:
    """Token range of the sentences around the quotation whose tokens run from ``first`` to ``last``."""
    start = doc.sentences[max(0, sentence_of[first] - LOOKBACK)].first
    end = doc.sentences[min(len(doc.sentences) - 1, sentence_of[last] + LOOKAHEAD)].last
    return range(start, end)


#: Base features about where a token stands in the article: the quote tagger uses them, but
#: here they taught the tagger that the opening sentence (the lead, in WikiNews) has no speaker.
_POSITION_FEATURES = frozenset({"doc_first", "para_pos"})


def attribution_base(base: Features) -> list[dict[str, float | str]]:
    """The base features of every token, flattened, as the attribution tagger learns from them: without
    the position features.  (At tagging time it is given them too: its model has no such
    attributes, so they add nothing, and leaving them in is cheaper than taking them out.)"""
    out: list[dict[str, float | str]] = []
    for sequence in base:
        for f in sequence:
            g = f.copy()
            for key in _POSITION_FEATURES:
                g.pop(key, None)
            out.append(g)
    return out


def _bucket(d: int) -> str:
    for limit, name in ((0, "0"), (1, "1"), (2, "2"), (5, "3-5"), (10, "6-10"), (20, "11-20")):
        if d <= limit:
            return name
    return "21+"


def own_features(
    doc: Doc,
    base: list[dict[str, float | str]],
    sentence_of: list[int],
    quote: set[int],
    quote_type: str,
    other_quotes: Sequence[bool],
    tokens: range,
) -> list[dict[str, float | str]]:
    """Per token of the window: where it stands relative to this quotation (the attribution tagger's
    own features, read after the token's base features)."""
    first, last = min(quote), max(quote)
    paragraph_of = {i: doc.sentences[sentence_of[i]].paragraph for i in (*tokens, first)}
    out: list[dict[str, float | str]] = []
    for i in tokens:
        if i in quote:
            rel, d = "in", 0
        elif i < first:
            rel, d = "before", first - i
        elif i > last:
            rel, d = "after", i - last
        else:
            rel, d = "gap", 0  # between the parts of a split quote
        sd = sentence_of[i] - (sentence_of[first] if i < first else sentence_of[last])
        b = base[i]
        bucket = _bucket(d)
        out.append(
            {
                "a_rel": rel,
                "a_dist": bucket,
                "a_sd": str(max(-LOOKBACK, min(LOOKAHEAD, sd))) if rel != "in" else "0",
                "a_type": quote_type,
                "a_other": float(other_quotes[i] and i not in quote),
                "a_rel_pos": f"{rel}|{b.get('pos', '')}",
                "a_rel_cue": f"{rel}|{b.get('cue', 0.0)}",
                "a_type_rel": f"{quote_type}|{rel}|{bucket}",
                "a_type_sd": f"{quote_type}|{sd}",
                "a_rel_lem": f"{rel}|{b.get('lem', '')}",
                "a_para": float(paragraph_of[i] == paragraph_of[first]),
            }
        )
    return out


def features(
    doc: Doc,
    base: list[dict[str, float | str]],
    sentence_of: list[int],
    quote: set[int],
    quote_type: str,
    other_quotes: Sequence[bool],
    tokens: range,
) -> list[dict[str, float | str]]:
    """Per token of the window, as training reads it: its base features (``attribution_base``), then
    ``own_features``.  (Tagging adds the same own features to scores of all base features: ``attribute``.)"""
    own = own_features(doc, base, sentence_of, quote, quote_type, other_quotes, tokens)
    return [{**base[i], **f} for i, f in zip(tokens, own, strict=True)]


def labels(doc: Doc, tokens: range, quote: set[int], roles: dict[str, Sequence[Span]]) -> list[str]:
    """Gold labels of the window: ``B-``/``I-`` cue, speaker, addressee; ``frame`` for the rest of the frame."""
    out = {i: "O" for i in tokens}
    for name in reversed(ROLE_PRIORITY):
        prev = None
        for i in covered(doc, roles.get(name, ())):
            if i not in out or (name == "frame" and i in quote):
                continue
            out[i] = "frame" if name == "frame" else ("I-" if prev == i - 1 else "B-") + name
            prev = i
    return [out[i] for i in tokens]


def _runs(labels: list[str], offset: int, name: str) -> list[tuple[int, int]]:
    """Token ranges of the ``B-``/``I-`` runs of role ``name``."""
    runs: list[tuple[int, int]] = []
    begin, inside = f"B-{name}", f"I-{name}"
    for k, label in enumerate(labels):
        if label in (begin, inside):
            i = offset + k
            if label == inside and runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
    return runs


def _near_runs(p: Sequence[float], tokens: range, excluded: set[int], threshold: float) -> list[tuple[int, int]]:
    """Runs of window tokens whose probability ``p`` reaches ``threshold``, outside ``excluded``."""
    runs: list[tuple[int, int]] = []
    for k, value in enumerate(p):
        i = tokens.start + k
        if value >= threshold and i not in excluded:
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
    return runs


def read_roles(
    labels: list[str],
    tokens: range,
    quote: set[int],
    speaker_p: Sequence[float] | None = None,
    cue_p: Sequence[float] | None = None,
    addressee_p: Sequence[float] | None = None,
) -> Roles:
    """The roles in a tagged window: every cue run, the likeliest speaker run (by ``speaker_p``, per window
    token, else the first), the first addressee run, and the frame runs outside the quote."""
    speakers = _runs(labels, tokens.start, "speaker")
    if not speakers and speaker_p is not None:
        # none labelled: the tokens nearly labelled speaker (the tagger is cautious with speakers)
        speakers = _near_runs(speaker_p, tokens, set(), SPEAKER_FALLBACK)
    if speaker_p is not None and len(speakers) > 1:
        speakers.sort(key=lambda r: -sum(speaker_p[i - tokens.start] for i in range(*r)) / (r[1] - r[0]))
    cues = _runs(labels, tokens.start, "cue")
    if not cues and cue_p is not None:
        cues = _near_runs(cue_p, tokens, quote, CUE_FALLBACK)
    addressees = _runs(labels, tokens.start, "addressee")
    if not addressees and addressee_p is not None:
        addressees = _near_runs(addressee_p, tokens, quote, ADDRESSEE_FALLBACK)
    frame: list[tuple[int, int]] = []
    for k, label in enumerate(labels):
        i = tokens.start + k
        if label == "O" or i in quote:
            continue
        if frame and frame[-1][1] == i:
            frame[-1] = (frame[-1][0], i + 1)
        else:
            frame.append((i, i + 1))
    return Roles(
        cue=tuple(cues),
        speaker=speakers[0] if speakers else None,
        addressee=addressees[0] if addressees else None,
        frame=tuple(frame),
    )


def attribute(
    tagger: Tagger,
    base: list[dict[str, float | str]],
    base_scores: CRFSequence,
    sentence_of: list[int],
    quote: set[int],
    quote_type: str,
    other_quotes: Sequence[bool],
    doc: Doc,
) -> Roles:
    """Tag the window around one quotation and read its roles.

    ``base_scores`` is ``tagger.scores(base)``, worked out once per article: the window adds
    each token's own features after its base features, the order ``features`` has them in.
    """
    tokens = window(doc, sentence_of, min(quote), max(quote))
    own = own_features(doc, base, sentence_of, quote, quote_type, other_quotes, tokens)
    tagged = tagger.extend(base_scores, tokens.start, own)
    tags = tagged.tag()

    def p(role: str) -> list[float]:
        return [b + i for b, i in zip(tagged.marginals(f"B-{role}"), tagged.marginals(f"I-{role}"), strict=True)]

    # the probabilities are read only where read_roles needs them: where no run of that role
    # was labelled, and for speakers also to rank several runs
    labelled = {label[2:] for label in tags if label[:2] in ("B-", "I-")}
    return read_roles(
        tags,
        tokens,
        quote,
        p("speaker") if len(_runs(tags, tokens.start, "speaker")) != 1 else None,
        p("cue") if "cue" not in labelled else None,
        p("addressee") if "addressee" not in labelled else None,
    )
