"""The API keeps its OpenAPI contract: schemathesis' default checks find nothing (issue 13).

schemathesis generates requests from ``/api/openapi.json`` (valid ones,
which must be answered, and invalid ones, which must get a documented 4xx)
and checks every answer: no 500, only documented status codes and content
types, bodies matching their schemas, 405 with ``Allow``.  It runs in
process against the ASGI app (no network) over the five demo articles.

The schema is loaded when this module is imported (schemathesis' lazy
fixture loader does not work with pytest 9), so the app is made then over an
empty database, and the fixture below fills that database before the first case.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from quotetrail.api import create_app
from quotetrail.web.security import LOOPBACK_HOSTS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
_FOLDER = tempfile.TemporaryDirectory(prefix="quotetrail-contract-")  # removed when the interpreter exits
DB = Path(_FOLDER.name) / "demo.db"
# schemathesis sends Host: testserver, so the test accepts it as `serve --allow-host testserver` would.
APP = create_app(DB, data_dir=Path(_FOLDER.name) / "uploads", allowed_hosts=[*LOOPBACK_HOSTS, "testserver"])
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP).include(path_regex="^/api/")


#: An editor's API token, made with the demo ledger: the correction endpoint is fuzzed as an editor would call it
#: (its 400 and 404 answers), and schemathesis' own auth check sends it without the token and expects the 401.
EDITOR: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def demo_articles() -> None:
    """The five demo articles with their claims, ingested once for every case of this module, and an editor."""
    from quotetrail.claims import update_claims
    from quotetrail.ingest_job import ingest_paths
    from quotetrail.store import open_store
    from quotetrail.users import add_user, count_users, make_token

    store = open_store(DB)
    try:
        if store.count_articles() == 0:
            ingest_paths(store, [EXAMPLES])
            update_claims(store)
        if count_users(store) == 0:
            add_user(store, "contract", "editor", "contract-test-password")
        EDITOR["Authorization"] = f"Bearer {make_token(store, 'contract', 'schemathesis')[1]}"
    finally:
        store.close()


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_every_api_operation_keeps_the_contract(case: schemathesis.Case) -> None:
    """Every check on every operation, but one on the edits: a schema-valid edit may still be refused by the data.

    A merge of a name without quotations, the undo of an entry undone
    already or a span outside the article are well-formed requests the
    ledger refuses with a documented 400 (nothing written); the valid edits
    are called below and must then be accepted.
    """
    if case.method == "POST":
        from schemathesis.specs.openapi.checks import positive_data_acceptance

        case.call_and_validate(headers=EDITOR, excluded_checks=[positive_data_acceptance])
    else:
        case.call_and_validate()


def test_the_schema_covers_every_api_route() -> None:
    """A route left out of the schema would be left out of the fuzzing too."""
    routes = {route.path for route in APP.routes if getattr(route, "path", "").startswith("/api/")}
    documented = set(APP.openapi()["paths"])
    assert routes - documented == {"/api/openapi.json", "/api/docs", "/api/docs/assets/{name}"}
    assert len(documented) == 21


#: Item routes and the list route whose ids they take (and each item's id field): random ids only reach their
#: 404 branch.
ITEM_ROUTES = {
    "/api/articles/{article_id}": ("/api/articles", "articles", "article_id", "id"),
    "/api/speakers/{speaker_id}": ("/api/speakers", "speakers", "speaker_id", "id"),
    "/api/speakers/{speaker_id}/compare": ("/api/speakers", "speakers", "speaker_id", "id"),
    "/api/claims/{claim_id}": ("/api/claims", "claims", "claim_id", "id"),
    "/api/claims/{claim_id}/compare": ("/api/claims", "claims", "claim_id", "id"),
    "/api/quotations/{quotation_id}": ("/api/quotations", "quotations", "quotation_id", "quotation_id"),
    "/api/quotations/{quotation_id}/corrections": ("/api/quotations", "quotations", "quotation_id", "quotation_id"),
    "/api/claims/{claim_id}/ratings": ("/api/claims", "claims", "claim_id", "id"),
}


@pytest.mark.parametrize("path", sorted(ITEM_ROUTES))
def test_item_operations_keep_the_contract_for_stored_items(path: str) -> None:
    """The same checks on the answers for items that exist, taken from the list routes."""
    from fastapi.testclient import TestClient

    list_path, key, parameter, field = ITEM_ROUTES[path]
    ids = [item[field] for item in TestClient(APP, base_url="http://localhost").get(list_path).json()[key]]
    assert ids, f"{list_path} lists nothing: the demo articles were not ingested"
    operation = schema[path]["GET"]
    for item_id in ids[:5]:
        response = operation.Case(path_parameters={parameter: item_id}).call_and_validate()
        assert response.status_code == 200, item_id


def test_a_correction_by_an_editor_keeps_the_contract() -> None:
    """A valid correction of a stored quotation: 201 with the new log entry, as the schema says."""
    from fastapi.testclient import TestClient

    rows = TestClient(APP, base_url="http://localhost").get("/api/quotations", params={"limit": 1}).json()
    quotation_id = rows["quotations"][0]["quotation_id"]
    operation = schema["/api/quotations/{quotation_id}/corrections"]["POST"]
    case = operation.Case(
        path_parameters={"quotation_id": quotation_id},
        body={"type": "Indirect", "note": "contract test"},
        media_type="application/json",
    )
    response = case.call_and_validate(headers=EDITOR)
    assert response.status_code == 201, response.text
    assert response.json()["corrections"][0]["by"] == "contract"


def test_the_other_edits_by_an_editor_keep_the_contract() -> None:
    """A valid call of each edit endpoint: its 201 answer, as the schema describes it (then undone or split again)."""
    from fastapi.testclient import TestClient

    client = TestClient(APP, base_url="http://localhost")
    claim_id = client.get("/api/claims", params={"limit": 1}).json()["claims"][0]["id"]
    article = client.get("/api/articles", params={"limit": 1}).json()["articles"][0]["id"]
    text = client.get(f"/api/articles/{article}").json()["article"]["text"]
    speakers = [s["name"] for s in client.get("/api/speakers", params={"limit": 2}).json()["speakers"]]
    start = next(i for i, c in enumerate(text) if c.isalpha())

    def call(path: str, parameters: dict[str, object], body: dict[str, object]) -> dict:
        operation = schema[path]["POST"]
        case = operation.Case(path_parameters=parameters, body=body, media_type="application/json")
        response = case.call_and_validate(headers=EDITOR)
        assert response.status_code == 201, response.text
        return response.json()

    rated = call("/api/claims/{claim_id}/ratings", {"claim_id": claim_id}, {"rating": 4, "name": "belegt"})
    assert rated["rating"]["by"] == "contract"
    wide = call("/api/claims/{claim_id}/corrections", {"claim_id": claim_id}, {"type": "Indirect", "note": "contract"})
    added = call(
        "/api/articles/{article_id}/quotations",
        {"article_id": article},
        {"start": start, "end": start + 40, "speaker": speakers[0], "note": "contract"},
    )
    number = wide["correction_ids"][0] if wide["correction_ids"] else added["correction_id"]
    call("/api/corrections/{number}/undo", {"number": number}, {"note": "contract"})
    call("/api/speakers/merge", {}, {"alias": speakers[1], "canonical": speakers[0], "note": "contract"})
    call("/api/speakers/split", {}, {"name": speakers[1], "note": "contract"})
    for path in ("/api/corrections", "/api/speakers/merges"):
        assert schema[path]["GET"].Case().call_and_validate().status_code == 200
