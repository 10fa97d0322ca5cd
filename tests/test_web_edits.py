"""Every correction through the REST API and the web forms (issue 19): spans and claim moves, claim-wide
corrections, added quotations, undo, the log, speaker merges and ratings; uploads behind the login.

What the stores do is tested on both (``store_url``); who may do what, and the forms, on SQLite only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from quotetrail import users
from quotetrail.api import create_app
from quotetrail.claims import update_claims
from quotetrail.ingest_job import refresh_derived
from quotetrail.model import Article, Extraction, Quotation, Span, SpeakerMention
from quotetrail.store import open_store

TROOPS = "Wir haben keine Pläne, Truppen in die Ukraine zu entsenden"
NATO = "Die Ukraine wird Mitglied der Nato werden"
MISSED = "Wir stehen an der Seite der Ukraine"
TEXT = (
    f"„{TROOPS}“, sagte Stoltenberg am Mittwoch.\n\n"
    f"„{NATO}“, sagte Mark Rutte in Brüssel.\n\n"
    f"Rutte betonte zudem, {MISSED}, solange es nötig sei."
)
PASSWORD = "ein-langes-Passwort"


def span_of(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


@dataclass
class Ledger:
    db: str
    troops: str  # quotation ids
    nato: str
    tokens: dict[str, str]  # user → API token

    def store(self):  # the store, to use in a with block
        return open_store(self.db)

    def claim_of(self, quotation_id: str) -> str | None:
        with open_store(self.db) as store:
            row = store.conn.execute("SELECT claim_id FROM quotations WHERE id = ?", (quotation_id,)).fetchone()
        return row[0] if row else None

    def count(self, table: str) -> int:
        with open_store(self.db) as store:
            return store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def written(self) -> tuple[int, ...]:
        """Everything an edit can add to: the log, the ratings, the merges and the quotations."""
        return tuple(self.count(t) for t in ("corrections", "claim_reviews", "speaker_aliases", "quotations"))


def quotations() -> tuple[Quotation, Quotation]:
    troops = Quotation("a1", "Direct", (Span(*span_of(TROOPS)),), speaker="Jens Stoltenberg", said_on="2024-05-22")
    nato = Quotation("a1", "Direct", (Span(*span_of(NATO)),), speaker="Mark Rutte", said_on="2024-05-22")
    return troops, nato


def build(db: str) -> Ledger:
    """One article, two quotations (each its own claim); eva and emil edit, rita reads, ada administers."""
    with open_store(db) as store:
        article = Article(id="a1", source="news/bericht.txt", text=TEXT, outlet="Spiegel", published="2024-05-22")
        mentions = tuple(
            SpeakerMention(TEXT.index(words), TEXT.index(words) + len(words), words, name)
            for words, name in (("Stoltenberg", "Jens Stoltenberg"), ("Mark Rutte", "Mark Rutte"))
        )
        store.add_extraction(Extraction(article, quotations(), mentions=mentions))
        refresh_derived(store)  # the speakers table, as an ingest leaves it
        update_claims(store)
        ids = {r[1]: r[0] for r in store.conn.execute("SELECT id, speaker FROM quotations")}
        tokens = {}
        for name, role in (("eva", "editor"), ("emil", "editor"), ("rita", "reader"), ("ada", "admin")):
            users.add_user(store, name, role, PASSWORD)
            tokens[name] = users.make_token(store, name)[1]
    return Ledger(db, ids["Jens Stoltenberg"], ids["Mark Rutte"], tokens)


@pytest.fixture
def ledger(store_url: str) -> Ledger:
    return build(store_url)


@pytest.fixture
def sqlite_ledger(tmp_path) -> Ledger:
    return build(str(tmp_path / "edits.db"))


def client_for(ledger: Ledger) -> TestClient:
    return TestClient(create_app(ledger.db), base_url="http://localhost")


@pytest.fixture
def api(ledger: Ledger) -> Iterator[Callable[..., httpx.Response]]:
    """``api(method, path, json, as_="eva")``: a call with that user's API token (``as_=None``: anonymous)."""
    with client_for(ledger) as client:

        def call(method: str, path: str, json: dict | None = None, as_: str | None = "eva") -> httpx.Response:
            headers = {"authorization": f"Bearer {ledger.tokens[as_]}"} if as_ else {}
            return client.request(method, path, json=json, headers=headers)

        yield call


