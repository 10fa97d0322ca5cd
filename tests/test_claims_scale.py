"""Claims at scale (issue 14): incremental updates, the index beside the database, incremental syndication.

Quotations get hand-made vectors (put into the embeddings cache under their
text hash), so the tests exercise grouping, not the encoder, and run in
seconds.  Topics are random directions; a quotation is its topic's direction
plus noise, so within a topic similarities straddle the join threshold and
the join rule really decides.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from quotetrail.claims import update_claims
from quotetrail.claims.breadth import BREADTHS
from quotetrail.claims.embed import MODEL, text_hash
from quotetrail.claims.group import Item, assign, medoid, related
from quotetrail.claims.index import NeighbourIndex, index_paths, open_indexes
from quotetrail.claims.stance import polarity, stance_toward
from quotetrail.claims.syndication import find_syndicated, update_syndication
from quotetrail.model import Article, Extraction, Quotation, Span
from quotetrail.store import open_store

TOPICS = ["Truppen", "Haushalt", "Energie", "Grenzen", "Renten", "Steuern"]
SPEAKERS = ["Jens Stoltenberg", "Olaf Scholz", None]


def _quotes(rng: np.random.Generator, n: int, topics: list[str], start: int = 0) -> list[tuple[str, str, np.ndarray]]:
    """``(text, said_on, vector)``: restatements, some denied or hedged, of a few topics."""
    directions = {t: rng.normal(size=384) for t in TOPICS}
    out = []
    for i in range(start, start + n):
        topic = topics[i % len(topics)]
        kind = ("positive", "negative", "hedge")[int(rng.integers(0, 6)) // 4]  # mostly positive
        verb = {"positive": "will", "negative": "will nicht", "hedge": "könnte"}[kind]
        text = f"Die Regierung {verb} beim Thema {topic} handeln, Beschluss Nummer {i}"
        vector = directions[topic] + rng.normal(scale=0.28, size=384)
        out.append(
            (text, f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}", (vector / np.linalg.norm(vector)).astype(np.float32))
        )
    return out


def _add(store, quotes: list[tuple[str, str, np.ndarray]], prefix: str, rng: np.random.Generator) -> list[Item]:
    """Store each quotation in an article of its own, with its vector already in the embeddings cache."""
    items = []
    store.put_embeddings([(text_hash(t), v.tobytes()) for t, _, v in quotes], MODEL)
    for i, (text, said_on, _) in enumerate(quotes):
        body = f"Berlin. {text} sagte ein Sprecher."
        start = body.index(text)
        speaker = SPEAKERS[int(rng.integers(0, len(SPEAKERS)))]
        article = Article(f"{prefix}{i}", f"{prefix}{i}.txt", body, outlet="Zeit", published=said_on, language="de")
        q = Quotation(article.id, "Direct", (Span(start, start + len(text)),), speaker=speaker, said_on=said_on)
        store.add_extraction(Extraction(article, (q,)))
        items.append(Item(q.id, text, speaker, polarity(text), said_on))
    return items


def _state(store) -> dict[str, tuple]:
    """Each claim as a reader sees it: text, members with stance, report count."""
    return {
        c.id: (c.text, tuple(sorted((q, s) for q, s, _ in store.claim_members(c.id))), c.reports, c.speakers)
        for c in store.claims()
    }


@pytest.fixture
def grown(tmp_path: Path):
    """A store grouped in two updates: 60 quotations, then 30 more (some dated before the first ones)."""
    rng = np.random.default_rng(14)
    store = open_store(tmp_path / "q.db")
    first = _quotes(rng, 60, TOPICS)
    vectors = {text_hash(t): v for t, _, v in first}
    items_1 = _add(store, first, "a", rng)
    update_claims(store)
    second = _quotes(rng, 30, TOPICS, start=60)
    vectors.update({text_hash(t): v for t, _, v in second})
    items_2 = _add(store, second, "b", rng)
    return store, items_1, items_2, vectors


def test_incremental_grouping_equals_the_exact_algorithm(grown) -> None:
    """Index-backed updates give the claims, canonical texts and contradictions of exact search."""
    store, items_1, items_2, by_hash = grown
    summary = update_claims(store)
    assert summary.new_quotations == 30
    vectors = {i.quotation_id: by_hash[text_hash(i.text)] for i in items_1 + items_2}
    groups = assign(items_1, np.stack([vectors[i.quotation_id] for i in items_1]), [])
    groups = assign(items_2, np.stack([vectors[i.quotation_id] for i in items_2]), groups)
    items = {i.quotation_id: i for i in items_1 + items_2}
    links = related(groups, items, vectors)
    expected = {}
    for g in groups:
        members = [(m, "affirms") for m in g.members]
        members += [(q, stance_toward(g.polarity, items[q].polarity)) for q, _ in links.get(g.id, [])]
        text = items[medoid(sorted(g.members, key=lambda m: (items[m].said_on, m)), vectors)].text
        expected[g.id] = (text, tuple(sorted(members)), len(g.members))
    got = {cid: state[:3] for cid, state in _state(store).items()}
    assert got == expected
    assert any(n > 1 for _, _, n in got.values()) and any(n == 1 for _, _, n in got.values())
    assert any(s != "affirms" for _, members, _ in got.values() for _, s in members)


def test_update_with_nothing_new_writes_nothing(grown) -> None:
    store, *_ = grown
    update_claims(store)
    before, generation = _state(store), store.claims_generation()
    summary = update_claims(store)
    assert (summary.new_quotations, summary.changed_claims) == (0, 0)
    assert summary.line().startswith("nothing new to group")
    assert store.claims_generation() == generation and _state(store) == before


def test_new_quotations_change_only_the_claims_they_join(grown) -> None:
    """A restatement joins its claim; other claims change only where it now contradicts them."""
    store, items_1, items_2, by_hash = grown
    update_claims(store)
    before = _state(store)
    claim = next(c for c in store.claims() if c.reports >= 2)
    member = next(q for q, stance, _ in store.claim_members(claim.id) if stance == "affirms")
    text = next(i.text for i in items_1 + items_2 if i.quotation_id == member)
    restated = f"{text} und dabei bleibt es"
    store.put_embeddings([(text_hash(restated), by_hash[text_hash(text)].tobytes())], MODEL)
    article = Article("late", "late.txt", restated, outlet="Welt", published="2024-12-30", language="de")
    new = Quotation("late", "Direct", (Span(0, len(restated)),))
    store.add_extraction(Extraction(article, (new,)))
    summary = update_claims(store)
    after = _state(store)
    changed = {cid for cid in after if after[cid] != before[cid]}
    assert (summary.new_quotations, summary.changed_claims) == (1, len(changed))
    assert after[claim.id][2] == before[claim.id][2] + 1 and (new.id, "affirms") in after[claim.id][1]
    assert store.claim(claim.id).outlets[-1] == "Welt"
    for cid in set(after) - {claim.id}:
        gained = set(after[cid][1]) - set(before[cid][1])
        assert not set(before[cid][1]) - set(after[cid][1]) and {q for q, _ in gained} <= {new.id}
        assert after[cid][0] == before[cid][0] and after[cid][2] == before[cid][2]


def test_the_index_beside_the_database_is_reused_and_rebuilt_when_deleted(grown, tmp_path: Path) -> None:
    store, *_ = grown
    update_claims(store)
    centroids_path, quotations_path = index_paths(store)
    assert centroids_path.exists() and quotations_path.exists()
    store.close()
    reopened = open_store(tmp_path / "q.db")
    reopened.iter_claim_centroids = lambda: pytest.fail("the saved index should have been loaded")
    assert len(open_indexes(reopened).centroids) == len(reopened.claims())
    reopened.close()
    centroids_path.unlink()
    reopened = open_store(tmp_path / "q.db")
    indexes = open_indexes(reopened)
    assert len(indexes.centroids) == len(reopened.claims())
    claim = next(c for c in reopened.claims() if c.reports >= 2)
    group = reopened.claim_groups(claim_ids=[claim.id])[0]
    centroid = np.frombuffer(group[3], np.float32) / np.linalg.norm(np.frombuffer(group[3], np.float32))
    keys, scores = indexes.centroids.search(centroid, 1)
    assert keys[0] == group[0] and scores[0] == pytest.approx(1.0, abs=1e-4)


def test_the_sidecar_records_the_search_breadth_and_an_older_one_is_measured_on_opening(grown) -> None:
    """The breadth measured when the big file was written is kept; a sidecar from before breadths is measured again."""
    store, *_ = grown
    update_claims(store)
    path = index_paths(store)[0]
    meta = json.loads(Path(f"{path}.json").read_text())
    assert meta["breadth"] == BREADTHS[-1]  # too small a graph to narrow the search
    del meta["breadth"]
    Path(f"{path}.json").write_text(json.dumps(meta))
    store.iter_claim_centroids = lambda: pytest.fail("an older sidecar is measured, not a reason to rebuild")
    assert open_indexes(store).centroids.breadth == BREADTHS[-1]


def test_a_stale_index_is_rebuilt_not_trusted(grown, tmp_path: Path) -> None:
    """An index saved for another generation (a crash before the save) is rebuilt from the database."""
    store, *_ = grown
    path = index_paths(store)[0]
    stale = path.read_bytes()
    stale_meta = Path(f"{path}.json").read_text()
    update_claims(store)
    path.write_bytes(stale)
    Path(f"{path}.json").write_text(stale_meta)
    assert len(open_indexes(store).centroids) == len(store.claims())


def test_rebuild_regroups_everything_from_scratch(grown) -> None:
    store, items_1, items_2, by_hash = grown
    update_claims(store)
    summary = update_claims(store, rebuild=True)
    assert summary.new_quotations == 90
    items = items_1 + items_2
    vectors = np.stack([by_hash[text_hash(i.text)] for i in items])
    expected = sorted(sorted(g.members) for g in assign(items, vectors, []))
    got = sorted(sorted(q for q, s, _ in store.claim_members(c.id) if s == "affirms") for c in store.claims())
    assert got == expected


def test_only_the_quotations_named_are_grouped(grown) -> None:
    store, _, items_2, _ = grown
    summary = update_claims(store, quotation_ids=[items_2[0].quotation_id])
    assert summary.new_quotations == 1
    assert len(store.ungrouped_quotations()) == len(items_2) - 1


def test_a_replaced_article_repairs_its_claim(grown) -> None:
    """Replacing an article drops its quotation from its claim; the claim's stored centroid follows."""
    store, *_ = grown
    update_claims(store)
    claim = next(c for c in store.claims() if c.reports >= 2)
    victim = claim.quotation_ids[-1]
    article_id = store.ledger_rows([victim])[0].article_id
    old = store.article(article_id)
    store.add_extraction(Extraction(Article("new-version", old.source, "Ganz anderer Text.", language="de"), ()))
    update_claims(store)
    assert store.claim(claim.id).reports == claim.reports - 1
    assert store.claim_groups(claim_ids=[claim.id])[0][4] == claim.reports - 1


