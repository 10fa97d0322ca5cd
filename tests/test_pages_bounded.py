"""Issue 14: every page and API list is bounded: paged, "N of M" shown, no full loads, no query per row, indexed.

The ledger is synthetic (tests/scale_ledger.py): 3,000 quotations, a few
speakers quoted hundreds of times, 1,500 quoted a few times, 120 claims of
which one has 60 reports.  Big enough that every list needs several pages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from quotetrail import query
from quotetrail.api import create_app
from quotetrail.store import open_store
from quotetrail.store.sqlite import SQLiteStore, encode_cursor
from quotetrail.web.deps import get_store
from scale_ledger import ScaleLedger, build_ledger

PAGES = [
    "/",
    "/search?q=Truppen",
    "/search",
    "/search?speaker=Stoltenberg",
    "/timeline?q=Truppen",
    "/timeline?speaker=Olaf+Scholz",
    "/timeline?claim=c000000",
    "/speakers",
    "/speakers?q=Sprecher00",
    "/speaker/jens-stoltenberg",
    "/article/a0000000",
    "/claims",
    "/claims?q=Truppen",
    "/claim/c000000",
]
API = [
    "/api/quotations",
    "/api/quotations?q=Truppen",
    "/api/quotations?speaker=Stoltenberg&since=2010",
    "/api/speakers",
    "/api/speakers/jens-stoltenberg",
    "/api/speakers/jens-stoltenberg/compare",
    "/api/articles",
    "/api/articles/a0000000",
    "/api/timeline?q=Truppen",
    "/api/claims",
    "/api/claims/c000000",
    "/api/claims/c000000/compare",
]


@pytest.fixture(scope="module")
def ledger(module_db) -> ScaleLedger:
    """The synthetic ledger in a SQLite file, then in a PostgreSQL database."""
    return build_ledger(module_db("pages"), 3000)


SQLITE_PLANS = (
    "reads SQLite's EXPLAIN QUERY PLAN and statement trace; PostgreSQL's plans are cost-based and are"
    " checked in test_postgres.py"
)


def sqlite_only(store: SQLiteStore) -> None:
    if store.dialect.name != "sqlite":
        pytest.skip(SQLITE_PLANS)


@pytest.fixture(scope="module")
def client(ledger: ScaleLedger) -> TestClient:
    return TestClient(create_app(ledger.path), base_url="http://localhost")


@pytest.fixture
def store(ledger: ScaleLedger) -> Iterator[SQLiteStore]:
    s = open_store(ledger.path)
    yield s
    s.close()


def walk(client: TestClient, url: str, key: str, param: str, **params: Any) -> tuple[list[dict], list[dict]]:
    """Every item of an API list, page by page through ``next``; also the answers, to check ``total``."""
    items, answers, following = [], [], None
    for _ in range(1000):
        extra = {param: following} if following is not None else {}
        body = client.get(url, params={**params, **extra}).json()
        assert body["ok"], body
        answers.append(body)
        items += body[key]
        following = body["next"]
        if following is None:
            return items, answers
    raise AssertionError(f"{url}: next never ran out")


def date_key(row: dict) -> tuple:
    return (row["said_on"] or "~", row["article_id"], row["start"], row["quotation_id"])


# -- the API: total, next, after -----------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [{}, {"q": "Truppen"}, {"speaker": "Stoltenberg"}, {"since": "2010", "until": "2012-06"}, {"q": "Truppen Klima"}],
    ids=["all", "search", "speaker", "dates", "two-words"],
)
def test_api_quotations_page_to_the_end_without_repeats(client: TestClient, store: SQLiteStore, params) -> None:
    rows, answers = walk(client, "/api/quotations", "quotations", "after", limit=400, **params)
    ids = [r["quotation_id"] for r in rows]
    total = answers[0]["total"]
    assert len(ids) == len(set(ids)) == total == store.count_quotations(text=params.get("q"), **_no_q(params))
    assert total > 0 and all(len(a["quotations"]) == 400 for a in answers[:-1])
    assert [date_key(r) for r in rows] == sorted(date_key(r) for r in rows), "pages continue in date order"


def _no_q(params: dict) -> dict:
    return {k: v for k, v in params.items() if k != "q"}


def test_api_q_searches_the_text_and_is_in_the_schema(client: TestClient, ledger: ScaleLedger) -> None:
    body = client.get("/api/quotations", params={"q": "Truppen", "limit": 1000}).json()
    assert 0 < body["total"] < ledger.quotations, "q must filter, not be ignored"
    assert all("Truppen" in r["text"] for r in body["quotations"])
    assert body["total"] == client.get("/api/quotations", params={"text": "Truppen"}).json()["total"]
    both = client.get("/api/quotations", params={"q": "Truppen", "text": "Klima"}).json()
    assert 0 < both["total"] < body["total"]
    schema = client.get("/api/openapi.json").json()["paths"]["/api/quotations"]["get"]["parameters"]
    assert {"q", "after", "limit", "offset"} <= {p["name"] for p in schema}


def test_api_speakers_and_claims_page_by_offset(client: TestClient, ledger: ScaleLedger) -> None:
    speakers, answers = walk(client, "/api/speakers", "speakers", "offset", limit=400)
    assert answers[0]["total"] == ledger.speakers == len({s["id"] for s in speakers}) == len(speakers)
    counts = [s["quotation_count"] for s in speakers]
    assert counts == sorted(counts, reverse=True) and speakers[0]["name"] == "Jens Stoltenberg"
    claims, answers = walk(client, "/api/claims", "claims", "offset", limit=50)
    assert answers[0]["total"] == ledger.claims == len({c["id"] for c in claims}) == len(claims)
    reports = [c["reports"] for c in claims]
    assert reports == sorted(reports, reverse=True) and "quotation_ids" not in claims[0]
    found, answers = walk(client, "/api/speakers", "speakers", "offset", limit=3, q="Sprecher000")
    names = sorted(s["name"] for s in speakers if "Sprecher000" in s["name"])
    assert len(names) > 3 and sorted(s["name"] for s in found) == names and answers[0]["total"] == len(names)


def test_api_one_claim_and_one_speaker_page_their_statements(client: TestClient, store: SQLiteStore) -> None:
    members = store.claim_members("c000000")
    statements, answers = walk(client, "/api/claims/c000000", "statements", "after", limit=25)
    assert len(members) > 50 and answers[0]["total"] == len(members)
    assert sorted(s["quotation_id"] for s in statements) == sorted(m[0] for m in members)
    assert {s["stance"] for s in statements} == {"affirms", "denies", "hedges"}
    assert [date_key(s) for s in statements] == sorted(date_key(s) for s in statements), "merged in date order"
    reports, _ = walk(client, "/api/claims/c000000/compare", "reports", "after", limit=40)
    assert len(reports) == len(members)
    speaker = query.speaker(store, "jens-stoltenberg")
    assert speaker is not None and speaker.variants == ("Stoltenberg",)
    rows, answers = walk(client, "/api/speakers/jens-stoltenberg", "statements", "after", limit=100)
    assert answers[0]["total"] == speaker.quotation_count == len({r["quotation_id"] for r in rows}) == len(rows)
    assert {r["speaker"] for r in rows} == {"Jens Stoltenberg", "Stoltenberg"}
    assert [date_key(r) for r in rows] == sorted(date_key(r) for r in rows)


def test_api_timeline_pages_with_after(client: TestClient, store: SQLiteStore) -> None:
    rows, answers = walk(client, "/api/timeline", "statements", "after", limit=100, q="Truppen")
    assert answers[0]["total"] == store.count_quotations(text="Truppen") == len({r["quotation_id"] for r in rows})


@pytest.mark.parametrize("url", ["/api/quotations", "/api/timeline", "/api/speakers/jens-stoltenberg"])
def test_a_cursor_that_is_not_one_is_a_400(client: TestClient, url: str) -> None:
    for bad in ("bm90IGEgY3Vyc29y", "x"):
        response = client.get(url, params={"after": bad, "q": "Truppen"})
        assert response.status_code == 400 and "after" in response.json()["error"], response.text


# -- the pages: "N of M" and a next link that continues ----------------------------------
def count_line(page: str) -> tuple[int, int, int]:
    """The numbers of the "Zitate 51–100 von 3.000" line."""
    found = re.search(r'class="count">\D*?([\d.]+)–([\d.]+) von ([\d.]+)', page)
    assert found, page[:3000]
    first, last, total = (int(g.replace(".", "")) for g in found.groups())
    return first, last, total


def next_link(page: str) -> str | None:
    found = re.search(r'class="next" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def quotation_ids(page: str) -> list[str]:
    section = page.split('<ol class="statements">', 1)[-1].split("</ol>", 1)[0]
    return re.findall(r'class="quote" href="/article/[^"#]+#q-([^"]+)"', section)


@pytest.mark.parametrize(
    ("url", "size"),
    [
        ("/search?q=Truppen", 50),
        ("/search?speaker=Stoltenberg&since=2005", 50),
        ("/speaker/jens-stoltenberg", 50),
        ("/timeline?q=Truppen", 100),
        ("/timeline?speaker=Stoltenberg", 100),
    ],
)
def test_quotation_pages_continue_through_a_cursor_link(client: TestClient, url: str, size: int) -> None:
    seen: list[str] = []
    page = client.get(url).text
    first, last, total = count_line(page)
    assert (first, last) == (1, size) and total > 3 * size
    for n in range(3):
        ids = quotation_ids(page)
        assert count_line(page)[:2] == (n * size + 1, (n + 1) * size) and not set(ids) & set(seen)
        seen += ids
        link = next_link(page)
        assert link and "after=" in link and f"start={(n + 1) * size}" in link
        page = client.get(link).text
    assert count_line(page)[2] == total


def test_a_blank_cursor_is_the_first_page_and_a_wrong_one_a_400(client: TestClient) -> None:
    assert count_line(client.get("/search?q=Truppen&after=").text)[:2] == (1, 50)
    wrong = client.get("/speaker/jens-stoltenberg?after=not-a-cursor")
    assert wrong.status_code == 400 and "Der Seitenverweis „not-a-cursor“ ist ungültig" in wrong.text


def test_a_cursor_link_without_position_still_says_how_many(client: TestClient) -> None:
    link = next_link(client.get("/search?q=Truppen").text)
    assert link
    page = client.get(re.sub(r"&start=\d+", "", link)).text
    assert re.search(r"50 weitere Zitate von [\d.]+", page)


@pytest.mark.parametrize(
    ("url", "noun", "total_of"),
    [("/speakers", "Sprecher", "speakers"), ("/claims", "Aussagen", "claims")],
)
def test_numbered_pages_of_speakers_and_claims(client: TestClient, ledger: ScaleLedger, url, noun, total_of) -> None:
    page = client.get(url).text
    assert f"{noun} 1–50 von {getattr(ledger, total_of):,}".replace(",", ".") in page
    link = next_link(page)
    assert link == f"{url}?page=2"
    second = client.get(link).text
    assert f"{noun} 51–100 von" in second
    names = re.findall(r'href="/(?:speaker|claim)/([^"]+)"', page.split("<main>")[1])
    again = re.findall(r'href="/(?:speaker|claim)/([^"]+)"', second.split("<main>")[1])
    assert len(names) == len(again) == 50 and not set(names) & set(again)


def test_last_pages_have_no_next_link(client: TestClient, ledger: ScaleLedger) -> None:
    last = -(-ledger.speakers // 50)
    page = client.get(f"/speakers?page={last}").text
    assert next_link(page) is None and f"von {ledger.speakers:,}".replace(",", ".") in page
    assert "Keine weiteren Sprecher" in client.get(f"/speakers?page={last + 1}").text


def test_claim_page_pages_its_reports(client: TestClient, store: SQLiteStore) -> None:
    total = len(store.claim_members("c000000"))
    page = client.get("/claim/c000000").text
    assert f"Berichte 1–50 von {total}" in page and "Widerspruch" in page
    second = client.get(next_link(page) or "").text
    assert f"Berichte 51–{total} von {total}" in second and next_link(second) is None
    assert not set(quotation_ids(page.split("Die Berichte dieser Seite")[1])) & set(
        quotation_ids(second.split("Die Berichte dieser Seite")[1])
    )


def test_home_shows_the_top_of_each_list_and_how_many_there_are(client: TestClient, ledger: ScaleLedger) -> None:
    page = client.get("/").text
    assert f"{ledger.quotations:,} Zitate aus {ledger.articles:,} Artikeln".replace(",", ".") in page
    assert f"12 von {ledger.speakers:,} Sprechern".replace(",", ".") in page
    assert re.search(r"5 von [\d.]+ mehrfach berichteten Aussagen", page)
    assert page.index("Jens Stoltenberg") < page.index("Olaf Scholz") or "Olaf Scholz" not in page


def test_search_facets_say_when_they_count_only_part(client: TestClient, ledger: ScaleLedger) -> None:
    everything = client.get("/search").text
    assert f"gezählt in 2.000 der {ledger.quotations:,} Treffer".replace(",", ".") in everything
    few = client.get("/search", params={"q": "Truppen", "speaker": "Olaf Scholz"}).text
    assert "gezählt in" not in few and "Olaf Scholz" in few.split('class="facets"')[1].split("</aside>")[0]


def test_a_facet_narrows_the_search_it_is_shown_on(client: TestClient) -> None:
    """A facet link keeps the words and filters of the page it is on and adds its own (it used to start over)."""
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    page = client.get("/search", params={"q": "Truppen", "outlet": "taz", "type": "Direct"}).text
    facets = page.split('class="facets"')[1].split("</aside>")[0]
    links = [parse_qs(urlsplit(unescape(href)).query) for href in re.findall(r'href="([^"]+)"', facets)]
    assert len(links) >= 3
    for params in links:
        assert params["q"] == ["Truppen"] and params["outlet"][0] and params["type"][0]
    speaker = next(p for p in links if "speaker" in p)
    narrowed = client.get("/search", params={k: v[0] for k, v in speaker.items()})
    assert narrowed.status_code == 200 and f'value="{speaker["speaker"][0]}"' in narrowed.text


# -- no full loads, no query per row, an index behind every query -------------------------------
def test_no_route_loads_a_whole_list(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loaders that read every claim, speaker or member are never called by a page or the API."""

    def refuse(name: str):
        def loader(*args: object, **kwargs: object) -> None:
            raise AssertionError(f"{name} loads a whole list")

        return loader

    original = SQLiteStore.speakers

    def bounded_speakers(self: SQLiteStore, *, query: str | None = None, limit: int | None = None, offset: int = 0):
        assert limit is not None, "speakers() without a limit loads every speaker"
        return original(self, query=query, limit=limit, offset=offset)

    monkeypatch.setattr(SQLiteStore, "speakers", bounded_speakers)
    for name in ("claims", "_claim", "claim", "claim_members", "ledger_rows", "iter_ledger", "iter_quotations"):
        monkeypatch.setattr(SQLiteStore, name, refuse(f"SQLiteStore.{name}"))
    for name in ("claims", "claim", "speaker_statements", "iter_quotations", "timeline"):
        monkeypatch.setattr(query, name, refuse(f"query.{name}"))
    for url in PAGES + API:
        assert client.get(url).status_code == 200, url