def error_of(response: httpx.Response, status: int) -> str:
    body = response.json()
    assert response.status_code == status and body["ok"] is False and body["status"] == status, body
    return body["error"]


# -- claim moves and spans through the quotation endpoint (both stores) ---------------------------------------------
def test_a_claim_move_regroups_at_once_and_a_claim_of_its_own_takes_it_out(api, ledger: Ledger) -> None:
    target = ledger.claim_of(ledger.nato)
    moved = api("POST", f"/api/quotations/{ledger.troops}/corrections", {"claim": target, "note": "dieselbe Aussage"})
    assert moved.status_code == 201 and moved.json()["claim_id"] == target == ledger.claim_of(ledger.troops)
    [entry] = moved.json()["corrections"]
    assert entry["field"] == "claim" and entry["by"] == "eva" and entry["note"] == "dieselbe Aussage"
    members = {s["quotation_id"] for s in api("GET", f"/api/claims/{target}").json()["statements"]}
    assert members == {ledger.troops, ledger.nato}
    own = api("POST", f"/api/quotations/{ledger.troops}/corrections", {"new_claim": True, "note": "doch nicht"})
    assert own.status_code == 201 and own.json()["claim_id"] not in (None, target)
    assert ledger.claim_of(ledger.nato) == target


def test_a_span_correction_recuts_the_text_and_keeps_it_in_a_claim(api, ledger: Ledger) -> None:
    start, _ = span_of(TROOPS)
    response = api(
        "POST", f"/api/quotations/{ledger.troops}/corrections", {"span": [start, start + 21], "note": "kürzer"}
    )
    assert response.status_code == 201
    assert response.json()["quotation"]["text"] == "Wir haben keine Pläne"
    assert response.json()["claim_id"] is not None


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"span": [5, 2], "note": "n"}, "span must have 0 <= START < END"),
        ({"span": [0, 100_000], "note": "n"}, "lies outside the article"),
        ({"span": [1, 2, 3], "note": "n"}, "span"),
        ({"claim": "nope", "note": "n"}, "no claim 'nope'"),
        ({"claim": "x", "new_claim": True, "note": "n"}, "not both"),
        ({"new_claim": True, "note": "n"}, "the only member"),
        ({"claim": "x", "note": " "}, "a correction needs a note saying why"),
    ],
    ids=["span-backwards", "span-outside", "span-three", "unknown-claim", "both", "alone-already", "no-note"],
)
def test_a_refused_move_or_span_is_a_400_and_writes_nothing(sqlite_ledger: Ledger, body: dict, says: str) -> None:
    with client_for(sqlite_ledger) as client:
        headers = {"authorization": f"Bearer {sqlite_ledger.tokens['eva']}"}
        before = sqlite_ledger.written()
        response = client.post(f"/api/quotations/{sqlite_ledger.troops}/corrections", json=body, headers=headers)
    assert says in error_of(response, 400) and sqlite_ledger.written() == before


# -- claim-wide corrections -----------------------------------------------------------------------------------------
def test_a_claim_wide_correction_corrects_every_member(api, ledger: Ledger) -> None:
    target = ledger.claim_of(ledger.nato)
    api("POST", f"/api/quotations/{ledger.troops}/corrections", {"claim": target, "note": "gleiche Aussage"})
    response = api("POST", f"/api/claims/{target}/corrections", {"speaker": "Mark Rutte", "note": "beide Rutte"})
    assert response.status_code == 201
    assert len(response.json()["correction_ids"]) == 1 and response.json()["unchanged"] == 1  # Rutte's own had it
    assert api("GET", f"/api/quotations/{ledger.troops}").json()["quotation"]["speaker"] == "Mark Rutte"
    note = api("GET", f"/api/quotations/{ledger.troops}/corrections").json()["corrections"][-1]["note"]
    assert note.startswith("beide Rutte") and target in note
    assert "Mark Rutte" in [s["name"] for s in api("GET", "/api/speakers").json()["speakers"]]


