"""The learned quotation tagger: two linear-chain CRFs over paragraph token sequences.

One CRF labels quote tokens with their type (BIO: ``B-Indirect``...), the
other labels cue, speaker and addressee tokens and the rest of the frame.
``assemble`` turns the two label layers into Quotations: a quote run takes
the nearest cue run, the speaker run nearest that cue, and the frame of the
cue's sentence.  Trained on the wikinews-quotes train split
(``quotetrail train``); the model files inherit that corpus's licence,
CC BY-NC-SA 4.0 (see ``models/LICENSE.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path

import pycrfsuite

from ..lexicons import load_lexicon
from ..model import Doc, Quotation, Span
from .attribution import ATTRIBUTION_MODEL, attribute, covered, sentence_index, window
from .attribution import features as attribution_features
from .attribution import labels as attribution_labels
from .features import Features, base_features, cue_lemmas, doc_features, stack_features

QUOTE_MODEL = "quote_tagger.crfsuite"
ROLE_MODEL = "role_tagger.crfsuite"
ROLE_PRIORITY = ("cue", "speaker", "addressee", "frame")
#: Types that the wikinews-quotes scheme annotates without cue and frame (train: over 95% of them).
CUELESS_TYPES = frozenset({"FreeIndirect", "IndirectFreeIndirect", "Reported"})


def models_dir() -> Path:
    return Path(str(resources.files("quotetrail") / "models"))


@cache
def _taggers(folder: str) -> tuple[pycrfsuite.Tagger, pycrfsuite.Tagger] | None:
    quote_path, role_path = Path(folder) / QUOTE_MODEL, Path(folder) / ROLE_MODEL
    if not (quote_path.exists() and role_path.exists()):
        return None
    quote, role = pycrfsuite.Tagger(), pycrfsuite.Tagger()
    quote.open(str(quote_path))
    role.open(str(role_path))
    return quote, role


@cache
def _attribution_tagger(folder: str) -> pycrfsuite.Tagger | None:
    path = Path(folder) / ATTRIBUTION_MODEL
    if not path.exists():
        return None
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    return tagger


def model_available(folder: Path | None = None) -> bool:
    return _taggers(str(folder or models_dir())) is not None


# -- training labels ---------------------------------------------------------
def token_labels(doc: Doc, gold: Iterable[object]) -> tuple[list[str], list[str]]:
    """Quote-layer and role-layer labels of every token from gold quotations (char spans)."""
    n = len(doc.tokens)
    quote = ["O"] * n
    role = ["O"] * n
    # longer quotes first so that nested quotes do not split an outer one
    for g in sorted(gold, key=lambda g: -sum(len(s) for s in g.quote)):  # type: ignore[attr-defined]
        idx = covered(doc, g.quote)  # type: ignore[attr-defined]
        if not idx or any(quote[i] != "O" for i in idx):
            continue
        prev = None
        for i in idx:
            quote[i] = ("I-" if prev == i - 1 else "B-") + str(g.type)  # type: ignore[attr-defined]
            prev = i
        for name in reversed(ROLE_PRIORITY):
            role_idx = covered(doc, g.roles.get(name, ()))  # type: ignore[attr-defined]
            prev = None
            for i in role_idx:
                if quote[i] != "O" and name == "frame":
                    continue
                if name == "frame":
                    role[i] = "frame"
                else:
                    role[i] = ("I-" if prev == i - 1 else "B-") + name
                prev = i
    return quote, role


def split_labels(doc: Doc, labels: list[str]) -> list[list[str]]:
    """Cut a token-level label list into the paragraph sequences of ``doc_features``."""
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
    """Train the three CRFs from ``(doc, gold quotations)`` pairs and write them to ``out_dir``."""
    quote_trainer = pycrfsuite.Trainer(verbose=False)
    role_trainer = pycrfsuite.Trainer(verbose=False)
    attribution_trainer = pycrfsuite.Trainer(verbose=False)
    for doc, gold in examples:
        q_labels, r_labels = token_labels(doc, gold)
        base = doc_features(doc)
        for xseq, qseq in zip(base, split_labels(doc, q_labels), strict=True):
            quote_trainer.append(xseq, qseq)
        # the role tagger learns from the gold quote layer (stacking); at tagging time it sees predicted quotes
        for xseq, rseq in zip(stack_features(doc, base, q_labels), split_labels(doc, r_labels), strict=True):
            role_trainer.append(xseq, rseq)
        # the attribution tagger learns each gold quotation's roles in the window around it
        flat = [f for sequence in base for f in sequence]
        sentence_of = sentence_index(doc)
        other = [label != "O" for label in q_labels]
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
    for trainer, name in (
        (quote_trainer, QUOTE_MODEL),
        (role_trainer, ROLE_MODEL),
        (attribution_trainer, ATTRIBUTION_MODEL),
    ):
        trainer.set_params({"c1": c1, "c2": c2, "max_iterations": max_iterations, "feature.possible_transitions": True})
        trainer.train(str(out_dir / name))
    _taggers.cache_clear()
    _attribution_tagger.cache_clear()


# -- prediction ----------------------------------------------------------------
def _runs(labels: list[str]) -> list[tuple[str, int, int]]:
    """``(name, first, last+1)`` runs of BIO labels."""
    runs: list[tuple[str, int, int]] = []
    for i, label in enumerate(labels):
        if label == "O":
            continue
        if label == "frame":
            continue
        tag, name = label.split("-", 1)
        if tag == "I" and runs and runs[-1][0] == name and runs[-1][2] == i:
            runs[-1] = (name, runs[-1][1], i + 1)
        else:
            runs.append((name, i, i + 1))
    return runs


#: Articles and pronouns that cannot open a subject (dative or accusative only), and the
#: prepositions after which the scheme still annotates such a phrase as the source.
OBLIQUE_WORDS = frozenset({"dem", "den", "einem", "einen", "ihm", "ihn", "ihnen", "diesem", "diesen"})
SOURCE_PREPOSITIONS = frozenset({"laut", "nach", "zufolge", "gemäß", "von", "aus", "bei"})

#: A token is labelled with its best non-O label when P(O) falls below these values
#: (Viterbi alone is the 0.5 case).  Raising them trades precision for recall; tuned on
#: the wikinews-quotes dev split with bench/accuracy.py — re-run it after changing them.
QUOTE_O_THRESHOLD = 0.5
#: A quote run whose tokens' mean probability of being quoted is below this is dropped:
#: an unpaired quotation costs precision on every one of its parts (tuned on dev, 0.646 -> 0.650).
QUOTE_MIN_CONFIDENCE = 0.62
ROLE_O_THRESHOLD = 0.65


def _decode(tagger: pycrfsuite.Tagger, xseq: list[dict], o_threshold: float) -> list[str]:
    """Viterbi labels, then recall-oriented relabelling of tokens whose P(O) is below ``o_threshold``."""
    labels = tagger.tag(xseq)
    if o_threshold <= 0.5:
        return labels
    names = [name for name in tagger.labels() if name != "O"]
    for i, label in enumerate(labels):
        if label != "O":
            continue
        if tagger.marginal("O", i) < o_threshold:
            best = max(names, key=lambda name: tagger.marginal(name, i))
            if best.startswith("I-") and (i == 0 or labels[i - 1] == "O" or labels[i - 1][2:] != best[2:]):
                best = "B-" + best[2:]
            labels[i] = best
    return labels


def tag_doc(
    doc: Doc, folder: Path | None = None, base: Features | None = None
) -> tuple[list[str], list[str], list[float]] | None:
    """Quote-layer and role-layer labels for every token, and each token's probability of
    being quoted (1 - P(O) on the quote layer); None without a model."""
    taggers = _taggers(str(folder or models_dir()))
    if taggers is None:
        return None
    quote_tagger, role_tagger = taggers
    base = base if base is not None else base_features(doc)
    q_labels: list[str] = []
    quote_p: list[float] = []
    for xseq in base:
        q_labels += _decode(quote_tagger, xseq, QUOTE_O_THRESHOLD)
        quote_p += [1.0 - quote_tagger.marginal("O", i) for i in range(len(xseq))]
    r_labels: list[str] = []
    for xseq in stack_features(doc, base, q_labels):
        r_labels += _decode(role_tagger, xseq, ROLE_O_THRESHOLD)
    return q_labels, r_labels, quote_p


def assemble(doc: Doc, q_labels: list[str], r_labels: list[str], quote_p: list[float] | None = None) -> list[Quotation]:
    """Build Quotations from the two label layers.

    With ``quote_p`` (per token, the quote layer's probability that it is quoted),
    a quote run whose mean probability is below ``QUOTE_MIN_CONFIDENCE`` is left out.
    """
    tokens = doc.tokens
    sentence_of = [0] * len(tokens)
    for si, s in enumerate(doc.sentences):
        for i in range(s.first, s.last):
            sentence_of[i] = si
    quotes = _runs(q_labels)
    roles = _runs(r_labels)
    in_quote = [lab != "O" for lab in q_labels]
    cues = [(a, b) for name, a, b in roles if name == "cue"]
    speakers = [(a, b) for name, a, b in roles if name == "speaker"]
    addressees = [(a, b) for name, a, b in roles if name == "addressee"]

    def span(a: int, b: int) -> Span:
        return Span(tokens[a].start, tokens[b - 1].end)

    def not_subject(ca: int) -> bool:
        """A run in the dative or accusative ("dem Sender", "ihn") is rarely the speaker, unless a source preposition governs it."""
        governed = ca > 0 and tokens[ca - 1].text.lower() in SOURCE_PREPOSITIONS
        return tokens[ca].text.lower() in OBLIQUE_WORDS and not governed

    def nearest(candidates: list[tuple[int, int]], a: int, b: int, max_sent: int) -> tuple[int, int] | None:
        best, best_d = None, None
        for ca, cb in candidates:
            d = 0 if cb > a and ca < b else min(abs(ca - b), abs(a - cb))
            ds = min(abs(sentence_of[ca] - sentence_of[a]), abs(sentence_of[ca] - sentence_of[b - 1]))
            if ds > max_sent:
                continue
            key = (not_subject(ca), d)
            if best_d is None or key < best_d:
                best, best_d = (ca, cb), key
        return best

    # merge a quote split by an inserted frame: same type, same sentence region, only frame/roles between
    merged: list[tuple[str, list[tuple[int, int]]]] = []
    for name, a, b in quotes:
        if merged and merged[-1][0] == name == "Direct":
            _, pb = merged[-1][1][-1]
            between = range(pb, a)
            if (
                a - pb <= 12
                and all(r_labels[i] != "O" or tokens[i].text in ",:" for i in between)
                and any(r_labels[i].endswith("cue") for i in between)
            ):
                merged[-1][1].append((a, b))
                continue
        merged.append((name, [(a, b)]))

    def cue_parts(cue: tuple[int, int]) -> list[tuple[int, int]]:
        """The cue run with the other cue runs of its sentence close by ("teilte … mit", "Wie sich … ergab")."""
        si = sentence_of[cue[0]]
        return sorted(
            c
            for c in cues
            if c == cue or (sentence_of[c[0]] == si and min(abs(c[0] - cue[1]), abs(cue[0] - c[1])) <= 8)
        )

    medium_of = cue_lemmas()
    source_adverbs = {row["word"] for row in load_lexicon("source_adverbs")}
    out: list[Quotation] = []
    for name, parts in merged:
        a, b = parts[0][0], parts[-1][1]
        if quote_p is not None:
            confidence = [quote_p[i] for pa, pb in parts for i in range(pa, pb)]
            if sum(confidence) / len(confidence) < QUOTE_MIN_CONFIDENCE:
                continue
        # free indirect and reported speech carry no cue or frame of their own in the annotation scheme
        cue = nearest(cues, a, b, 1) if name not in CUELESS_TYPES else None
        anchor = cue or (a, b)
        if name == "Reported":
            # reported speech names its source inside itself ("Die SPD fordert …")
            inside = [(ca, cb) for ca, cb in speakers if a <= ca and cb <= b]
            speaker = inside[0] if inside else nearest(speakers, a, b, 0)
        elif name in CUELESS_TYPES:
            # free indirect speech continues a frame before it; a speaker after it frames something else
            before = [(ca, cb) for ca, cb in speakers if ca < a and sentence_of[a] - sentence_of[ca] <= 1]
            inside = [(ca, cb) for ca, cb in speakers if a <= ca and cb <= b]
            speaker = before[-1] if before else (inside[0] if inside else None)
        elif cue is not None and cue[1] - cue[0] == 1 and tokens[cue[0]].text.lower() in source_adverbs:
            # "Demnach hat …": the adverb is both the cue and the (anaphoric) source
            speaker = cue
        else:
            speaker = nearest(speakers, anchor[0], anchor[1], 1 if cue is None else 0) or nearest(speakers, a, b, 1)
        addressee = nearest(addressees, anchor[0], anchor[1], 0) if cue else None
        frame_spans: list[Span] = []
        if cue is not None:
            s = doc.sentences[sentence_of[cue[0]]]
            run: list[int] = []
            for i in range(s.first, s.last):
                if r_labels[i] != "O" and not in_quote[i]:
                    run.append(i)
                elif run:
                    frame_spans.append(span(run[0], run[-1] + 1))
                    run = []
            if run:
                frame_spans.append(span(run[0], run[-1] + 1))
        medium = "Speech"
        if cue is not None:
            lemma = tokens[cue[0]].lemma.lower()
            medium = medium_of.get(lemma, "Speech")
        out.append(
            Quotation(
                article_id=doc.article.id,
                type=name,
                spans=tuple(span(pa, pb) for pa, pb in parts),
                cue=tuple(span(ca, cb) for ca, cb in cue_parts(cue)) if cue else (),
                speaker_mention=(span(*speaker),) if speaker else (),
                frame=tuple(frame_spans),
                addressee=(span(*addressee),) if addressee else (),
                medium=medium,
            )
        )
    return out


def attribute_quotations(
    doc: Doc, quotations: list[Quotation], folder: Path | None = None, base: Features | None = None
) -> list[Quotation]:
    """Give each quotation the cue, speaker, addressee and frame the attribution tagger reads around it.

    Unchanged without an attribution model.
    """
    tagger = _attribution_tagger(str(folder or models_dir()))
    if tagger is None or not quotations:
        return quotations
    flat = [f for sequence in (base if base is not None else base_features(doc)) for f in sequence]
    sentence_of = sentence_index(doc)
    other = [False] * len(doc.tokens)
    for i in covered(doc, [s for q in quotations for s in q.spans]):
        other[i] = True
    tokens = doc.tokens

    def span(a: int, b: int) -> Span:
        return Span(tokens[a].start, tokens[b - 1].end)

    out: list[Quotation] = []
    for q in quotations:
        quote = set(covered(doc, q.spans))
        if not quote:
            out.append(q)
            continue
        roles = attribute(tagger, flat, sentence_of, quote, q.type, other, doc)
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


def find_learned_quotations(
    doc: Doc, folder: Path | None = None, base: Features | None = None
) -> list[Quotation] | None:
    """Quotations from the learned tagger, or None when no model is installed.

    ``base`` is ``base_features(doc)`` when the caller has it already (it is shared with attribution).
    """
    labels = tag_doc(doc, folder, base)
    if labels is None:
        return None
    return assemble(doc, *labels)