STORY = (
    "Die Nato schließt eine militärische Unterstützung der Ukraine weiter aus, sagte Generalsekretär "
    "Jens Stoltenberg am Donnerstag in Brüssel vor Journalisten. Die Allianz werde ihre Ostflanke stärken. "
)


def _article(store, article_id: str, published: str, text: str) -> str:
    article = Article(article_id, f"{article_id}.txt", text, published=published, language="de")
    store.add_extraction(Extraction(article, (Quotation(article_id, "Direct", (Span(0, 10),)),)))
    return article_id


def test_incremental_syndication_equals_the_full_comparison(tmp_path: Path) -> None:
    """Copies arrive before their original, in separate updates; the links end as a full comparison finds them."""
    store = open_store(tmp_path / "s.db")
    texts = {
        "copy1": ("2022-02-25", "Berlin. " + STORY * 3 + "Mehr dazu später."),
        "other": ("2022-02-24", "Der Bundestag hat am Freitag den Haushalt beschlossen, mit großer Mehrheit. " * 3),
        "orig": ("2022-02-24", STORY * 3),
        "copy2": ("2022-02-26", STORY * 3 + "Ein Kommentar von der Redaktion folgt."),
        "late": ("2022-03-01", "Hamburg. " + STORY * 2 + "Der Hafen meldet Rekorde. " * 8),
    }
    for batch in (["copy1", "other"], ["orig", "copy2"], ["late"]):
        update_syndication(store, [_article(store, a, *texts[a]) for a in batch])
    full = find_syndicated([(a, published, text) for a, (published, text) in texts.items()])
    assert sorted(store.syndication()) == sorted(full)
    assert {c: o for c, o, _ in full if c.startswith("copy")} == {"copy1": "orig", "copy2": "orig"}
    assert update_syndication(store, list(texts)) == set()  # each article is compared once


