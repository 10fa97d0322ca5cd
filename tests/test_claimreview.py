"""Fact-checkers' ratings and ``export --format claimreview`` (issue 19), checked against schema.org's vocabulary."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from quotetrail.claimreview import document
from quotetrail.claims.appearances import Appearance, ClaimAppearances, iter_claim_appearances
from quotetrail.cli import main
from quotetrail.model import Claim
from quotetrail.ratings import RatingError, Review, rate_claim, reviews, validate
from quotetrail.store import open_store
from schemaorg_vocab import count_terms, expand_offline, problems

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
STOLTENBERG = "Die Nato hat keine Pläne, Truppen in die Ukraine zu entsenden"


def run(db: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.output


def export(db: str) -> list[dict[str, Any]]:
    out = run(db, "export", "--format", "claimreview")
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def the_claim(doc: dict[str, Any]) -> dict[str, Any]:
    """The Claim of an export line: the line itself, or what its ClaimReview reviews."""
    return doc["itemReviewed"] if doc["@type"] == "ClaimReview" else doc


def claim_id_of(db: str, text: str) -> str:
    [claim_id] = [r[0] for r in open_store(db).conn.execute("SELECT id FROM claims WHERE text = ?", (text,))]
    return claim_id


def make_ledger(new_db: Callable[[str], str]) -> str:
    db = new_db("demo")
    run(db, "ingest", str(EXAMPLES))  # groups the claims too
    return db


@pytest.fixture(scope="module")
def demo(module_db: Callable[[str], str]) -> str:
    """The demo articles, their claims, and two ratings of Stoltenberg's claim (the second one counts)."""
    db = make_ledger(module_db)
    claim = claim_id_of(db, STOLTENBERG)
    run(db, "rate", claim, "--rating", "2", "--name", "irreführend", "--by", "eva")
    run(
        db,
        "rate",
        claim,
        "--rating",
        "4",
        "--name",
        "überwiegend richtig",
        "--body",
        "Für 2022 und 2024 belegt; die Nato hat keine solchen Pläne.",
        "--url",
        "https://faktencheck.example/nato-truppen",
        "--by",
        "Faktencheck-Team",
    )
    return db


def test_one_claim_per_claim_with_every_appearance_earliest_first(demo: str) -> None:
    docs = export(demo)
    conn = open_store(demo).conn
    stored = {r[0] for r in conn.execute("SELECT id FROM claims")}
    claims = {the_claim(d)["identifier"]: the_claim(d) for d in docs}
    assert len(docs) == len(stored) == len(claims) and set(claims) == stored
    published = dict(conn.execute("SELECT id, published FROM articles").fetchall())
    for claim_id, claim in claims.items():
        articles = {
            r[0] for r in conn.execute("SELECT DISTINCT article_id FROM quotations WHERE claim_id = ?", (claim_id,))
        }
        appearances = claim["appearance"]
        assert [a["identifier"] for a in appearances].count(claim["firstAppearance"]["identifier"]) == 1
        assert len(appearances) == len(articles) and {a["identifier"] for a in appearances} == articles
        for a in appearances:
            assert a.get("datePublished") == published[a["identifier"]]
        assert claim["firstAppearance"] == appearances[0]
        dates = [a.get("datePublished") for a in appearances]
        dated = [d for d in dates if d]
        assert dates[: len(dated)] == sorted(dated)  # earliest first, undated last
        first = claim["firstAppearance"].get("datePublished")
        assert first == (min(dated) if dated else None) and claim.get("datePublished") == first
    top = claims[claim_id_of(demo, STOLTENBERG)]
    assert top["author"] == {"@type": "Person", "name": "Jens Stoltenberg"} and top["dateCreated"] == "2022-02"
    assert len(top["appearance"]) == 4  # its seven reports are in four articles
    assert top["firstAppearance"]["publisher"] == {"@type": "Organization", "name": "dpa"}
    assert top["firstAppearance"]["datePublished"] == "2022-02"


def test_an_organisation_speaks_as_an_organization(demo: str) -> None:
    authors = [the_claim(d).get("author") for d in export(demo)]
    names = {a["name"]: a["@type"] for a in authors if isinstance(a, dict)}
    assert names["Bukarest Neun"] == "Organization" and names["Mario Draghi"] == "Person"


