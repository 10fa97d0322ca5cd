"""A synthetic ledger of any size, written straight into the tables of a fresh store (seconds for 100,000).

For the tests and benchmarks of bounded pages (issue 14): what matters there
is the shape of the data, not the quality of extraction.  So articles,
quotations (with their full-text rows), speakers and claims are generated
and inserted with ``executemany``:

- four quotations per article, the article text made of them, so spans,
  the article page and the outlet comparison work;
- speakers skewed as in real news: a few people are quoted very often
  (``Jens Stoltenberg`` about one quotation in eight, under his full name
  or the variant ``Stoltenberg``), most only a few times;
- dates over 25 years, one quotation in ten undated;
- one claim per 25 quotations, most of their members affirming, some
  denying or hedging; the first claim is reported by one quotation in 50.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from quotetrail.store import Store, open_store
from quotetrail.store.search import stem_text
from quotetrail.store.sqlite import name_family

OUTLETS = ["Spiegel", "taz", "FAZ", "Süddeutsche", "Die Zeit", "RT DE", "Tagesschau", "Welt", "Focus", "Stern"]
AGENCIES = [None, "dpa", "AFP", "Reuters"]
TYPES = ["Direct", "Indirect", "FreeIndirect", "Reported"]
TOPICS = ["Truppen", "Regierung", "Polizei", "Wahl", "Klima", "Ukraine", "Präsident", "Gesetz", "Haushalt", "Energie"]
VERBS = ["fordern", "ablehnen", "prüfen", "unterstützen", "verschieben", "begrüßen"]
TOP_SPEAKERS = [("Jens Stoltenberg", "Stoltenberg"), ("Olaf Scholz", "Scholz"), ("Annalena Baerbock", "Baerbock")]


@dataclass(frozen=True)
class ScaleLedger:
    """What was built: the path and the counts tests compare pages against."""

    path: Path | str  # a SQLite file or a PostgreSQL URL
    quotations: int
    articles: int
    speakers: int
    claims: int


def _speaker(i: int, rng: random.Random) -> str:
    """Skewed: the top three have 12, 8 and 5 % of the quotations, 1,500 others the rest."""
    roll = rng.random()
    if roll < 0.25:
        full, short = TOP_SPEAKERS[0 if roll < 0.12 else 1 if roll < 0.2 else 2]
        return short if i % 5 == 0 else full
    return f"Sprecher{rng.randrange(1500):04d} Person"


def _date(rng: random.Random) -> str | None:
    if rng.random() < 0.1:
        return None
    year, month = 2000 + rng.randrange(25), 1 + rng.randrange(12)
    return f"{year}-{month:02d}" if rng.random() < 0.2 else f"{year}-{month:02d}-{1 + rng.randrange(28):02d}"


def _words(rng: random.Random) -> str:
    topic, other, verb = rng.choice(TOPICS), rng.choice(TOPICS), rng.choice(VERBS)
    return f"Wir werden {topic} und {other} {verb}"


@cache
def _stems(words: str, speaker: str) -> str:
    """The stemmed FTS column of a quotation without its number: few distinct values, each stemmed once."""
    return stem_text(f"{words} {speaker}")


def build_ledger(path: Path | str, quotations: int, *, seed: int = 14) -> ScaleLedger:
    """Write a ledger of ``quotations`` quotations into a fresh store at ``path`` (a file or a PostgreSQL URL)."""
    rng = random.Random(seed)
    store = open_store(path)
    conn = store.conn
    sqlite = store.dialect.name == "sqlite"
    if sqlite:
        conn.execute("PRAGMA synchronous=OFF")
    articles, sources, rows, fts = [], [], [], []
    counts: dict[str, int] = {}
    per_article = 4
    for a in range(0, quotations, per_article):
        article_id = f"a{a // per_article:07d}"
        published = _date(rng) or "2024-01-01"
        outlet, agency = OUTLETS[rng.randrange(len(OUTLETS))], AGENCIES[rng.randrange(len(AGENCIES))]
        parts, offset = [], 0
        for i in range(a, min(a + per_article, quotations)):
            said, speaker, plain = _date(rng), _speaker(i, rng), _words(rng)
            words = f"{plain}, Nummer {i}"
            quoted, tail = f"„{words}“", f", sagte {speaker}. "
            start, end = offset, offset + len(quoted)
            spans, cue = f"[[{start}, {end}]]", f"[[{end + 2}, {end + 7}]]"
            mention = f"[[{end + 8}, {end + 8 + len(speaker)}]]"
            rows.append(
                (f"q{i:07d}", article_id, TYPES[i % len(TYPES)], spans, cue, mention, speaker, said, said, start,
                 end, words, speaker, "sagte", said or "~")
            )  # fmt: skip
            fts.append((f"q{i:07d}", words, speaker, f"{_stems(plain, speaker)} nummer {i}"))
            counts[speaker] = counts.get(speaker, 0) + 1
            parts.append(quoted + tail)
            offset += len(quoted + tail)
        text = "".join(parts)
        articles.append((article_id, f"scale/{article_id}.txt", text, f"Artikel {a // per_article}", outlet, agency,
                         published, "de", "2024-01-01T00:00:00"))  # fmt: skip
        sources.append((f"scale/{article_id}.txt", article_id))
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO articles(id, source, text, title, outlet, agency, published, language, ingested_at)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        articles,
    )
    conn.executemany("INSERT INTO article_sources(source, article_id) VALUES (?,?)", sources)
    conn.executemany(
        "INSERT INTO quotations(id, article_id, type, spans, cue, speaker_mention, speaker, said_on, said_on_text,"
        ' start, "end", text, speaker_mention_text, cue_text, said_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
        rows,
    )
    if sqlite:
        conn.executemany("INSERT INTO quotations_fts(quotation_id, text, speaker, stems) VALUES (?,?,?,?)", fts)
    else:  # the search rows as the store writes them (dialects.py), from the same text and speaker
        conn.executemany(
            store.dialect.index_sql(),
            [store.dialect.index_row(qid, f"{text} {speaker}", None) for qid, text, speaker, _stems in fts],
        )
    speakers = _insert_speakers(store, counts)
    claims = _insert_claims(store, rows, rng)
    conn.execute("COMMIT")
    if not sqlite:
        conn.execute("ANALYZE")  # PostgreSQL plans by statistics; without them it guesses
    store.close()
    return ScaleLedger(path, quotations, len(articles), speakers, claims)


def _insert_speakers(store: Store, counts: dict[str, int]) -> int:
    """One speaker per name; a top speaker's surname is its variant (counted with it)."""
    merged = {short: full for full, short in TOP_SPEAKERS}
    records = []
    for name, n in counts.items():
        if name in merged:
            continue
        variants = [v for v, full in merged.items() if full == name and v in counts]
        total = n + sum(counts[v] for v in variants)
        roles = json.dumps([{"role": "Sprecher", "first_seen": "2000-01", "last_seen": "2024-12"}])
        records.append((name.lower().replace(" ", "-"), name, "person", json.dumps(variants), roles, total,
                        name_family(name)))  # fmt: skip
    store.conn.executemany(
        "INSERT INTO speakers(id, name, kind, variants, roles, quotation_count, family) VALUES (?,?,?,?,?,?,?)",
        records,
    )
    return len(records)