def test_syndicated_copies_are_embedded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The embeddings cache is keyed by the text: twenty outlets printing one quotation cost one embedding."""
    encoded: list[str] = []

    def fake_encode(texts: list[str]) -> np.ndarray:
        encoded.extend(texts)
        seeds = [int(text_hash(t)[:8], 16) for t in texts]
        vectors = np.stack([np.random.default_rng(s).normal(size=384) for s in seeds]).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    monkeypatch.setattr("quotetrail.claims.embed.encode", fake_encode)
    store = open_store(tmp_path / "e.db")
    quote = "Wir haben keine Pläne, Nato-Truppen in die Ukraine zu schicken"
    for i, outlet in enumerate(["Spiegel", "Zeit", "Welt"]):
        text = f"{quote}, sagte er{' ' * i}. Bericht von {outlet}."
        article = Article(f"s{i}", f"s{i}.txt", text, outlet=outlet, language="de")
        store.add_extraction(Extraction(article, (Quotation(f"s{i}", "Direct", (Span(0, len(quote)),)),)))
    update_claims(store)
    assert encoded == [quote]
    article = Article("s9", "s9.txt", quote + " und mehr.", outlet="taz", language="de")
    store.add_extraction(Extraction(article, (Quotation("s9", "Direct", (Span(0, len(quote)),)),)))
    summary = update_claims(store)
    assert summary.new_quotations == 1 and encoded == [quote]
    [claim] = store.claims()
    assert claim.reports == 4


def test_a_joined_claim_moves_to_a_new_index_key_and_the_old_one_is_never_found(grown, tmp_path: Path) -> None:
    """A join re-indexes the claim's centroid under a new key (the old entry is a tombstone), saved with the claim."""
    store, items_1, _, by_hash = grown
    update_claims(store)
    before = {g[1]: (g[0], g[4]) for g in store.claim_groups(claim_ids=[c.id for c in store.claims()])}
    for n, item in enumerate(items_1[:5]):  # restatements of five stored quotations
        restated = f"{item.text} und dabei bleibt es"
        store.put_embeddings([(text_hash(restated), by_hash[text_hash(item.text)].tobytes())], MODEL)
        article = Article(f"re{n}", f"re{n}.txt", restated, outlet="Welt", published="2024-12-30", language="de")
        store.add_extraction(Extraction(article, (Quotation(f"re{n}", "Direct", (Span(0, len(restated)),)),)))
    update_claims(store)
    groups = {g[1]: g for g in store.claim_groups(claim_ids=[c.id for c in store.claims()])}
    joined = [c for c, (key, size) in before.items() if groups[c][4] > size]
    assert joined and all(groups[c][0] != before[c][0] for c in joined)
    assert all(groups[c][0] == before[c][0] for c in before if c not in joined)
    store.close()
    reopened = open_store(tmp_path / "q.db")
    reopened.iter_claim_centroids = lambda: pytest.fail("the saved index should have been loaded")
    indexes = open_indexes(reopened)
    meta = json.loads(Path(f"{index_paths(reopened)[0]}.json").read_text())
    assert meta["deleted"] >= len(joined) and len(indexes.centroids) == len(groups) == meta["count"] - meta["deleted"]
    live = {g[0] for g in groups.values()}
    for claim_id in joined:
        vector_sum = np.frombuffer(groups[claim_id][3], np.float32)
        keys, scores = indexes.centroids.search(vector_sum / np.linalg.norm(vector_sum), 5)
        assert keys[0] == groups[claim_id][0] and scores[0] == pytest.approx(1.0, abs=1e-4)
        assert set(keys.tolist()) <= live  # tombstones (old keys) are never returned
    assert indexes.next_claim_key >= meta["next_key"] > max(live)