def test_a_claim_wide_correction_refuses_other_fields_and_unknown_claims(api, ledger: Ledger) -> None:
    target = ledger.claim_of(ledger.nato)
    before = ledger.written()
    assert "nothing to correct" in error_of(api("POST", f"/api/claims/{target}/corrections", {"note": "n"}), 400)
    wrong = api("POST", f"/api/claims/{target}/corrections", {"type": "Zitat", "note": "n"})
    assert "type must be one of" in error_of(wrong, 400)
    assert "said_on" in error_of(
        api("POST", f"/api/claims/{target}/corrections", {"said_on": "2024", "note": "n"}), 400
    )
    assert error_of(api("POST", "/api/claims/nope/corrections", {"type": "Indirect", "note": "n"}), 404)
    assert ledger.written() == before


# -- added quotations -----------------------------------------------------------------------------------------------
def test_an_added_quotation_is_stored_searchable_grouped_and_logged(api, ledger: Ledger) -> None:
    start, end = span_of(MISSED)
    body = {
        "start": start,
        "end": end,
        "speaker": "Mark Rutte",
        "said_on": "2024-05-22",
        "cue": "betonte",
        "note": "fehlte",
    }
    response = api("POST", "/api/articles/a1/quotations", body)
    assert response.status_code == 201, response.json()
    added = response.json()
    assert added["quotation"]["text"] == MISSED and added["quotation"]["cue"] == "betonte"
    assert added["claim_id"] is not None and added["quotation"]["corrected"] is True
    found = api("GET", "/api/quotations?q=Seite")
    assert [q["quotation_id"] for q in found.json()["quotations"]] == [added["quotation_id"]]
    [entry] = api("GET", f"/api/quotations/{added['quotation_id']}/corrections").json()["corrections"]
    assert entry["field"] == "add_quotation" and entry["id"] == added["correction_id"] and entry["by"] == "eva"
    again = api("POST", "/api/articles/a1/quotations", body)
    assert "holds this quotation already" in error_of(again, 400)
    assert ledger.count("quotations") == 3


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"start": 0, "end": 1, "speaker": "X", "note": "n"}, "covers no words"),
        ({"start": 10, "end": 5, "speaker": "X", "note": "n"}, "0 <= START < END"),
        ({"start": 0, "end": 9_999, "speaker": "X", "note": "n"}, "outside the article"),
        ({"start": 1, "end": 20, "speaker": " ", "note": "n"}, "speaker must not be empty"),
        ({"start": 1, "end": 20, "speaker": "X", "cue": "rief", "note": "n"}, "the cue 'rief' is not in"),
        ({"start": 1, "end": 20, "speaker": "X", "note": ""}, "a correction needs a note"),
        ({"start": 1, "end": 20, "speaker": "X", "type": "Zitat", "note": "n"}, "type must be one of"),
    ],
    ids=["no-words", "backwards", "outside", "no-speaker", "cue", "no-note", "type"],
)
def test_a_refused_addition_is_a_400_and_writes_nothing(sqlite_ledger: Ledger, body: dict, says: str) -> None:
    with client_for(sqlite_ledger) as client:
        headers = {"authorization": f"Bearer {sqlite_ledger.tokens['eva']}"}
        before = sqlite_ledger.written()
        response = client.post("/api/articles/a1/quotations", json=body, headers=headers)
        assert says in error_of(response, 400) and sqlite_ledger.written() == before
        unknown = client.post("/api/articles/nope/quotations", json={**body, "note": "n"}, headers=headers)
        assert error_of(unknown, 404)


# -- undo and the log -----------------------------------------------------------------------------------------------
def test_an_editor_undoes_their_own_correction_and_an_admin_anyones(api, ledger: Ledger) -> None:
    made = api("POST", f"/api/quotations/{ledger.troops}/corrections", {"speaker": "Mark Rutte", "note": "falsch"})
    number = made.json()["corrections"][0]["id"]
    refused = api("POST", f"/api/corrections/{number}/undo", {"note": "nein"}, as_="emil")
    assert "emil may undo only their own corrections" in error_of(refused, 403)
    undone = api("POST", f"/api/corrections/{number}/undo", {"note": "war doch Stoltenberg"})
    assert undone.status_code == 201 and undone.json()["correction"]["field"] == "undo"
    assert undone.json()["correction"]["after"] == str(number) and undone.json()["correction"]["by"] == "eva"
    assert api("GET", f"/api/quotations/{ledger.troops}").json()["quotation"]["speaker"] == "Jens Stoltenberg"
    assert "undone already" in error_of(api("POST", f"/api/corrections/{number}/undo", {"note": "n"}), 400)
    own_undo = undone.json()["correction"]["id"]
    assert "is an undo itself" in error_of(api("POST", f"/api/corrections/{own_undo}/undo", {"note": "n"}), 400)
    by_emil = api("POST", f"/api/quotations/{ledger.nato}/corrections", {"type": "Indirect", "note": "n"}, as_="emil")
    other = by_emil.json()["corrections"][0]["id"]
    assert api("POST", f"/api/corrections/{other}/undo", {"note": "Admin: falsch"}, as_="ada").status_code == 201
    assert api("GET", f"/api/quotations/{ledger.nato}").json()["quotation"]["type"] == "Direct"


