"""The learned quotation tagger: a quote layer and a per-quotation attribution tagger.

A linear-chain CRF over paragraph token sequences labels quote tokens with
their type (BIO: ``B-Indirect``...); ``assemble`` turns its runs into
quotations.  Then, for every quotation (learned or found by a rule), the
attribution tagger (``attribution.py``) labels its cue, speaker, addressee
and frame in the sentences around it.  An earlier design had a second,
paragraph-wide role layer whose nearest cue and speaker went to each quote;
the attribution tagger does better without it (dev Joint F1 0.691 with it,
0.694 without) and tagging is faster.  Trained on the wikinews-quotes train
split (``quotetrail train``); the model files inherit that corpus's
licence, CC BY-NC-SA 4.0 (see ``models/LICENSE.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path

import pycrfsuite

from ..model import Doc, Quotation, Span
from ..model_files import model_file, package_models
from .attribution import (
    ATTRIBUTION_MODEL,
    attribute,
    attribution_base,
    covered,
    sentence_index,
    token_ends,
    token_parts,
    window,
)
from .attribution import features as attribution_features
from .attribution import labels as attribution_labels
from .crf import Tagger, open_tagger
from .features import Features, base_features, cue_lemmas

QUOTE_MODEL = "quote_tagger.crfsuite"
#: Types that the wikinews-quotes scheme annotates without cue and frame (train: over 95% of them).
CUELESS_TYPES = frozenset({"FreeIndirect", "IndirectFreeIndirect", "Reported"})
#: A quote run whose tokens' mean probability of being quoted is below this is dropped:
#: an unpaired quotation costs precision on every one of its parts (tuned on dev: 0.62 and 0.66 were best).
QUOTE_MIN_CONFIDENCE = 0.66
#: The attribution tagger sees many more feature combinations per example than the quote
#: tagger and does better with a sparser, smoother model (dev Joint F1: c1 0.05 → 0.687,
#: 0.2 with c2 0.1 → 0.691, 1.0 → 0.688; 150 iterations are enough).
ATTRIBUTION_PARAMS = {"c1": 0.2, "c2": 0.1, "max_iterations": 150}


def models_dir() -> Path:
    """The package's model folder (where ``quotetrail train`` writes without ``--out``)."""
    return package_models()


def _model(folder: Path | None, name: str) -> str:
    """The model file to open: ``folder``'s when given, else the one ``QUOTETRAIL_MODELS`` or the package has."""
    return str(folder / name if folder is not None else model_file(name))


@cache
def _tagger_at(path: str) -> Tagger | None:
    """The CRF tagger in the file at ``path`` (opened once per process), ``None`` when there is none."""
    return open_tagger(Path(path))


def model_available(folder: Path | None = None) -> bool:
    return _tagger_at(_model(folder, QUOTE_MODEL)) is not None


# -- training ------------------------------------------------------------------
def quote_labels(doc: Doc, gold: Iterable[object]) -> list[str]:
    """Quote-layer labels of every token from gold quotations (char spans); nested quotes keep the outer one."""
    labels = ["O"] * len(doc.tokens)
    # longer quotes first so that nested quotes do not split an outer one
    for g in sorted(gold, key=lambda g: -sum(len(s) for s in g.quote)):  # type: ignore[attr-defined]
        idx = covered(doc, g.quote)  # type: ignore[attr-defined]
        if not idx or any(labels[i] != "O" for i in idx):
            continue
        prev = None
        for i in idx:
            labels[i] = ("I-" if prev == i - 1 else "B-") + str(g.type)  # type: ignore[attr-defined]
            prev = i
    return labels


def split_labels(doc: Doc, labels: list[str]) -> list[list[str]]:
    """Cut a token-level label list into the paragraph sequences of ``base_features``."""
    out: list[list[str]] = []
    last = None
    for s in doc.sentences:
        if last is not None and s.paragraph != last:
            out.append([])
        if not out:
            out.append([])
        out[-1].extend(labels[s.first : s.last])
        last = s.paragraph
    return out