def test_an_index_with_too_many_tombstones_is_rebuilt(grown) -> None:
    store, *_ = grown
    update_claims(store)
    path = Path(f"{index_paths(store)[0]}.json")
    meta = json.loads(path.read_text())
    rebuilt: list[bool] = []
    original = store.iter_claim_centroids
    store.iter_claim_centroids = lambda: rebuilt.append(True) or original()
    assert len(open_indexes(store).centroids) == meta["count"] - meta["deleted"] and not rebuilt
    path.write_text(json.dumps({**meta, "deleted": meta["count"] // 2}))
    indexes = open_indexes(store)
    assert rebuilt and indexes.centroids.deleted == 0 and len(indexes.centroids) == len(store.claims())


def _restate(store, item: Item, by_hash: dict[str, np.ndarray], name: str) -> str:
    """Store a restatement of ``item`` (its vector, a few words added) in an article of its own; its quotation id."""
    restated = f"{item.text} und dabei bleibt es"
    store.put_embeddings([(text_hash(restated), by_hash[text_hash(item.text)].tobytes())], MODEL)
    article = Article(name, f"{name}.txt", restated, outlet="Welt", published="2024-12-30", language="de")
    quotation = Quotation(name, "Direct", (Span(0, len(restated)),))
    store.add_extraction(Extraction(article, (quotation,)))
    return quotation.id


def _claim_of(store, quotation_id: str) -> str:
    return store.conn.execute("SELECT claim_id FROM quotations WHERE id = ?", (quotation_id,)).fetchone()[0]


def test_index_files_of_the_older_hnswlib_format_are_rebuilt_with_a_notice(grown) -> None:
    """Files written by the hnswlib version are not read: both are rebuilt from the database, and grouping goes on."""
    store, items_1, _, by_hash = grown
    update_claims(store)
    generation = store.claims_generation()
    for path in index_paths(store):
        for extra in (".delta", ".tombstones"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        path.write_bytes(b"hnswlib graph " * 100)  # what the older version left: another file format
        count = json.loads(Path(f"{path}.json").read_text())["count"]
        old = {
            "generation": generation,
            "count": count,
            "deleted": 0,
            "next_key": count,
            "library": "hnswlib",
            "dim": 384,
        }
        Path(f"{path}.json").write_text(json.dumps(old))
    notices: list[str] = []
    quotation_id = _restate(store, items_1[0], by_hash, "again0")
    assert update_claims(store, notice=notices.append).new_quotations == 1
    assert [n for n in notices if "older hnswlib format" in n and n.startswith("rebuilding the")] == notices
    assert len(notices) == 2
    assert _claim_of(store, quotation_id) == _claim_of(store, items_1[0].quotation_id)
    assert all(json.loads(Path(f"{p}.json").read_text())["library"] == "usearch" for p in index_paths(store))
    notices.clear()
    quotation_id = _restate(store, items_1[1], by_hash, "again1")
    update_claims(store, notice=notices.append)
    assert not notices and _claim_of(store, quotation_id) == _claim_of(store, items_1[1].quotation_id)


def test_an_update_writes_the_delta_and_merges_it_into_the_big_file_once_grown(
    grown, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The big file is memory-mapped and left alone while the delta is small; a grown delta is merged into it."""
    from quotetrail.claims import index as index_module

    store, items_1, _, by_hash = grown
    update_claims(store)
    monkeypatch.setattr(index_module, "MERGE_FRACTION", 0.5)
    update_claims(store)  # the 30 newer quotations: the delta may have been merged here; not below
    centroids_path = index_paths(store)[0]
    before = centroids_path.stat()
    notices: list[str] = []
    quotation_id = _restate(store, items_1[2], by_hash, "again2")
    update_claims(store, notice=notices.append)
    after = centroids_path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns) and not notices
    meta = json.loads(Path(f"{centroids_path}.json").read_text())
    assert meta["delta"] >= 1 and Path(f"{centroids_path}.delta").exists()
    assert _claim_of(store, quotation_id) == _claim_of(store, items_1[2].quotation_id)
    monkeypatch.setattr(index_module, "MERGE_FRACTION", 0.0)
    quotation_id = _restate(store, items_1[3], by_hash, "again3")
    update_claims(store, notice=notices.append)
    assert any(n.startswith("merging") and "claims index" in n for n in notices)
    meta = json.loads(Path(f"{centroids_path}.json").read_text())
    assert meta["delta"] == 0 and not Path(f"{centroids_path}.delta").exists()
    assert centroids_path.stat().st_ino != before.st_ino
    assert _claim_of(store, quotation_id) == _claim_of(store, items_1[3].quotation_id)
    store.close()
    reopened = open_store(tmp_path / "q.db")
    reopened.iter_claim_centroids = lambda: pytest.fail("the merged index should have been opened")
    indexes = open_indexes(reopened)
    groups = reopened.claim_groups(claim_ids=[c.id for c in reopened.claims()])
    assert len(indexes.centroids) == len(groups)
    for key, _, _, vector_sum, *_ in groups:
        vector = np.frombuffer(vector_sum, np.float32)
        assert indexes.centroids.search(vector / np.linalg.norm(vector), 1)[0][0] == key


def test_a_delta_file_that_does_not_match_its_description_is_rebuilt(grown) -> None:
    """A save interrupted between the delta and the sidecar: the files disagree, so the index is rebuilt."""
    store, *_ = grown
    update_claims(store)
    update_claims(store)
    path = index_paths(store)[1]
    meta = json.loads(Path(f"{path}.json").read_text())
    Path(f"{path}.json").write_text(json.dumps({**meta, "delta": meta["delta"] + 1}))
    notices: list[str] = []
    rebuilt = open_indexes(store, lambda name, reason: notices.append(f"{name}: {reason}")).quotations
    assert notices == ["quotations: its files do not match their description (an interrupted save)"]
    assert len(rebuilt) == meta["count"]


def test_recall_against_exact_search_across_both_tiers_and_after_reopening(tmp_path: Path) -> None:
    """Big file, delta and tombstones in both: recall@10 against exact search of 0.99 or more, the same after reopening."""
    rng = np.random.default_rng(7)
    topics = rng.normal(size=(150, 384))
    vectors = topics[rng.integers(0, 150, 2500)] + rng.normal(scale=0.6, size=(2500, 384))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    path = tmp_path / "t.index"
    index = NeighbourIndex()
    index.add_many(np.arange(2000), vectors[:2000])
    index.save(path)  # the big file
    index = NeighbourIndex.load(path)
    index.add_many(np.arange(2000, 2500), vectors[2000:])  # the delta
    keys = np.arange(2500)
    for i in rng.choice(2500, 400, replace=False):  # moved: tombstones in the big file, removals in the delta
        moved = vectors[i] + rng.normal(scale=0.02, size=384)
        vectors[i] = moved / np.linalg.norm(moved)
        index.remove(int(keys[i]))
        keys[i] = 10_000 + i
        index.add(int(keys[i]), vectors[i])
    assert len(index) == 2500 and index.big_count == 2000 and index.deleted > 0
    tombstones = index.deleted  # the moves of keys of the big file; those of the delta removed them from it
    index.save(path)  # the delta outgrew a tenth of the big file: merged into it
    assert index.delta_count == 0 and index.big_count == 2500 + tombstones and index.deleted == tombstones
    for i in rng.choice(2500, 100, replace=False):
        index.remove(int(keys[i]))
        keys[i] = 20_000 + i
        index.add(int(keys[i]), vectors[i])
    index.save(path)
    reopened = NeighbourIndex.load(path)
    assert (reopened.big_count, reopened.delta_count, reopened.deleted) == (2500 + tombstones, 100, index.deleted)
    queries = (vectors[rng.choice(2500, 300, replace=False)] + rng.normal(scale=0.02, size=(300, 384))).astype(
        np.float32
    )
    live, hits = set(keys.tolist()), 0
    for q in queries:
        exact = set(keys[np.argsort(-(vectors @ q))[:10]].tolist())
        found = reopened.search(q, 10)[0]
        assert set(found.tolist()) <= live and found.tolist() == index.search(q, 10)[0].tolist()
        hits += len(exact & set(found.tolist()))
    assert hits / 3000 >= 0.99


def test_a_key_of_the_big_file_added_again_moves_and_survives_a_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claim recomputed under its own key (a repair): found once, with its new vector, before and after merging."""
    rng = np.random.default_rng(11)
    vectors = rng.normal(size=(300, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    path = tmp_path / "k.index"
    index = NeighbourIndex()
    index.add_many(np.arange(300), vectors)
    index.save(path)
    index = NeighbourIndex.load(path)
    index.add(7, vectors[100])  # key 7 of the big file now sits where key 100 is
    index.save(path)  # a delta of one, under a tenth of 300: not merged
    for opened in (index, NeighbourIndex.load(path)):
        assert sorted(opened.search(vectors[100], 2)[0].tolist()) == [7, 100] and len(opened) == 300
        assert 7 not in opened.search(vectors[7], 5)[0].tolist()  # its old vector is not found
    monkeypatch.setattr("quotetrail.claims.index.MERGE_FRACTION", 0.0)
    index.save(path)
    merged = NeighbourIndex.load(path)
    assert (merged.big_count, merged.delta_count, merged.deleted) == (300, 0, 0)
    assert sorted(merged.search(vectors[100], 2)[0].tolist()) == [7, 100]
    assert 7 not in merged.search(vectors[7], 5)[0].tolist()


def test_recall_against_exact_search_after_many_moves() -> None:
    """Moving 30 % of the in-memory centroids (removed, re-added under a new key) keeps recall@10 at 0.99 or more."""
    rng = np.random.default_rng(3)
    topics = rng.normal(size=(200, 384))
    vectors = topics[rng.integers(0, 200, 3000)] + rng.normal(scale=0.6, size=(3000, 384))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    index = NeighbourIndex()
    index.add_many(np.arange(3000), vectors)
    keys = np.arange(3000)
    for i in rng.choice(3000, 900, replace=False):
        moved = vectors[i] + rng.normal(scale=0.02, size=384)
        vectors[i] = moved / np.linalg.norm(moved)
        index.remove(int(keys[i]))
        keys[i] = 3000 + i
        index.add(int(keys[i]), vectors[i])
    assert len(index) == 3000 and index.deleted == 0  # no file yet: a removal is real, not a tombstone
    queries = vectors[rng.choice(3000, 300, replace=False)] + rng.normal(scale=0.02, size=(300, 384))
    hits = 0
    for q in queries.astype(np.float32):
        exact = set(keys[np.argsort(-(vectors @ q))[:10]].tolist())
        hits += len(exact & set(index.search(q, 10)[0].tolist()))
    assert hits / 3000 >= 0.99


def test_an_in_memory_store_keeps_its_index_across_updates_with_moved_claims() -> None:
    """Without a file the indexes live in the process; moved claims' new keys never collide with tombstones."""
    rng = np.random.default_rng(5)
    store = open_store(":memory:")
    first = _quotes(rng, 40, TOPICS)
    items = _add(store, first, "m", rng)
    update_claims(store)
    by_hash = {text_hash(t): v for t, _, v in first}
    for n, item in enumerate(items[:8]):
        restated = f"{item.text} und dabei bleibt es"
        store.put_embeddings([(text_hash(restated), by_hash[text_hash(item.text)].tobytes())], MODEL)
        article = Article(f"mr{n}", f"mr{n}.txt", restated, outlet="Welt", published="2024-12-30", language="de")
        store.add_extraction(Extraction(article, (Quotation(f"mr{n}", "Direct", (Span(0, len(restated)),)),)))
    assert update_claims(store).new_quotations == 8
    groups = store.claim_groups(claim_ids=[c.id for c in store.claims()])
    indexes = open_indexes(store)
    assert len({g[0] for g in groups}) == len(groups) == len(indexes.centroids) == len(store.claims())
    for key, _, _, vector_sum, *_ in groups:
        vector = np.frombuffer(vector_sum, np.float32)
        assert indexes.centroids.search(vector / np.linalg.norm(vector), 1)[0][0] == key


def test_an_ingest_says_when_it_must_rebuild_the_claims_index_first(tmp_path: Path) -> None:
    """The first ingest after an upgrade may rebuild the index for a long while: it says so before it starts."""
    from click.testing import CliRunner

    from quotetrail.cli import main

    examples = Path(__file__).resolve().parents[1] / "examples"
    db = str(tmp_path / "q.db")
    first, *rest = sorted(examples.glob("*.txt"))
    assert CliRunner().invoke(main, ["--db", db, "ingest", str(first)]).exit_code == 0
    store = open_store(db)
    for path in index_paths(store):  # what the hnswlib version left
        for extra in (".delta", ".tombstones"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        path.write_bytes(b"hnswlib graph " * 100)
        meta = json.loads(Path(f"{path}.json").read_text())
        Path(f"{path}.json").write_text(json.dumps({**meta, "library": "hnswlib"}))
    store.close()
    result = CliRunner().invoke(main, ["--db", db, "ingest", str(rest[0])])
    assert result.exit_code == 0, result.output
    assert "rebuilding the claims index" in result.output and "older hnswlib format" in result.output


def test_candidates_below_the_floor_are_not_read_from_the_store(grown, monkeypatch: pytest.MonkeyPatch) -> None:
    """Grouping reads a candidate claim's sums only when its similarity could reach the join threshold."""
    from quotetrail.claims.index import IndexedCentroids

    store, items_1, _, by_hash = grown
    requested: list[int] = []
    real = store.claim_groups

    def counting(*, keys=(), claim_ids=()):
        requested.extend(keys)
        return real(keys=keys, claim_ids=claim_ids)

    monkeypatch.setattr(store, "claim_groups", counting)
    centroids = IndexedCentroids(store, open_indexes(store))
    far = np.random.default_rng(3).normal(size=384).astype(np.float32)
    far /= np.linalg.norm(far)
    assert centroids.nearest(far, 10) and requested  # without a floor the candidates are read
    requested.clear()
    assert centroids.nearest(far, 10, floor=0.92) == [] and requested == []
    member = by_hash[text_hash(items_1[0].text)]
    found = centroids.nearest(member, 10, floor=0.92)
    assert found and found[0][0].id == _claim_of(store, items_1[0].quotation_id) and found[0][1] >= 0.92 - 0.01
    assert all(similarity >= 0.92 - 0.01 for _, similarity in found)


def test_a_process_that_used_the_claims_index_can_still_start_the_encoder_runtime() -> None:
    """Grouping before the first extraction (a correction in the web UI, then an upload) must not crash the process.

    usearch loaded before onnxruntime made ``import onnxruntime`` die with a segmentation fault.
    """
    import subprocess
    import sys

    code = (
        "import numpy as np\n"
        "from quotetrail.claims.index import NeighbourIndex\n"
        "index = NeighbourIndex()\n"
        "index.add_many(np.arange(3), np.eye(3, 384, dtype=np.float32))\n"
        "import onnxruntime\n"
        "print(index.search(np.eye(1, 384, dtype=np.float32)[0], 1)[0].tolist())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[0]"