def test_undoing_a_claim_move_regroups_and_undoing_a_hiding_brings_it_back(api, ledger: Ledger) -> None:
    own = ledger.claim_of(ledger.troops)
    moved = api(
        "POST", f"/api/quotations/{ledger.troops}/corrections", {"claim": ledger.claim_of(ledger.nato), "note": "n"}
    )
    api("POST", f"/api/corrections/{moved.json()['corrections'][0]['id']}/undo", {"note": "zurück"})
    assert ledger.claim_of(ledger.troops) not in (None, ledger.claim_of(ledger.nato))
    assert own is not None
    hidden = api("POST", f"/api/quotations/{ledger.nato}/corrections", {"not_a_quotation": True, "note": "Überschrift"})
    assert api("GET", f"/api/quotations/{ledger.nato}").status_code == 404
    api("POST", f"/api/corrections/{hidden.json()['corrections'][0]['id']}/undo", {"note": "doch ein Zitat"})
    assert api("GET", f"/api/quotations/{ledger.nato}").json()["quotation"]["speaker"] == "Mark Rutte"


def test_undo_needs_a_known_number_and_a_note(api, ledger: Ledger) -> None:
    made = api("POST", f"/api/quotations/{ledger.troops}/corrections", {"type": "Indirect", "note": "n"})
    number = made.json()["corrections"][0]["id"]
    before = ledger.written()
    assert "a correction needs a note" in error_of(api("POST", f"/api/corrections/{number}/undo", {"note": " "}), 400)
    assert error_of(api("POST", "/api/corrections/999/undo", {"note": "n"}), 404)
    assert error_of(api("POST", "/api/corrections/0/undo", {"note": "n"}), 400)
    assert ledger.written() == before


def test_the_log_pages_newest_first_and_lists_the_orphaned(api, ledger: Ledger) -> None:
    for kind in ("Indirect", "FreeIndirect", "Direct"):
        api("POST", f"/api/quotations/{ledger.nato}/corrections", {"type": kind, "note": kind})
    api("POST", f"/api/quotations/{ledger.troops}/corrections", {"said_on": "2024-05", "note": "Monat"})
    first = api("GET", "/api/corrections?limit=3", as_=None).json()
    assert first["total"] == 4 and [c["note"] for c in first["corrections"]] == ["Monat", "Direct", "FreeIndirect"]
    rest = api("GET", f"/api/corrections?limit=3&after={first['next']}", as_=None).json()
    assert [c["note"] for c in rest["corrections"]] == ["Indirect"] and rest["next"] is None
    assert api("GET", "/api/corrections?orphaned=true", as_=None).json()["total"] == 0
    with ledger.store() as store:  # re-ingested without Rutte's quotation: its corrections cannot be placed
        article = Article(id="a1", source="news/bericht.txt", text=TEXT, outlet="Spiegel", published="2024-05-22")
        store.add_extraction(Extraction(article, quotations()[:1]), replace=True)  # as `reextract` does
    orphaned = api("GET", "/api/corrections?orphaned=true", as_=None).json()
    assert orphaned["total"] == 3 and {c["quotation_id"] for c in orphaned["corrections"]} == {ledger.nato}
    assert all(c["placed_on"] is None for c in orphaned["corrections"])
    assert error_of(api("GET", "/api/corrections?after=0", as_=None), 400)


