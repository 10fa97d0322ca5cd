"""The taggers' CRF engine: a crfsuite model, scored by quotetrail's compiled code or by pycrfsuite.

Both taggers are crfsuite models trained with python-crfsuite.  Tagging reads
the model file into arrays (``read_model``) and scores it with
``quotetrail._crf``, which lets the attribution tagger sum a token's base
features once per article instead of once per quotation window, and gives
labels and probabilities identical to pycrfsuite's (``tests/test_crf.py``).
Where that module was not built (no C compiler at install time), the same
interface runs on pycrfsuite, with the same results, only slower.

The interface: ``tagger.scores(items)`` takes a sequence's features, a dict
per token as crfsuite takes them (``{name: string value or weight}``);
``tagger.extend(base, start, items)`` takes tokens of an earlier sequence with
more features per token; both return a sequence with ``tag()`` (the best
labels) and ``marginals(label)`` (each token's probability of it).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pycrfsuite

#: crfsuite's CRF1d model file (crf1d_model.c): a 48-byte header, then chunks.
_HEADER = struct.Struct("<4sI4sIIIIIIIII")
_CHUNK = struct.Struct("<4sII")
_FEATURE = np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")])
_STATE, _TRANSITION = 0, 1


Item = dict[str, float | str]


class Sequence(Protocol):
    def tag(self) -> list[str]: ...
    def marginals(self, label: str) -> list[float]: ...


class Tagger(Protocol):
    def scores(self, items: list[Item]) -> Sequence: ...
    def extend(self, base: Sequence, start: int, items: list[Item]) -> Sequence: ...


@dataclass(frozen=True)
class ModelWeights:
    """A crfsuite model's content: labels, attribute names and the weights of its features."""

    labels: tuple[str, ...]
    attributes: tuple[str, ...]
    #: state features sorted by attribute: those of attribute ``a`` are ``starts[a]:starts[a + 1]``
    starts: np.ndarray
    state_labels: np.ndarray
    state_weights: np.ndarray
    #: L × L, row = previous label; 0 where the model has no transition feature
    transitions: np.ndarray


def _strings(buffer: bytes, offset: int, path: Path, what: str) -> tuple[str, ...]:
    """The strings of a CQDB chunk (crfsuite's string ↔ id database), by id, from its id → record array."""
    chunk, _size, _flag, byteorder, count, backward = struct.unpack_from("<4sIIIII", buffer, offset)
    if chunk != b"CQDB" or byteorder != 0x62445371 or offset + backward + 4 * count > len(buffer):
        raise ValueError(f"{path}: the {what} table is not a crfsuite CQDB chunk")
    out = []
    for record in struct.unpack_from(f"<{count}I", buffer, offset + backward):
        _id, length = struct.unpack_from("<II", buffer, offset + record)
        start = offset + record + 8
        out.append(buffer[start : start + length - 1].decode("utf-8"))  # length counts the closing NUL
    return tuple(out)


def read_model(path: Path) -> ModelWeights:
    """Read a crfsuite CRF1d model file; a ValueError names the file if it is not one."""
    buffer = Path(path).read_bytes()
    if len(buffer) < _HEADER.size:
        raise ValueError(f"{path}: too short for a crfsuite model")
    magic, size, kind, _version, _n, n_labels, n_attrs, off_features, off_labels, off_attrs, _lr, _ar = (
        _HEADER.unpack_from(buffer)
    )
    if magic != b"lCRF" or kind != b"FOMC" or size != len(buffer):
        raise ValueError(f"{path}: not a crfsuite CRF1d model (or a truncated one)")
    chunk, _size, count = _CHUNK.unpack_from(buffer, off_features)
    if chunk != b"FEAT":
        raise ValueError(f"{path}: no feature chunk where the header points")
    features = np.frombuffer(buffer, _FEATURE, count, off_features + _CHUNK.size)
    labels = _strings(buffer, off_labels, path, "label")
    attributes = _strings(buffer, off_attrs, path, "attribute")
    if len(labels) != n_labels or len(attributes) != n_attrs:
        raise ValueError(f"{path}: the header and the string tables disagree")
    state = features[features["type"] == _STATE]
    # a label's state score does not depend on the order of an attribute's features (each
    # feature has its own label), so a stable sort by attribute is enough
    state = state[np.argsort(state["src"], kind="stable")]
    starts = np.zeros(n_attrs + 1, dtype=np.int32)
    np.cumsum(np.bincount(state["src"], minlength=n_attrs), out=starts[1:])
    transitions = np.zeros((n_labels, n_labels))
    moves = features[features["type"] == _TRANSITION]
    transitions[moves["src"], moves["dst"]] = moves["weight"]
    if len(state) + len(moves) != count or (len(state) and state["dst"].max() >= n_labels):
        raise ValueError(f"{path}: features of an unknown type or label")
    return ModelWeights(
        labels=labels,
        attributes=attributes,
        starts=starts,
        state_labels=state["dst"].astype(np.int32),
        state_weights=state["weight"].astype(np.float64),
        transitions=transitions.ravel(),
    )


def _compiled(path: Path) -> Tagger | None:
    """``quotetrail._crf`` on the model at ``path``; None where the module was not built."""
    try:
        from .._crf import CRF
    except ImportError:
        return None
    weights = read_model(path)
    return CRF(
        weights.labels,
        {name: i for i, name in enumerate(weights.attributes)},
        weights.starts,
        weights.state_labels,
        weights.state_weights,
        weights.transitions,
    )


class _CrfsuiteSequence:
    """A sequence tagged by pycrfsuite, which holds one sequence at a time: set again when needed."""

    def __init__(self, tagger: CrfsuiteTagger, items: list[Item]) -> None:
        self.tagger = tagger
        self.items = items

    def _set(self) -> pycrfsuite.Tagger:
        if self.tagger.current is not self:
            self.tagger.crfsuite.set(self.items)
            self.tagger.current = self
        return self.tagger.crfsuite

    def tag(self) -> list[str]:
        return self._set().tag()

    def marginals(self, label: str) -> list[float]:
        crfsuite = self._set()
        return [crfsuite.marginal(label, t) for t in range(len(self.items))]


class CrfsuiteTagger:
    """The ``Tagger`` interface on pycrfsuite (where ``quotetrail._crf`` was not built)."""

    def __init__(self, path: Path) -> None:
        self.crfsuite = pycrfsuite.Tagger()
        self.crfsuite.open(str(path))
        self.current: _CrfsuiteSequence | None = None

    def scores(self, items: list[Item]) -> _CrfsuiteSequence:
        return _CrfsuiteSequence(self, items)

    def extend(self, base: _CrfsuiteSequence, start: int, items: list[Item]) -> _CrfsuiteSequence:
        if start < 0 or start + len(items) > len(base.items):
            raise IndexError("window outside the base sequence")
        return _CrfsuiteSequence(self, [{**base.items[start + t], **item} for t, item in enumerate(items)])


def open_tagger(path: Path, *, compiled: bool = True) -> Tagger | None:
    """The tagger for the model at ``path`` (None if there is no file): compiled where built,
    else (or with ``compiled=False``) pycrfsuite."""
    if not path.exists():
        return None
    tagger = _compiled(path) if compiled else None
    return tagger if tagger is not None else CrfsuiteTagger(path)
