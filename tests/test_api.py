"""REST API: every endpoint, paging, the one error shape, and safety of what users send."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from quotetrail.api import create_app
from quotetrail.model import EXPORT_FIELDS, Article, Extraction, Quotation, Span
from quotetrail.store import open_store

SCRIPT = "<script>alert('x')</script> sagte er"
TEXT = (
    "„Wir haben keine Pläne, Truppen in die Ukraine zu entsenden“, sagte Stoltenberg am Mittwoch. "
    + f"„{SCRIPT}“, sagte Müller."
)


@pytest.fixture
def client(store_url: str, tmp_path: Path) -> TestClient:
    db = store_url
    store = open_store(db)
    article = Article(
        id="a1", source="a.txt", text=TEXT, outlet="Spiegel", agency="dpa", published="2024-05", language="de"
    )
    s2 = TEXT.index(SCRIPT)
    quotes = (
        Quotation(
            "a1",
            "Direct",
            (Span(0, 60),),
            cue=(Span(62, 67),),
            speaker_mention=(Span(68, 79),),
            speaker="Jens Stoltenberg",
            speaker_role="Generalsekretär",
            said_on="2024-05-22",
            said_on_text="Mittwoch",
        ),
        Quotation("a1", "Direct", (Span(s2, s2 + len(SCRIPT)),), speaker="Max Müller", said_on="2024-05"),
    )
    store.add_extraction(Extraction(article, quotes))
    from quotetrail.model import SpeakerMention
    from quotetrail.speakers import merge_speakers

    store.replace_speakers(
        merge_speakers(
            [(SpeakerMention(68, 79, "Stoltenberg", "Jens Stoltenberg", "person", "Generalsekretär"), "2024-05")]
        )
    )
    store.close()
    return TestClient(create_app(db, data_dir=tmp_path / "uploads", max_upload_bytes=2000), base_url="http://localhost")


def upload(client: TestClient, files: list) -> httpx.Response:
    """POST files as the upload form does: with the CSRF token of the page and its cookie."""
    form = client.get("/upload").text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form)
    assert token, "the upload form carries no CSRF token"
    return client.post("/upload", files=files, data={"csrf_token": token.group(1)})


def test_quotations_with_filters_and_paging(client: TestClient) -> None:
    body = client.get("/api/quotations", params={"speaker": "Stoltenberg", "limit": 1}).json()
    assert body["ok"] and body["total"] == 1 and len(body["quotations"]) == 1
    row = body["quotations"][0]
    assert tuple(row)[: len(EXPORT_FIELDS)] == EXPORT_FIELDS and row["said_on"] == "2024-05-22"
    page1 = client.get("/api/quotations", params={"limit": 1}).json()
    page2 = client.get("/api/quotations", params={"limit": 1, "offset": 1}).json()
    assert page2["total"] == 2 and page2["quotations"][0]["quotation_id"] != page1["quotations"][0]["quotation_id"]
    assert client.get("/api/quotations", params={"text": "Truppe"}).json()["total"] == 1


@pytest.mark.parametrize(
    "params",
    [
        {"since": "gestern"},
        {"until": "2024-99"},
        {"type": "Zitat"},
        {"limit": "-1"},
        {"limit": "viele"},
        {"offset": "-3"},
        {"offset": "9223372036854775808"},
        {"limit": "1001"},
        {"since": "2024-02-31"},
        {"until": "2023-02-29"},
        {"since": ""},
    ],
)
def test_bad_parameters_get_400_with_the_error_shape(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/api/quotations", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["status"] == 400 and body["error"]


def test_speakers_and_one_speaker(client: TestClient) -> None:
    speakers = client.get("/api/speakers").json()["speakers"]
    [s] = [s for s in speakers if s["name"] == "Jens Stoltenberg"]
    one = client.get(f"/api/speakers/{s['id']}").json()
    assert one["speaker"]["roles"][0]["role"] == "Generalsekretär"
    assert [r["text"] for r in one["statements"]] == ["Wir haben keine Pläne, Truppen in die Ukraine zu entsenden"]
    assert client.get("/api/speakers/nobody").status_code == 404


def test_articles_and_one_article_with_spans(client: TestClient) -> None:
    [a] = client.get("/api/articles").json()["articles"]
    body = client.get(f"/api/articles/{a['id']}").json()
    assert body["article"]["text"] == TEXT
    assert body["quotations"][0]["spans"] == [[0, 60]]
    missing = client.get("/api/articles/nope")
    assert missing.status_code == 404 and missing.json()["ok"] is False


def test_timeline_needs_a_query_and_orders_by_date(client: TestClient) -> None:
    assert client.get("/api/timeline").status_code == 400
    body = client.get("/api/timeline", params={"q": "sagte Truppen"}).json()
    assert body["ok"] and isinstance(body["statements"], list)


def test_claims_endpoints_when_empty(client: TestClient) -> None:
    assert client.get("/api/claims").json() == {"ok": True, "total": 0, "next": None, "claims": []}
    assert client.get("/api/claims/c123").status_code == 404


def test_openapi_describes_the_endpoints(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/quotations",
        "/api/speakers",
        "/api/speakers/{speaker_id}",
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/timeline",
        "/api/claims",
        "/api/claims/{claim_id}",
    ):
        assert path in paths


def test_script_in_a_quotation_renders_as_text(client: TestClient) -> None:
    html = client.get("/search", params={"q": "alert"}).text
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    article = client.get("/article/a1").text
    assert "<script>alert" not in article and "&lt;script&gt;" in article


def test_pages_answer(client: TestClient) -> None:
    for url in (
        "/",
        "/search?q=Truppen",
        "/timeline?q=Truppen&speaker=Stoltenberg",
        "/speakers",
        "/claims",
        "/upload",
        "/article/a1",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/search", params={"since": "bald"}).status_code == 400
    assert client.get("/article/none").status_code == 404


def test_upload_ingests_and_stays_inside_the_data_directory(client: TestClient, tmp_path: Path) -> None:
    text = "Die Ministerin sagte am Montag, die Regierung habe keine Pläne für eine Steuererhöhung.".encode()
    response = upload(client, [("files", ("../../../etc/evil.txt", text, "text/plain"))])
    assert response.status_code == 200 and "Gelesene Dateien: 1; Artikel: 1 neu" in response.text
    saved = list((tmp_path / "uploads").iterdir())
    assert len(saved) == 1 and saved[0].name.endswith("evil.txt") and saved[0].parent == tmp_path / "uploads"
    assert not (tmp_path.parent / "etc").exists()


def test_upload_limits_and_bad_files(client: TestClient) -> None:
    too_big = upload(client, [("files", ("gross.txt", b"x" * 5000, "text/plain"))])
    assert too_big.status_code == 413 and "gross.txt: größer als die erlaubten" in too_big.text
    wrong = upload(client, [("files", ("bild.png", b"\x89PNG....", "image/png"))])
    assert wrong.status_code == 400 and "Dateityp „.png“ wird nicht unterstützt" in wrong.text
    empty = upload(client, [("files", ("leer.txt", b"", "text/plain"))])
    assert "leer.txt: leere Datei" in empty.text and "empty file" not in empty.text


def test_compare_endpoints(client: TestClient) -> None:
    assert client.get("/api/claims/nope/compare").status_code == 404
    speakers = client.get("/api/speakers").json()["speakers"]
    sid = next(s["id"] for s in speakers if s["name"] == "Jens Stoltenberg")
    body = client.get(f"/api/speakers/{sid}/compare").json()
    assert body["ok"] and body["reports"][0]["outlet"] == "Spiegel / dpa"
    assert "diff" in body["reports"][0] and isinstance(body["reports"][0]["framing_near"], list)


def test_the_next_page_link_keeps_the_filters(new_db, tmp_path: Path) -> None:
    text = " ".join(f"„Satz {i} über Truppen“, sagte Müller." for i in range(60))
    starts = [i + 1 for i, ch in enumerate(text) if ch == "„"]
    quotes = tuple(
        Quotation("m1", "Direct", (Span(s, text.index("“", s)),), speaker="Max Müller", said_on="2024-05")
        for s in starts
    )
    many = new_db("many")
    store = open_store(many)
    store.add_extraction(Extraction(Article(id="m1", source="m.txt", text=text, language="de"), quotes))
    store.close()
    client = TestClient(create_app(many), base_url="http://localhost")
    page1 = client.get("/search", params={"q": "Truppen", "since": "2024", "speaker": "Müller"}).text
    link = re.search(r'class="next" href="([^"]+)"', page1)
    assert link and "since=2024" in link.group(1) and "speaker=M%C3%BCller" in link.group(1)
    assert "after=" in link.group(1) and "Zitate 1–50 von 60" in page1
    page2 = client.get(link.group(1).replace("&amp;", "&"))
    assert page2.status_code == 200 and "Zitate 51–60 von 60" in page2.text and 'class="next"' not in page2.text