class Recorder:
    """Every SQL statement the routes run (with their values), through a store made per request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.statements: list[str] = []

    def store(self) -> Iterator[SQLiteStore]:
        s = open_store(self.path)
        if s.dialect.name == "sqlite":
            s.conn.set_trace_callback(self.statements.append)  # with the values, for EXPLAIN QUERY PLAN
        else:
            event.listen(s.conn.raw, "before_cursor_execute", lambda *a: self.statements.append(a[2]))
        try:
            yield s
        finally:
            s.close()


@pytest.fixture(scope="module")
def recorded(ledger: ScaleLedger) -> dict[str, list[str]]:
    """The statements each page and API route runs."""
    app = create_app(ledger.path)
    recorder = Recorder(ledger.path)
    app.dependency_overrides[get_store] = recorder.store
    client = TestClient(app, base_url="http://localhost")
    out = {}
    for url in PAGES + API:
        recorder.statements = []
        assert client.get(url).status_code == 200, url
        # "-- " marks the statements SQLite runs inside one (the full-text index reading its tables)
        out[url] = [s for s in recorder.statements if not s.startswith(("PRAGMA", "CREATE TABLE IF NOT", "-- "))]
    return out


@pytest.mark.parametrize("url", PAGES + API)
def test_no_query_per_row(recorded: dict[str, list[str]], url: str) -> None:
    """A page of 50 or 100 rows is a handful of queries (the speaker page one per spelling of the name)."""
    statements = recorded[url]
    assert 0 < len(statements) <= 15, "\n".join(statements)


def _scans_quotations(plan: list[str]) -> list[str]:
    """Plan lines that read the quotations table (or its FTS index) from end to end without an index."""
    return [line for line in plan if re.match(r"SCAN (q|quotations|f|quotations_fts)\b", line) and "INDEX" not in line]


@pytest.mark.parametrize("url", PAGES + API)
def test_every_query_behind_a_route_uses_an_index(recorded: dict[str, list[str]], store: SQLiteStore, url: str) -> None:
    """EXPLAIN QUERY PLAN of each statement a route ran: no full scan of quotations, no sort of the ledger.

    A sort (temp b-tree) is allowed only over what one claim, one speaker's
    claims, a text search's matches or a small table holds, never over the
    quotations of an unfiltered or date-filtered list.
    """
    sqlite_only(store)
    for sql in recorded[url]:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        plan = store.explain_sql(sql)
        assert not _scans_quotations(plan), (sql, plan)
        # a search's matches, who denies or hedges a claim, an article's quotations
        bounded_sort = ("MATCH", "m.claim_id = ", "q.article_id = ")
        if "FROM quotations q" in sql and not any(part in sql for part in bounded_sort):
            assert not any("TEMP B-TREE FOR ORDER BY" in line for line in plan), (sql, plan)


def test_frequent_words_are_paged_along_the_date_index(store: SQLiteStore) -> None:
    """A word in a fifth of the ledger is read in date order from the index; a rare one sorted after the lookup."""
    frequent = store.ledger_page(limit=51, text="Truppen")
    assert frequent == store.quotations(limit=51, text="Truppen")
    rare = store.ledger_page(limit=51, text="Nummer 1234")
    assert [r.quotation_id for r in rare] == ["q0001234"]
    assert store.ledger_page(limit=5, text="Truppen", after=encode_cursor(frequent[49]))[0] == frequent[50]
    following = query.quotations_page(store, text="Truppen", limit=50)
    assert (
        following.next and query.quotations_page(store, text="Truppen", after=following.next).items[0] == frequent[50]
    )


def test_a_speaker_is_found_by_id_or_name_from_an_index(store: SQLiteStore) -> None:
    sqlite_only(store)
    plan = store.explain_sql("SELECT * FROM speakers WHERE id = 'x' OR name = 'olaf scholz' COLLATE NOCASE")
    assert "SCAN speakers" not in plan and any("speakers_name_nocase" in line for line in plan), plan
    assert query.speaker(store, "olaf scholz").name == query.speaker(store, "olaf-scholz").name == "Olaf Scholz"


def test_home_counts_come_from_limits_on_indexes(store: SQLiteStore) -> None:
    sqlite_only(store)
    for sql in (
        "SELECT * FROM speakers ORDER BY quotation_count DESC, name LIMIT 12",
        "SELECT * FROM claims WHERE reports >= 2 ORDER BY reports DESC, first_said LIMIT 5",
    ):
        plan = store.explain_sql(sql)
        assert any("INDEX speakers_count" in p or "INDEX claims_reports" in p for p in plan), plan
        assert not any("TEMP B-TREE" in p for p in plan), plan
