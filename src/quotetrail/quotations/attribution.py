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
#: At most this many tokens of the window before and after the quotation.  Why: a window of
#: whole sentences made one giant sentence full of quotes (no full stops: 400 quotes took
#: 20 s) cost the square of its length.  No window in wikinews-quotes train or dev comes
#: near these (the longest: 172 tokens before, 140 after), so news is tagged as before.
MAX_BEFORE = 200
MAX_AFTER = 150
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


def token_ends(doc: Doc) -> list[int]:
    """The end offset of every token, for ``covered`` (made once per article by a caller asking often)."""
    return [t.end for t in doc.tokens]


def covered(doc: Doc, spans: Sequence[Span], ends: Sequence[int] | None = None) -> list[int]:
    """Indices of the tokens overlapping any of ``spans``, sorted; ``ends`` is ``token_ends(doc)``."""
    tokens = doc.tokens
    ends = token_ends(doc) if ends is None else ends
    out: set[int] = set()
    for span in spans:
        i = bisect.bisect_right(ends, span.start)
        while i < len(tokens) and tokens[i].start < span.end:
            out.add(i)
            i += 1
    return sorted(out)


def window(doc: Doc, sentence_of: list[int], first: int, last: int) -> range:
    """Token range of the sentences around the quotation whose tokens run from ``first`` to ``last``,
    cut to ``MAX_BEFORE`` and ``MAX_AFTER`` tokens on either side."""
    start = doc.sentences[max(0, sentence_of[first] - LOOKBACK)].first
    end = doc.sentences[min(len(doc.sentences) - 1, sentence_of[last] + LOOKAHEAD)].last
    return range(max(start, first - MAX_BEFORE), min(end, last + 1 + MAX_AFTER))


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


#: ``_bucket`` of every distance up to 21 (all further ones are "21+"): looked up per window token.
_BUCKETS = tuple(_bucket(d) for d in range(22))

#: What a token's own features add to its position (``rel``): its ``|pos``, ``|cue`` and ``|lem``.
TokenParts = tuple[str, str, str]


def token_parts(base: Sequence[dict[str, float | str]]) -> list[TokenParts]:
    """Every token's ``TokenParts``, made once per article: they are the same in every window."""
    return [(f"|{b.get('pos', '')}", f"|{b.get('cue', 0.0)}", f"|{b.get('lem', '')}") for b in base]


def own_features(
    doc: Doc,
    base: list[dict[str, float | str]],
    sentence_of: list[int],
    quote: set[int],
    quote_type: str,
    other_quotes: Sequence[bool],
    tokens: range,
    parts: Sequence[TokenParts] | None = None,
) -> list[dict[str, float | str]]:
    """Per token of the window: where it stands relative to this quotation (the attribution tagger's
    own features, read after the token's base features).

    This runs for every token of every quotation's window, so what repeats is made once:
    the strings of each sentence distance and of each position with its distance per
    window, each token's ``parts`` (``token_parts(base)``) per article, and each distinct
    dict per window (tokens alike in every feature share one: the tagger only reads them).
    """
    first, last = min(quote), max(quote)
    sentences = doc.sentences
    first_sentence, last_sentence = sentence_of[first], sentence_of[last]
    quote_paragraph = sentences[first_sentence].paragraph
    type_rel: dict[tuple[str, str], str] = {}
    by_sd: dict[int, tuple[str, str]] = {}
    made: dict[tuple[str, str, int, bool, bool, TokenParts], dict[str, float | str]] = {}
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
        si = sentence_of[i]
        sd = si - (first_sentence if i < first else last_sentence)
        bucket = _BUCKETS[d] if d < 21 else "21+"
        key = (rel, bucket)
        if key not in type_rel:
            type_rel[key] = f"{quote_type}|{rel}|{bucket}"
        if sd not in by_sd:
            by_sd[sd] = (str(max(-LOOKBACK, min(LOOKAHEAD, sd))), f"{quote_type}|{sd}")
        part = parts[i] if parts is not None else token_parts((base[i],))[0]
        other = bool(other_quotes[i]) and i not in quote
        same_paragraph = sentences[si].paragraph == quote_paragraph
        alike = (rel, bucket, sd, other, same_paragraph, part)
        features = made.get(alike)
        if features is None:
            sd_text, type_sd = by_sd[sd]
            pos, cue, lem = part
            features = made[alike] = {
                "a_rel": rel,
                "a_dist": bucket,
                "a_sd": sd_text if rel != "in" else "0",
                "a_type": quote_type,
                "a_other": float(other),
                "a_rel_pos": rel + pos,
                "a_rel_cue": rel + cue,
                "a_type_rel": type_rel[key],
                "a_type_sd": type_sd,
                "a_rel_lem": rel + lem,
                "a_para": float(same_paragraph),
            }
        out.append(features)
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