# -- speakers -------------------------------------------------------------------------------------------------------
def test_a_merge_and_its_split_through_the_api(api, ledger: Ledger) -> None:
    merged = api(
        "POST", "/api/speakers/merge", {"alias": "Mark Rutte", "canonical": "Jens Stoltenberg", "note": "Test"}
    )
    assert merged.status_code == 201
    assert merged.json()["speaker"] == "Jens Stoltenberg" and merged.json()["quotations"] == 1
    assert api("GET", f"/api/quotations/{ledger.nato}").json()["quotation"]["speaker"] == "Jens Stoltenberg"
    [standing] = api("GET", "/api/speakers/merges", as_=None).json()["merges"]
    assert (standing["alias"], standing["shown_as"], standing["by"]) == ("Mark Rutte", "Jens Stoltenberg", "eva")
    again = api("POST", "/api/speakers/merge", {"alias": "Mark Rutte", "canonical": "Jens Stoltenberg", "note": "n"})
    assert "already merged" in error_of(again, 400)
    split = api("POST", "/api/speakers/split", {"name": "Mark Rutte", "note": "zwei Personen"})
    assert split.status_code == 201 and split.json()["quotations"] == 1
    assert api("GET", f"/api/quotations/{ledger.nato}").json()["quotation"]["speaker"] == "Mark Rutte"
    assert api("GET", "/api/speakers/merges", as_=None).json()["merges"] == []
    body = {"name": "Mark Rutte", "note": "der andere", "quotation_ids": [ledger.nato], "as": "Mark Rutte junior"}
    assert api("POST", "/api/speakers/split", body).json()["speaker"] == "Mark Rutte junior"


@pytest.mark.parametrize(
    ("path", "body", "says"),
    [
        ("merge", {"alias": "Niemand", "canonical": "Jens Stoltenberg", "note": "n"}, "no quotations by 'Niemand'"),
        ("merge", {"alias": "Mark Rutte", "canonical": "Mark Rutte", "note": "n"}, "into itself"),
        ("merge", {"alias": "Mark Rutte", "canonical": "Jens Stoltenberg", "note": " "}, "a merge needs a note"),
        ("split", {"name": "Mark Rutte", "note": "n"}, "is not merged"),
        ("split", {"name": "Mark Rutte", "note": "n", "quotation_ids": ["nope"], "as": "X"}, "no quotation 'nope'"),
        ("split", {"name": "Mark Rutte", "note": "n", "quotation_ids": ["x"]}, "who said these quotations (as)"),
    ],
    ids=["unknown-name", "itself", "no-note", "not-merged", "unknown-id", "no-as"],
)
def test_a_refused_merge_or_split_is_a_400_and_writes_nothing(
    sqlite_ledger: Ledger, path: str, body: dict, says: str
) -> None:
    with client_for(sqlite_ledger) as client:
        before = sqlite_ledger.written()
        headers = {"authorization": f"Bearer {sqlite_ledger.tokens['eva']}"}
        response = client.post(f"/api/speakers/{path}", json=body, headers=headers)
    assert says in error_of(response, 400) and sqlite_ledger.written() == before


# -- ratings --------------------------------------------------------------------------------------------------------
def test_a_rating_through_the_api_counts_and_is_listed(api, ledger: Ledger) -> None:
    claim = ledger.claim_of(ledger.troops)
    assert api("GET", f"/api/claims/{claim}/ratings", as_=None).json() == {
        "ok": True,
        "claim_id": claim,
        "current": None,
        "ratings": [],
    }
    body = {"rating": 2, "name": "irreführend", "body": "Die Lage hat sich geändert.", "url": "https://fc.example/1"}
    made = api("POST", f"/api/claims/{claim}/ratings", body)
    assert made.status_code == 201 and made.json()["rating"]["scale"] == "überwiegend falsch"
    api("POST", f"/api/claims/{claim}/ratings", {"rating": 5, "name": "stimmt"}, as_="emil")
    listed = api("GET", f"/api/claims/{claim}/ratings", as_=None).json()
    assert [r["name"] for r in listed["ratings"]] == ["irreführend", "stimmt"]
    assert listed["current"]["rating"] == 5 and listed["current"]["by"] == "emil"


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"rating": 7, "name": "n"}, 400, "rating must be from 1 to 5"),
        ({"rating": 3, "name": " "}, 400, "a rating needs a name"),
        ({"rating": 3, "name": "n", "url": "ftp://x"}, 400, "url must be an http"),
        ({"rating": 3}, 400, "name"),
    ],
    ids=["scale", "name", "url", "missing-name"],
)
def test_a_refused_rating_is_a_400_and_writes_nothing(
    sqlite_ledger: Ledger, body: dict, status: int, says: str
) -> None:
    with client_for(sqlite_ledger) as client:
        headers = {"authorization": f"Bearer {sqlite_ledger.tokens['eva']}"}
        claim = sqlite_ledger.claim_of(sqlite_ledger.troops)
        response = client.post(f"/api/claims/{claim}/ratings", json=body, headers=headers)
        assert says in error_of(response, status) and sqlite_ledger.count("claim_reviews") == 0
        assert error_of(client.post("/api/claims/nope/ratings", json={"rating": 3, "name": "n"}, headers=headers), 404)
        assert error_of(client.get("/api/claims/nope/ratings"), 404)