def test_a_rated_claim_carries_its_newest_rating_as_claimreview(demo: str) -> None:
    docs = export(demo)
    [review] = [d for d in docs if d["@type"] == "ClaimReview"]
    assert review["claimReviewed"] == STOLTENBERG == review["itemReviewed"]["text"]
    assert review["itemReviewed"]["identifier"] == claim_id_of(demo, STOLTENBERG)
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 4,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "überwiegend richtig",
    }
    assert review["author"] == {"@type": "Person", "name": "Faktencheck-Team"}
    assert review["url"] == "https://faktencheck.example/nato-truppen"
    assert review["reviewBody"].startswith("Für 2022 und 2024 belegt")
    assert review["datePublished"][:4].isdigit() and "T" in review["datePublished"]
    log = run(demo, "ratings", claim_id_of(demo, STOLTENBERG))
    assert "2/5 „irreführend“" in log and "4/5 „überwiegend richtig“" in log  # the older one is kept


def test_the_export_fits_the_schemaorg_vocabulary_and_expands_without_losing_a_term(demo: str) -> None:
    docs = export(demo)
    assert {d["@type"] for d in docs} == {"Claim", "ClaimReview"}
    for doc in docs:
        assert problems(doc) == [], doc
        expanded = expand_offline(doc)
        assert count_terms(expanded) == count_terms(doc) > 0
        assert expanded[0]["@type"] == [f"https://schema.org/{doc['@type']}"]


def test_claims_are_read_in_pages_without_losing_or_repeating_one(demo: str) -> None:
    store = open_store(demo)
    small = [r.claim.id for r in iter_claim_appearances(store, page=7)]
    assert small == [r.claim.id for r in iter_claim_appearances(store)] and len(set(small)) == len(small)
    assert len(small) == store.count_claims()


def _record() -> ClaimAppearances:
    claim = Claim(
        id="c1", text="Wir schicken keine Truppen.", first_said="2024-05-22", speakers=("Nato", "Jens Stoltenberg")
    )
    article = Appearance(
        "a1", "Titel", "https://zeitung.example/a1", "/data/a1.txt", "Zeitung", "dpa", "2024-05-23", "2024-05-22"
    )
    return ClaimAppearances(claim, (article,), (("Nato", "organisation"), ("Jens Stoltenberg", "person")))


def _review() -> Review:
    return Review(1, "c1", "Wir schicken keine Truppen.", 1, "falsch", "", None, "eva", "2024-06-01T10:00:00+00:00")


def test_the_builders_map_speakers_outlets_and_agencies() -> None:
    doc = document(_record(), _review())
    claim = doc["itemReviewed"]
    assert claim["author"] == [
        {"@type": "Organization", "name": "Nato"},
        {"@type": "Person", "name": "Jens Stoltenberg"},
    ]
    article = claim["firstAppearance"]
    assert article["url"] == "https://zeitung.example/a1" and article["headline"] == "Titel"
    assert article["publisher"]["name"] == "Zeitung" and article["sourceOrganization"]["name"] == "dpa"
    assert "url" not in doc and "reviewBody" not in doc  # not given: left out, not empty
    assert problems(doc) == []


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        pytest.param(lambda d: d["itemReviewed"].update(speakerName="x"), "not a schema.org property", id="unknown"),
        pytest.param(
            lambda d: d["itemReviewed"]["firstAppearance"].update(firstAppearance={"@type": "NewsArticle"}),
            "does not apply to NewsArticle",
            id="wrong-domain",
        ),
        pytest.param(
            lambda d: d["itemReviewed"].update(author="Jens Stoltenberg"), "not in the range", id="text-author"
        ),
        pytest.param(lambda d: d.update(datePublished="gestern"), "not in the range", id="not-a-date"),
        pytest.param(lambda d: d.update(url="faktencheck/1"), "not in the range", id="not-a-url"),
        pytest.param(lambda d: d["reviewRating"].update({"@type": "Verdict"}), "not a schema.org class", id="no-class"),
        pytest.param(
            lambda d: d["itemReviewed"].update(appearance=[{"@type": "Person", "name": "x"}]),
            "a Person is not in the range of 'appearance'",
            id="person-as-appearance",
        ),
    ],
)
def test_the_vocabulary_check_catches_a_wrong_term(mutate: Callable[[dict], None], message: str) -> None:
    doc = document(_record(), _review())
    mutate(doc)
    found = problems(doc)
    assert found and any(message in p for p in found), found