def _role_runs(labels: list[str], offset: int) -> dict[str, list[tuple[int, int]]]:
    """Token ranges of the ``B-``/``I-`` runs of every role, by role name, read in one pass.

    Why one pass: the window is read for three roles, and most of its labels are ``O``.
    """
    runs: dict[str, list[tuple[int, int]]] = {}
    for k, label in enumerate(labels):
        if label == "O" or label[:2] not in ("B-", "I-"):
            continue
        i = offset + k
        name = label[2:]
        if name not in runs:
            runs[name] = [(i, i + 1)]
            continue
        own = runs[name]
        if label[0] == "I" and own[-1][1] == i:
            own[-1] = (own[-1][0], i + 1)
        else:
            own.append((i, i + 1))
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
    runs: dict[str, list[tuple[int, int]]] | None = None,
) -> Roles:
    """The roles in a tagged window: every cue run, the likeliest speaker run (by ``speaker_p``, per window
    token, else the first), the first addressee run, and the frame runs outside the quote.

    ``runs`` is ``_role_runs(labels, tokens.start)`` where the caller has it already."""
    runs = _role_runs(labels, tokens.start) if runs is None else runs
    speakers = runs.get("speaker", [])
    if not speakers and speaker_p is not None:
        # none labelled: the tokens nearly labelled speaker (the tagger is cautious with speakers)
        speakers = _near_runs(speaker_p, tokens, set(), SPEAKER_FALLBACK)
    if speaker_p is not None and len(speakers) > 1:
        speakers.sort(key=lambda r: -sum(speaker_p[i - tokens.start] for i in range(*r)) / (r[1] - r[0]))
    cues = runs.get("cue", [])
    if not cues and cue_p is not None:
        cues = _near_runs(cue_p, tokens, quote, CUE_FALLBACK)
    addressees = runs.get("addressee", [])
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
    parts: Sequence[TokenParts] | None = None,
) -> Roles:
    """Tag the window around one quotation and read its roles.

    ``base_scores`` is ``tagger.scores(base)``, worked out once per article: the window adds
    each token's own features after its base features, the order ``features`` has them in.
    ``parts`` is ``token_parts(base)``, also made once per article.
    """
    tokens = window(doc, sentence_of, min(quote), max(quote))
    own = own_features(doc, base, sentence_of, quote, quote_type, other_quotes, tokens, parts)
    tagged = tagger.extend(base_scores, tokens.start, own)
    tags = tagged.tag()

    def p(role: str) -> list[float]:
        return [b + i for b, i in zip(tagged.marginals(f"B-{role}"), tagged.marginals(f"I-{role}"), strict=True)]

    # the probabilities are read only where read_roles needs them: where no run of that role
    # was labelled, and for speakers also to rank several runs
    runs = _role_runs(tags, tokens.start)
    return read_roles(
        tags,
        tokens,
        quote,
        p("speaker") if len(runs.get("speaker", ())) != 1 else None,
        p("cue") if "cue" not in runs else None,
        p("addressee") if "addressee" not in runs else None,
        runs,
    )