# -- who may: every new edit, anonymous (401) and as a reader (403); nothing written --------------------------------
EDITS: list[tuple[str, Callable[[Ledger], str], dict]] = [
    ("quotation", lambda led: f"/api/quotations/{led.troops}/corrections", {"new_claim": True, "note": "n"}),
    (
        "claim-wide",
        lambda led: f"/api/claims/{led.claim_of(led.troops)}/corrections",
        {"type": "Indirect", "note": "n"},
    ),
    ("add", lambda led: "/api/articles/a1/quotations", {"start": 1, "end": 20, "speaker": "X", "note": "n"}),
    ("undo", lambda led: "/api/corrections/1/undo", {"note": "n"}),
    ("merge", lambda led: "/api/speakers/merge", {"alias": "Mark Rutte", "canonical": "Jens Stoltenberg", "note": "n"}),
    ("split", lambda led: "/api/speakers/split", {"name": "Mark Rutte", "note": "n"}),
    ("rate", lambda led: f"/api/claims/{led.claim_of(led.troops)}/ratings", {"rating": 3, "name": "n"}),
]


@pytest.mark.parametrize(("kind", "path", "body"), EDITS, ids=[e[0] for e in EDITS])
def test_every_edit_refuses_the_anonymous_and_readers(sqlite_ledger: Ledger, kind: str, path, body: dict) -> None:
    with client_for(sqlite_ledger) as client:
        before = sqlite_ledger.written()
        anonymous = client.post(path(sqlite_ledger), json=body)
        assert "log in" in error_of(anonymous, 401) and anonymous.headers["www-authenticate"].startswith("Bearer")
        reader = client.post(
            path(sqlite_ledger), json=body, headers={"authorization": f"Bearer {sqlite_ledger.tokens['rita']}"}
        )
        assert "rita is reader" in error_of(reader, 403)
        revoked = client.post(path(sqlite_ledger), json=body, headers={"authorization": "Bearer qt_unknown"})
        assert error_of(revoked, 401)
    assert sqlite_ledger.written() == before


def test_read_only_refuses_every_new_edit(sqlite_ledger: Ledger) -> None:
    with TestClient(create_app(sqlite_ledger.db, read_only=True), base_url="http://localhost") as client:
        for _, path, body in EDITS:
            response = client.post(
                path(sqlite_ledger), json=body, headers={"authorization": f"Bearer {sqlite_ledger.tokens['eva']}"}
            )
            assert "--read-only" in error_of(response, 403)


# -- the forms (SQLite) ---------------------------------------------------------------------------------------------
@pytest.fixture
def browser(sqlite_ledger: Ledger) -> Iterator[TestClient]:
    with client_for(sqlite_ledger) as client:
        yield client


def log_in(client: TestClient, name: str = "eva") -> None:
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/login", data={"name": name, "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303


def token_on(client: TestClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(url).text)
    assert found, f"{url} has no form"
    return found.group(1)


def post_form(client: TestClient, page: str, action: str, **fields: str) -> httpx.Response:
    return client.post(action, data={**fields, "csrf_token": token_on(client, page)}, follow_redirects=False)


def test_the_quotation_form_moves_a_quotation_and_its_history_offers_undo(
    browser: TestClient, sqlite_ledger: Ledger
) -> None:
    led = sqlite_ledger
    page = f"/quotation/{led.troops}"
    log_in(browser)
    target = led.claim_of(led.nato)
    moved = post_form(browser, page, page, claim=target, note="dieselbe Aussage")
    assert moved.status_code == 303 and moved.headers["location"] == page and led.claim_of(led.troops) == target
    shown = browser.get(page).text
    assert f'href="/claim/{target}"' in shown and "Rückgängig" in shown and "dieselbe Aussage" in shown
    number = re.search(r'action="/corrections/(\d+)/undo"', shown).group(1)  # type: ignore[union-attr]
    blank = post_form(browser, page, f"/corrections/{number}/undo", note=" ", quotation=led.troops)
    assert blank.status_code == 400 and "Eine Korrektur braucht eine Begründung." in blank.text
    undone = post_form(browser, page, f"/corrections/{number}/undo", note="zurück", quotation=led.troops)
    assert undone.status_code == 303 and undone.headers["location"] == page
    assert "rückgängig gemacht" in browser.get(page).text and led.claim_of(led.troops) != target


