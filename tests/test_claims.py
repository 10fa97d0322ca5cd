"""Claims: polarity and stance, grouping, syndication, outlet comparison, and the demo corpus."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from quotetrail.claims.compare import framing_terms, word_diff
from quotetrail.claims.group import Item, assign
from quotetrail.claims.stance import polarity, stance_toward
from quotetrail.claims.syndication import find_syndicated


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Die Nato hat keine Pläne, Truppen in die Ukraine zu entsenden.", "negative"),
        ("Wir haben keine Truppen dort und auch keine Pläne dafür.", "negative"),
        ("Der Westen könne eine solche Möglichkeit nicht ausschließen.", "hedge"),
        ("Einige Staaten könnten Bodentruppen entsenden.", "hedge"),
        ("Frankreich wird Truppen in die Ukraine schicken.", "positive"),
    ],
)
def test_polarity(text: str, expected: str) -> None:
    assert polarity(text) == expected


def test_stance_toward_a_denial() -> None:
    assert stance_toward("negative", "negative") == "affirms"
    assert stance_toward("negative", "positive") == "denies"
    assert stance_toward("negative", "hedge") == "hedges"


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_grouping_joins_restatements_and_keeps_other_polarity_apart() -> None:
    items = [
        Item("q1", "Die Nato hat keine Pläne für Truppen in der Ukraine", "Jens Stoltenberg", "negative", "2022-02"),
        Item("q2", "Keine Pläne für Nato-Truppen in der Ukraine", "Jens Stoltenberg", "negative", "2024-05"),
        Item("q3", "Truppen in der Ukraine kann man nicht ausschließen", "Emmanuel Macron", "hedge", "2024-02"),
        Item("q4", "Der Haushalt wird im Herbst beschlossen", "Olaf Scholz", "positive", "2024-03"),
    ]
    vectors = np.stack([_unit(1, 0.1, 0), _unit(1, 0.12, 0.01), _unit(1, 0.11, 0), _unit(0, 0, 1)])
    groups = assign(items, vectors, [])
    members = sorted(sorted(g.members) for g in groups)
    assert members == [["q1", "q2"], ["q3"], ["q4"]]
    # incremental: a new restatement joins the existing claim without regrouping the rest
    more = [Item("q5", "Nato: weiterhin keine Pläne für Truppen", "Jens Stoltenberg", "negative", "2024-06")]
    groups = assign(more, np.stack([_unit(1, 0.1, 0.02)]), groups)
    assert sorted(next(g.members for g in groups if "q1" in g.members)) == ["q1", "q2", "q5"]


def test_syndicated_copy_links_to_the_earliest_version() -> None:
    story = (
        "Die Nato schließt eine militärische Unterstützung der Ukraine weiter aus, sagte Generalsekretär "
        "Jens Stoltenberg am Donnerstag in Brüssel vor Journalisten. "
    ) * 3
    articles = [
        ("copy", "2022-02-25", "Berlin. " + story + "Mehr dazu später."),
        ("orig", "2022-02-24", story),
        (
            "other",
            "2022-02-24",
            "Der Bundestag hat am Freitag den Haushalt für das kommende Jahr beschlossen, mit großer Mehrheit.",
        ),
    ]
    [(copy, original, similarity)] = find_syndicated(articles)
    assert (copy, original) == ("copy", "orig") and similarity > 0.5


def test_word_diff_shows_omissions_and_additions() -> None:
    diff, omitted = word_diff(
        "Die Nato hat keine Pläne, Truppen zu entsenden", "Die Nato hat keine Pläne, Soldaten zu entsenden"
    )
    assert "[-Truppen-]" in diff and "{+Soldaten+}" in diff and omitted == ("Truppen",)


def test_framing_terms_prefer_the_longer_term() -> None:
    found = framing_terms("Das Kiew-Regime und die von den USA geführte NATO sprechen von einer Invasion.")
    assert "Kiew-Regime (Ukrainische Regierung)" in found
    assert "von den USA geführte NATO (NATO)" in found
    assert "Invasion (Krieg in der Ukraine)" in found


def test_demo_corpus_stoltenberg_claim(tmp_path: Path) -> None:
    from quotetrail.claims import update_claims
    from quotetrail.ingest_job import ingest_paths
    from quotetrail.store import open_store

    store = open_store(tmp_path / "demo.db")
    ingest_paths(store, [Path(__file__).resolve().parents[1] / "examples"])
    summary = update_claims(store)
    assert summary.claims > 0
    top = store.claims()[0]
    assert top.speakers[0] == "Jens Stoltenberg" and top.reports >= 4
    assert (top.first_said or "").startswith("2022") and (top.last_said or "").startswith("2024")
    rows = {r.quotation_id: r for r in store.ledger_rows([qid for qid, _, _ in store.claim_members(top.id)])}
    stance = {qid: s for qid, s, _ in store.claim_members(top.id)}
    affirming = [rows[q] for q, s in stance.items() if s == "affirms"]
    assert all("ausschließen" not in r.text and r.speaker in (None, "Jens Stoltenberg") for r in affirming)
    assert any(r.speaker == "Emmanuel Macron" and stance[q] in ("denies", "hedges") for q, r in rows.items())
    # idempotent: a second update places nothing new, writes nothing and keeps the claim
    again = update_claims(store)
    assert again.new_quotations == 0 and again.changed_claims == 0 and store.claim(top.id) is not None
    from click.testing import CliRunner

    from quotetrail.cli import main

    result = CliRunner().invoke(main, ["--db", str(tmp_path / "demo.db"), "claims", "--update"])
    assert result.exit_code == 0 and "nothing new to group" in result.output and top.id in result.output


def test_a_syndicated_story_is_one_statement_with_several_reports(tmp_path: Path) -> None:
    from quotetrail.claims import update_claims
    from quotetrail.model import Article, Extraction, Quotation, Span
    from quotetrail.store import open_store

    story = (
        "Brüssel. Die Nato schließt eine militärische Unterstützung der Ukraine weiter aus. "
        "„Wir haben keine Pläne, Nato-Truppen in die Ukraine zu schicken“, sagte Generalsekretär Jens Stoltenberg am Donnerstag. "
        "Die Allianz werde ihre Ostflanke stärken, hieß es weiter aus dem Hauptquartier in Brüssel."
    )
    quote = "„Wir haben keine Pläne, Nato-Truppen in die Ukraine zu schicken“"
    store = open_store(tmp_path / "s.db")
    for i, outlet in enumerate(("Spiegel", "Zeit", "Welt")):
        text = story + ("" if i == 0 else f" Mehr bei {outlet}.")
        start = text.index(quote)
        article = Article(
            f"a{i}", f"{outlet}.txt", text, outlet=outlet, agency="dpa", published=f"2022-02-2{4 + i}", language="de"
        )
        q = Quotation(
            f"a{i}", "Direct", (Span(start, start + len(quote)),), speaker="Jens Stoltenberg", said_on="2022-02-24"
        )
        store.add_extraction(Extraction(article, (q,)))
    summary = update_claims(store)
    assert summary.syndicated == 2
    [claim] = [c for c in store.claims() if c.reports > 1]
    assert (claim.reports, claim.statements) == (3, 1)
    assert set(claim.outlets) >= {"Spiegel", "Zeit", "Welt"}