def test_an_unknown_property_is_dropped_by_jsonld_expansion() -> None:
    doc = document(_record(), _review())
    assert count_terms(expand_offline(doc)) == count_terms(doc)
    doc["itemReviewed"]["speakerName"] = "x"
    assert count_terms(expand_offline(doc)) == count_terms(doc) - 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--rating", "3", "--name", "x"], "no claim 'nope'"),
        (["{claim}", "--rating", "0", "--name", "x"], "rating must be from 1 to 5"),
        (["{claim}", "--rating", "6", "--name", "x"], "rating must be from 1 to 5"),
        (["{claim}", "--rating", "drei", "--name", "x"], "rating must be a whole number"),
        (["{claim}", "--rating", "3", "--name", "  "], "a rating needs a name"),
        (["{claim}", "--rating", "3", "--name", "x", "--url", "ftp://x.example/a"], "url must be an http"),
        (["{claim}", "--rating", "3", "--name", "x", "--url", "faktencheck.example/a"], "url must be an http"),
    ],
    ids=["unknown-claim", "zero", "six", "not-a-number", "empty-name", "ftp", "no-scheme"],
)
def test_a_bad_rating_is_one_line_and_writes_nothing(demo: str, args: list[str], message: str) -> None:
    claim = claim_id_of(demo, STOLTENBERG)
    before = len(reviews(open_store(demo)))
    result = CliRunner().invoke(main, ["--db", demo, "rate", *[a.format(claim=claim) for a in args]])
    assert result.exit_code == 1 and message in result.output, result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert len(reviews(open_store(demo))) == before


def test_the_function_api_checks_the_same_way(demo: str) -> None:
    assert validate("3", " irreführend ").rating == 3 and validate(3, "x").name == "x"
    for bad in (True, 3.5, None):
        with pytest.raises(RatingError, match="whole number"):
            validate(bad, "x")
    with pytest.raises(RatingError) as err:
        rate_claim(open_store(demo), "nope", 3, "x")
    assert err.value.status == 404
    with pytest.raises(RatingError) as err:
        rate_claim(open_store(demo), claim_id_of(demo, STOLTENBERG), 9, "x")
    assert err.value.status == 400


def test_a_rating_follows_its_claim_when_claims_are_regrouped(new_db: Callable[[str], str]) -> None:
    db = make_ledger(new_db)
    original = claim_id_of(db, STOLTENBERG)
    run(db, "rate", original, "--rating", "5", "--name", "richtig")
    run(db, "claims", "--rebuild", "--join-threshold", "0.95")  # stricter: the claim splits, ids move
    store = open_store(db)
    [moved] = {r[0] for r in store.conn.execute("SELECT claim_id FROM quotations WHERE text = ?", (STOLTENBERG,))}
    assert moved != original and store.claim(original).text != STOLTENBERG  # the old id names another claim now
    [review] = reviews(open_store(db))
    assert (review.claim_id, review.placed_on) == (original, moved)
    rated = [the_claim(d)["identifier"] for d in export(db) if d["@type"] == "ClaimReview"]
    assert rated == [moved]
    assert f"{original} (now {moved})" in run(db, "ratings")
    run(db, "claims", "--rebuild")  # back to the default grouping: back on its first claim
    assert [r.placed_on for r in reviews(open_store(db))] == [original]


def test_a_rating_whose_claim_is_gone_is_listed_unplaced_and_kept(new_db: Callable[[str], str]) -> None:
    db = make_ledger(new_db)
    store = open_store(db)
    claim = next(c for c in store.claim_summaries(min_reports=1, limit=500) if c.reports == 1)
    [quotation] = [r[0] for r in store.conn.execute("SELECT id FROM quotations WHERE claim_id = ?", (claim.id,))]
    run(db, "rate", claim.id, "--rating", "1", "--name", "erfunden")
    run(db, "correct", quotation, "--not-a-quotation", "--note", "a headline, not a statement")
    run(db, "claims", "--rebuild")
    unplaced = run(db, "ratings", "--unplaced")
    assert claim.id in unplaced and "UNPLACED" in unplaced and claim.text in unplaced
    assert len(reviews(open_store(db))) == 1  # never dropped
    result = CliRunner().invoke(main, ["--db", db, "export", "--format", "claimreview"])
    assert result.exit_code == 0 and "1 ratings fit no current claim" in result.output
    assert '"ClaimReview"' not in result.output