def test_the_quotation_form_recuts_the_span_and_keeps_a_wrong_one(browser: TestClient, sqlite_ledger: Ledger) -> None:
    page = f"/quotation/{sqlite_ledger.troops}"
    log_in(browser)
    start = span_of(TROOPS)[0]
    wrong = post_form(browser, page, page, start=str(start), end="99999", note="zu kurz")
    assert wrong.status_code == 400 and "liegen außerhalb des Artikels" in wrong.text and 'value="99999"' in wrong.text
    assert 'value="zu kurz"' in wrong.text
    ok = post_form(browser, page, page, start=str(start), end=str(start + 21), note="zu lang")
    assert ok.status_code == 303 and "„Wir haben keine Pläne“" in browser.get(page).text


def test_only_ones_own_entries_have_an_undo_button_and_the_admin_sees_all(sqlite_ledger: Ledger) -> None:
    page = f"/quotation/{sqlite_ledger.troops}"
    with client_for(sqlite_ledger) as emil, client_for(sqlite_ledger) as eva, client_for(sqlite_ledger) as ada:
        log_in(emil, "emil")
        post_form(emil, page, page, speaker="Mark Rutte", note="von emil")
        log_in(eva)
        assert "Rückgängig" not in eva.get(page).text
        number = re.search(r'<tr id="c(\d+)"', eva.get(page).text).group(1)  # type: ignore[union-attr]
        forged = post_form(eva, "/corrections", f"/corrections/{number}/undo", note="n", quotation=sqlite_ledger.troops)
        assert forged.status_code == 403
        log_in(ada, "ada")
        assert "Rückgängig" in ada.get(page).text and "Rückgängig" in ada.get("/corrections").text


def test_the_claim_page_rates_corrects_all_and_shows_the_verdict(browser: TestClient, sqlite_ledger: Ledger) -> None:
    claim = sqlite_ledger.claim_of(sqlite_ledger.troops)
    page = f"/claim/{claim}"
    assert (
        'name="rating"' not in browser.get(page).text
        and "Anmelden</a>, um diese Aussage zu bewerten" in browser.get(page).text
    )
    log_in(browser)
    refused = post_form(browser, page, f"{page}/ratings", rating="9", name="falsch?", body="Begründung")
    assert (
        refused.status_code == 400
        and "Die Bewertung muss zwischen 1 und 5 liegen" in refused.text
        and "Begründung</textarea>" in refused.text
    )
    rated = post_form(browser, page, f"{page}/ratings", rating="1", name="erfunden", url="https://fc.example/2")
    assert rated.status_code == 303 and rated.headers["location"] == page
    shown = browser.get(page).text
    assert "1/5 falsch" in shown and "„erfunden“" in shown and 'class="rated"' in shown
    listing = browser.get("/claims").text
    assert listing.count('class="rated"') == 1
    wide = post_form(
        browser, page, f"{page}/corrections", speaker="Jens Stoltenberg", type="Indirect", note="alle indirekt"
    )
    assert wide.status_code == 303
    assert browser.get(f"/api/quotations/{sqlite_ledger.troops}").json()["quotation"]["type"] == "Indirect"
    empty = post_form(browser, page, f"{page}/corrections", speaker="", type="", note="nichts")
    assert empty.status_code == 400 and "Nichts zu korrigieren" in empty.text


