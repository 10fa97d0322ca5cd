"""Every quotation says how sure its tagger is that it is one (``quote_confidence``), in both modes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import make_doc

from quotetrail.model import Article, Quotation, Span
from quotetrail.pipeline import extract
from quotetrail.quotations.encoder import model_available as encoder_available
from quotetrail.quotations.learned import with_confidence

MODES = ["crf", pytest.param("encoder", marks=pytest.mark.skipif(not encoder_available(), reason="no encoder"))]
TEXT = (
    "„Die Nato hat keine Pläne, Truppen in die Ukraine zu entsenden“, sagte Jens Stoltenberg am Mittwoch in "
    "Brüssel. Das Wetter in Brüssel war am Mittwoch sonnig und warm."
)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test using it runs in both modes (``find_quotations`` reads the variable)."""
    monkeypatch.setenv("QUOTETRAIL_QUOTATIONS", request.param)
    return request.param


def test_a_quote_in_marks_with_its_speaker_is_sure_and_every_quotation_has_a_share(mode: str, examples_dir) -> None:
    [quote] = extract(Article(id="t", source="t.txt", text=TEXT, published="2024-05-22")).quotations
    assert quote.text(TEXT).startswith("„Die Nato hat keine Pläne") and quote.quote_confidence is not None
    assert quote.quote_confidence >= 0.9
    for path in sorted(Path(examples_dir).glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found = extract(Article(id=path.stem, source=path.name, text=text)).quotations
        assert found and all(q.quote_confidence is not None and 0 <= q.quote_confidence <= 1 for q in found)


def test_the_crf_paths_share_is_the_mean_over_the_quotations_tokens() -> None:
    doc = make_doc(TEXT)
    first_three = Span(doc.tokens[0].start, doc.tokens[2].end)
    quote_p = [0.0] * len(doc.tokens)
    quote_p[0:3] = [0.9, 0.6, 0.3]
    quotations = [Quotation("t", "Direct", (first_three,)), Quotation("t", "Reported", (Span(len(TEXT), len(TEXT)),))]
    sure, nowhere = with_confidence(doc, quotations, quote_p)
    assert sure.quote_confidence == pytest.approx(0.6)
    assert nowhere.quote_confidence is None  # no token: nothing measured, not a made-up 1.0


@pytest.mark.skipif(not encoder_available(), reason="no encoder")
def test_the_encoders_share_is_the_mean_over_the_quotations_pieces() -> None:
    from quotetrail.quotations.encoder.tagger import load_model, read_article
    from quotetrail.quotations.encoder.windows import pieces_in

    doc = make_doc(TEXT)
    reading = read_article(load_model(), doc)
    quoted = [np.linspace(0, 1, len(w.pieces)) for w in reading.windows]
    reading = replace(reading, quoted=quoted)
    span = (Span(0, TEXT.index("“") + 1),)
    inside = np.concatenate([q[pieces_in(w, span)] for w, q in zip(reading.windows, quoted, strict=True)])
    assert len(inside) > 5 and reading.confidence(span) == pytest.approx(float(inside.mean()), abs=1e-3)
    assert reading.confidence((Span(len(TEXT) + 5, len(TEXT) + 9),)) is None


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo articles ingested in the default mode."""
    from quotetrail.ingest_job import ingest_paths
    from quotetrail.store import open_store

    db = tmp_path_factory.mktemp("demo") / "demo.db"
    store = open_store(db)
    ingest_paths(store, [Path(__file__).resolve().parents[1] / "examples"])
    store.close()
    return db


@pytest.fixture
def client(demo_db: Path, tmp_path: Path):
    from fastapi.testclient import TestClient

    from quotetrail.api import create_app

    return TestClient(create_app(demo_db, data_dir=tmp_path / "uploads"), base_url="http://localhost")


def test_the_web_marks_the_quotations_the_tagger_is_unsure_of(client) -> None:
    from quotetrail.quotations import UNCERTAIN_QUOTE

    rows = client.get("/api/quotations", params={"limit": 500}).json()["quotations"]
    unsure = [r for r in rows if r["quote_confidence"] < UNCERTAIN_QUOTE]
    sure = [r for r in rows if r["quote_confidence"] >= UNCERTAIN_QUOTE and r["speaker_confidence"]]
    assert unsure and sure
    for row, marked in ((unsure[0], True), (sure[0], False)):
        page = client.get(f"/quotation/{row['quotation_id']}").text
        assert ("Zitat unsicher" in page) is marked, row["text"]


def test_the_api_and_the_search_page_leave_out_the_unsure_ones_on_request(client) -> None:
    from quotetrail.quotations import UNCERTAIN_QUOTE

    every = client.get("/api/quotations", params={"limit": 500}).json()
    sure = client.get("/api/quotations", params={"limit": 500, "min_quote_confidence": UNCERTAIN_QUOTE}).json()
    expected = [r["quotation_id"] for r in every["quotations"] if r["quote_confidence"] >= UNCERTAIN_QUOTE]
    assert 0 < len(expected) < every["total"]
    assert [r["quotation_id"] for r in sure["quotations"]] == expected and sure["total"] == len(expected)
    page = client.get("/search", params={"min_quote_confidence": str(UNCERTAIN_QUOTE)}).text
    assert "Zitat unsicher" not in page and 'name="min_quote_confidence"' in page and " checked>" in page
    assert "Zitat unsicher" in client.get("/search").text


def test_a_threshold_outside_0_to_1_is_refused_in_each_language(client) -> None:
    api = client.get("/api/quotations", params={"min_quote_confidence": "2"})
    assert api.status_code == 400 and "min_quote_confidence must be" in api.json()["error"]
    page = client.get("/search", params={"min_quote_confidence": "viel"})
    assert page.status_code == 400 and "Mindestkonfidenz" in page.text and "„viel“" in page.text


def test_export_and_quotes_take_the_threshold(demo_db: Path) -> None:
    import json

    from click.testing import CliRunner

    from quotetrail.cli import main

    def run(*args: str) -> list[str]:
        result = CliRunner().invoke(main, ["--db", str(demo_db), *args])
        assert result.exit_code == 0, result.output
        return result.stdout.splitlines()

    every = [json.loads(line) for line in run("export")]
    sure = [json.loads(line) for line in run("export", "--min-quote-confidence", "0.9")]
    assert [r for r in every if r["quote_confidence"] >= 0.9] == sure and len(sure) < len(every)
    assert sum(
        line.startswith("            „") for line in run("quotes", "--min-quote-confidence", "0.9", "--limit", "500")
    ) == len(sure)
    refused = CliRunner().invoke(main, ["--db", str(demo_db), "export", "--min-quote-confidence", "1.5"])
    assert refused.exit_code == 2 and "0<=x<=1" in refused.output


def test_the_timeline_takes_the_searchs_filters_in_the_api_the_pages_and_the_cli(client, demo_db: Path) -> None:
    """Search and timeline narrow alike: type and confidence too, and "Als Zeitleiste" keeps what the search had."""
    import re
    from html import unescape

    from click.testing import CliRunner

    from quotetrail.cli import main

    narrowed = {"q": "Truppen", "type": "Direct", "min_quote_confidence": "0.9"}
    listed = client.get("/api/quotations", params={**narrowed, "limit": 500}).json()
    timeline = client.get("/api/timeline", params={**narrowed, "limit": 500}).json()
    assert (
        0 < timeline["total"] == listed["total"] < client.get("/api/timeline", params={"q": "Truppen"}).json()["total"]
    )
    assert {s["type"] for s in timeline["statements"]} == {"Direct"}
    assert all(s["quote_confidence"] >= 0.9 for s in timeline["statements"])
    search = client.get("/search", params=narrowed).text
    link = unescape(re.search(r'href="(/timeline\?[^"]+)">Als Zeitleiste', search).group(1))
    assert "type=Direct" in link and "min_quote_confidence=0.9" in link
    page = client.get(link).text
    assert "<option selected>Direct</option>" in page and "Zitat unsicher" not in page
    cli = CliRunner().invoke(
        main, ["--db", str(demo_db), "timeline", "Truppen", "--type", "Direct", "--min-quote-confidence", "0.9"]
    )
    assert cli.exit_code == 0 and f"{len(timeline['statements'])} statements" in cli.output
    assert " — Direct" in cli.output and " — Indirect" not in cli.output