def train(
    examples: Iterable[tuple[Doc, list[object]]],
    out_dir: Path,
    *,
    c1: float = 0.05,
    c2: float = 0.01,
    max_iterations: int = 300,
) -> None:
    """Train the quote tagger and the attribution tagger from ``(doc, gold quotations)`` pairs into ``out_dir``."""
    quote_trainer = pycrfsuite.Trainer(verbose=False)
    attribution_trainer = pycrfsuite.Trainer(verbose=False)
    for doc, gold in examples:
        labels = quote_labels(doc, gold)
        base = base_features(doc)
        for xseq, yseq in zip(base, split_labels(doc, labels), strict=True):
            quote_trainer.append(xseq, yseq)
        # the attribution tagger learns each gold quotation's roles in the window around it
        flat = attribution_base(base)
        sentence_of = sentence_index(doc)
        other = [label != "O" for label in labels]
        for g in gold:
            quote = set(covered(doc, g.quote))  # type: ignore[attr-defined]
            if not quote:
                continue
            tokens = window(doc, sentence_of, min(quote), max(quote))
            attribution_trainer.append(
                attribution_features(doc, flat, sentence_of, quote, str(g.type), other, tokens),  # type: ignore[attr-defined]
                attribution_labels(doc, tokens, quote, g.roles),  # type: ignore[attr-defined]
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    common = {"c1": c1, "c2": c2, "max_iterations": max_iterations, "feature.possible_transitions": True}
    quote_trainer.set_params(common)
    quote_trainer.train(str(out_dir / QUOTE_MODEL))
    attribution_trainer.set_params({**common, **ATTRIBUTION_PARAMS})
    attribution_trainer.train(str(out_dir / ATTRIBUTION_MODEL))
    _tagger_at.cache_clear()


# -- prediction ----------------------------------------------------------------
def _runs(labels: list[str]) -> list[tuple[str, int, int]]:
    """``(name, first, last+1)`` runs of BIO labels."""
    runs: list[tuple[str, int, int]] = []
    for i, label in enumerate(labels):
        if label == "O":
            continue
        tag, name = label.split("-", 1)
        if tag == "I" and runs and runs[-1][0] == name and runs[-1][2] == i:
            runs[-1] = (name, runs[-1][1], i + 1)
        else:
            runs.append((name, i, i + 1))
    return runs


def tag_doc(doc: Doc, folder: Path | None = None, base: Features | None = None) -> tuple[list[str], list[float]] | None:
    """Quote-layer labels for every token and each token's probability of being quoted
    (1 - P(O)); None without a model."""
    tagger = _tagger_at(_model(folder, QUOTE_MODEL))
    if tagger is None:
        return None
    labels: list[str] = []
    quote_p: list[float] = []
    for items in base or base_features(doc):
        sequence = tagger.scores(items)
        labels += sequence.tag()
        quote_p += [1.0 - p for p in sequence.marginals("O")]
    return labels, quote_p


#: Two direct quote runs are one quotation split by a frame when no more than this many
#: tokens, a cue word among them, stand between them ("„…“, sagte Stoltenberg, „…“").
MAX_INSERTED_FRAME = 12


def assemble(doc: Doc, labels: list[str], quote_p: list[float] | None = None) -> list[Quotation]:
    """Quotations from the quote layer's runs: split direct quotes joined, unsure runs left out.

    With ``quote_p`` (per token, the probability that it is quoted), a run whose
    mean probability is below ``QUOTE_MIN_CONFIDENCE`` is left out.  Roles are
    left to ``attribute_quotations``.
    """
    tokens = doc.tokens
    cue_words = cue_lemmas()
    merged: list[tuple[str, list[tuple[int, int]]]] = []
    for name, a, b in _runs(labels):
        if merged and merged[-1][0] == name == "Direct":
            _, pb = merged[-1][1][-1]
            between = tokens[pb:a]
            if (
                a - pb <= MAX_INSERTED_FRAME
                and not any(t.pos == "$." for t in between)
                and any(t.lemma.lower() in cue_words and t.pos.startswith(("VV", "ADV", "APP")) for t in between)
            ):
                merged[-1][1].append((a, b))
                continue
        merged.append((name, [(a, b)]))
    out: list[Quotation] = []
    for name, parts in merged:
        if quote_p is not None:
            confidence = [quote_p[i] for pa, pb in parts for i in range(pa, pb)]
            if sum(confidence) / len(confidence) < QUOTE_MIN_CONFIDENCE:
                continue
        out.append(
            Quotation(
                article_id=doc.article.id,
                type=name,
                spans=tuple(Span(tokens[pa].start, tokens[pb - 1].end) for pa, pb in parts),
                medium="Speech",
            )
        )
    return out


def with_confidence(doc: Doc, quotations: list[Quotation], quote_p: list[float]) -> list[Quotation]:
    """Each quotation with how sure the quote tagger is that its words are quoted: the mean of
    ``quote_p`` (per token, 1 - P(O) from the CRF's marginals) over its tokens.

    Every quotation gets one, those the rules added or reshaped too, so that one measure ranks them
    all; the encoder mode's is the same mean over its pieces (``tagger.Reading.confidence``).
    """
    ends = token_ends(doc)
    out = []
    for q in quotations:
        tokens = covered(doc, q.spans, ends)
        mean = round(sum(quote_p[i] for i in tokens) / len(tokens), 3) if tokens else None
        out.append(replace(q, quote_confidence=mean))
    return out


def attribute_quotations(
    doc: Doc, quotations: list[Quotation], folder: Path | None = None, base: Features | None = None
) -> list[Quotation]:
    """Give each quotation the cue, speaker, addressee and frame the attribution tagger reads around it.

    Unchanged without an attribution model.
    """
    tagger = _tagger_at(_model(folder, ATTRIBUTION_MODEL))
    if tagger is None or not quotations:
        return quotations
    flat = [f for sequence in base or base_features(doc) for f in sequence]
    # every token's base scores, summed once; each quotation's window adds its own features
    base_scores = tagger.scores(flat)
    parts = token_parts(flat)
    sentence_of = sentence_index(doc)
    other = [False] * len(doc.tokens)
    ends = token_ends(doc)
    for i in covered(doc, [s for q in quotations for s in q.spans], ends):
        other[i] = True
    tokens = doc.tokens

    def span(a: int, b: int) -> Span:
        return Span(tokens[a].start, tokens[b - 1].end)

    out: list[Quotation] = []
    for q in quotations:
        quote = set(covered(doc, q.spans, ends))
        if not quote:
            out.append(q)
            continue
        roles = attribute(tagger, flat, base_scores, sentence_of, quote, q.type, other, doc, parts)
        cueless = q.type in CUELESS_TYPES
        cue = () if cueless else tuple(span(*c) for c in roles.cue)
        medium = q.medium
        if roles.cue and not cueless:
            medium = cue_lemmas().get(tokens[roles.cue[0][0]].lemma.lower(), "Speech")
        out.append(
            replace(
                q,
                cue=cue,
                speaker_mention=(span(*roles.speaker),) if roles.speaker else q.speaker_mention,
                addressee=(span(*roles.addressee),) if roles.addressee else (),
                frame=() if cueless else tuple(span(*f) for f in roles.frame),
                medium=medium,
            )
        )
    return out