def test_the_speaker_page_merges_and_splits(browser: TestClient, sqlite_ledger: Ledger) -> None:
    from quotetrail.speakers.identity import speaker_id

    rutte, stoltenberg = f"/speaker/{speaker_id('Mark Rutte')}", f"/speaker/{speaker_id('Jens Stoltenberg')}"
    assert "zusammenführen" in browser.get(rutte).text and 'name="canonical"' not in browser.get(rutte).text
    log_in(browser)
    wrong = post_form(browser, rutte, f"{rutte}/merge", canonical="Niemand", note="Tippfehler?")
    assert (
        wrong.status_code == 400
        and "Es gibt keine Zitate von „Niemand“" in wrong.text
        and 'value="Niemand"' in wrong.text
    )
    merged = post_form(browser, rutte, f"{rutte}/merge", canonical="Jens Stoltenberg", note="dieselbe Person")
    assert merged.status_code == 303 and merged.headers["location"] == stoltenberg
    page = browser.get(stoltenberg).text
    assert "Zusammengeführte Namen" in page and "Mark Rutte" in page and "wieder trennen" in page
    split = post_form(browser, stoltenberg, f"{stoltenberg}/split", name="Mark Rutte", note="zwei Personen")
    assert split.status_code == 303 and "Zusammengeführte Namen" not in browser.get(stoltenberg).text


def test_the_article_page_adds_a_quotation_by_offsets(browser: TestClient, sqlite_ledger: Ledger) -> None:
    page = "/article/a1"
    text = browser.get(page).text
    assert "Zitat ergänzen" in text and 'name="start"' not in text  # anonymous: no form
    start, end = span_of(MISSED)
    assert f'data-o="{TEXT.index("Rutte betonte")}"' in text  # each run carries its offset for the selection script
    log_in(browser)
    assert "/static/offsets.js" in browser.get(page).text
    wrong = post_form(
        browser, page, f"{page}/quotations", start=str(start), end="x", speaker="Mark Rutte", note="fehlte"
    )
    assert (
        wrong.status_code == 400
        and "„von“ und „bis“ müssen zwei ganze Zahlen sein" in wrong.text
        and 'value="Mark Rutte"' in wrong.text
    )
    added = post_form(
        browser, page, f"{page}/quotations", start=str(start), end=str(end), speaker="Mark Rutte", note="fehlte"
    )
    assert added.status_code == 303 and added.headers["location"].startswith("/quotation/")
    assert MISSED in browser.get(added.headers["location"]).text


def test_the_corrections_page_pages_the_log_and_filters_the_orphaned(
    browser: TestClient, sqlite_ledger: Ledger
) -> None:
    with open_store(sqlite_ledger.db) as store:
        from quotetrail.corrections import correct

        for i in range(55):
            correct(store, sqlite_ledger.nato, {"said_on": f"2024-01-{i % 28 + 1:02d}"}, f"Nr. {i}", "eva")
    first = browser.get("/corrections").text
    assert "Einträge 1–50 von 55" in first and "Nr. 54" in first and "Nr. 4<" not in first
    following = re.search(r'href="(/corrections\?[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    second = browser.get(following).text
    assert "Einträge 51–55 von 55" in second and "Nr. 0<" in second
    assert "Keine verwaisten Korrekturen" in browser.get("/corrections?orphaned=true").text


# -- uploads ---------------------------------------------------------------------------------------------------------
def upload(client: TestClient, token: str) -> httpx.Response:
    files = [("files", ("neu.txt", "„Wir bleiben an der Seite der Ukraine“, sagte Scholz.".encode(), "text/plain"))]
    return client.post("/upload", files=files, data={"csrf_token": token}, follow_redirects=False)


def test_with_users_uploading_needs_an_editor(browser: TestClient, sqlite_ledger: Ledger, monkeypatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(
        "quotetrail.ingest_job.ingest_paths", lambda store, paths, **kw: calls.append(paths) or _summary()
    )
    token = token_on(browser, "/login")
    assert browser.get("/upload").status_code == 401 and upload(browser, token).status_code == 401
    log_in(browser, "rita")
    assert browser.get("/upload").status_code == 403 and upload(browser, token_on(browser, "/login")).status_code == 403
    assert not calls
    log_in(browser, "eva")
    assert upload(browser, token_on(browser, "/upload")).status_code == 200 and len(calls) == 1


def test_without_users_uploading_stays_open(tmp_path, monkeypatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(
        "quotetrail.ingest_job.ingest_paths", lambda store, paths, **kw: calls.append(paths) or _summary()
    )
    with TestClient(create_app(tmp_path / "empty.db", data_dir=tmp_path / "up"), base_url="http://localhost") as client:
        assert upload(client, token_on(client, "/upload")).status_code == 200 and len(calls) == 1


def _summary():  # what ingest_paths gives the upload page
    from quotetrail.ingest_job import Summary

    return Summary()