def _insert_claims(store: Store, rows: list[tuple], rng: random.Random) -> int:
    """Claims of 25 quotations each on average; claim 0 takes every 50th quotation (a much-repeated claim)."""
    n_claims = max(1, len(rows) // 25)
    members: dict[int, list[tuple]] = {}
    for i, row in enumerate(rows):
        claim = 0 if i % 50 == 0 else rng.randrange(n_claims * 2)  # half the quotations in no claim
        if claim < n_claims:
            members.setdefault(claim, []).append(row)
    claims, links, affirmed = [], [], []
    for c, group in members.items():
        claim_id = f"c{c:06d}"
        dates = sorted(r[7] for r in group if r[7])
        speakers = sorted({r[6] for r in group})[:10]
        claims.append((claim_id, group[0][11], dates[0] if dates else None, dates[-1] if dates else None,
                       json.dumps(speakers), json.dumps(OUTLETS[:3]), len(group), len(group), "2024-01-01"))  # fmt: skip
        for k, r in enumerate(group):
            stance = "denies" if k % 17 == 5 else "hedges" if k % 13 == 7 else "affirms"
            links.append((claim_id, r[0], stance, 0.9))
            if stance == "affirms":
                affirmed.append((claim_id, r[0]))
    store.conn.executemany(
        "INSERT INTO claims(id, text, first_said, last_said, speakers, outlets, reports, statements, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        claims,
    )
    store.conn.executemany(
        "INSERT INTO claim_members(claim_id, quotation_id, stance, similarity) VALUES (?,?,?,?)", links
    )
    store.conn.executemany("UPDATE quotations SET claim_id = ? WHERE id = ?", affirmed)
    return len(claims)
