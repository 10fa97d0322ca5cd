"""Web hardening (issue 13): Host allow-list, CSRF, error ids, offline docs, non-blocking uploads, no server paths."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from quotetrail.api import create_app
from quotetrail.filters import DATE_PATTERN, check_date
from quotetrail.model import Article, Extraction, Quotation, Span
from quotetrail.store import open_store
from quotetrail.web.filters import public_source
from quotetrail.web.security import allowed_hosts

TEXT = "„Wir haben keine Pläne, Truppen in die Ukraine zu entsenden“, sagte Stoltenberg am Mittwoch."
NEW_ARTICLE = "Die Ministerin sagte am Montag, die Regierung habe keine Pläne für eine Steuererhöhung.".encode()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database whose one article was ingested from an absolute path, as old databases hold them."""
    path = tmp_path / "web.db"
    store = open_store(path)
    source = str(tmp_path / "private" / "news" / "bericht.txt")
    article = Article(id="a1", source=source, text=TEXT, outlet="Spiegel", published="2024-05", language="de")
    quote = Quotation("a1", "Direct", (Span(1, 59),), speaker="Jens Stoltenberg", said_on="2024-05-22")
    store.add_extraction(Extraction(article, (quote,)))
    store.close()
    return path


@pytest.fixture
def client(db: Path, tmp_path: Path) -> TestClient:
    return TestClient(create_app(db, data_dir=tmp_path / "uploads"), base_url="http://localhost")


def form_token(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/upload").text)
    assert found, "the upload form carries no CSRF token"
    return found.group(1)


def post_upload(client: TestClient, token: str | None, **kwargs: object) -> httpx.Response:
    data = {"csrf_token": token} if token is not None else {}
    files = [("files", ("neu.txt", NEW_ARTICLE, "text/plain"))]
    return client.post("/upload", files=files, data=data, **kwargs)  # type: ignore[arg-type]


# -- Host allow-list (DNS rebinding) ---------------------------------------------------
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io", "10.0.0.5"])
def test_a_rebound_host_name_is_refused(client: TestClient, host: str) -> None:
    assert client.get("/api/quotations", headers={"host": host}).status_code == 400
    assert client.get("/", headers={"host": host}).status_code == 400


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST"])
def test_loopback_names_are_accepted(client: TestClient, host: str) -> None:
    assert client.get("/api/quotations", headers={"host": host}).status_code == 200


def test_allowed_hosts_come_from_the_bind_address_and_the_option() -> None:
    assert allowed_hosts("127.0.0.1") == ["localhost", "127.0.0.1", "[::1]"]
    assert allowed_hosts("0.0.0.0", ["ledger.lan"]) == ["localhost", "127.0.0.1", "[::1]", "ledger.lan"]
    assert allowed_hosts("192.168.1.20")[-1] == "192.168.1.20"
    assert allowed_hosts("fe80::1")[-1] == "[fe80::1]"


# -- CSRF ------------------------------------------------------------------------------
def test_upload_with_the_form_token_is_accepted(client: TestClient, tmp_path: Path) -> None:
    response = post_upload(client, form_token(client))
    assert response.status_code == 200 and "Artikel: 1 neu" in response.text
    assert 'name="csrf_token"' in response.text  # the page after an upload can upload again


@pytest.mark.parametrize("token", [None, "", "0" * 64])
def test_upload_without_a_valid_token_is_refused_and_stores_nothing(
    client: TestClient, tmp_path: Path, token: str | None
) -> None:
    form_token(client)  # the browser has its cookie; the attacker's form lacks the token
    response = post_upload(client, token)
    assert response.status_code == 403
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())
    assert client.get("/api/articles").json()["articles"][0]["id"] == "a1"
    assert len(client.get("/api/articles").json()["articles"]) == 1


def test_a_token_is_worthless_without_its_own_cookie(client: TestClient, db: Path, tmp_path: Path) -> None:
    token = form_token(client)
    other = TestClient(client.app, base_url="http://localhost")  # another browser: another cookie
    form_token(other)
    assert post_upload(other, token).status_code == 403


@pytest.mark.parametrize(
    "headers",
    [{"origin": "http://evil.example"}, {"origin": "null"}, {"referer": "http://evil.example/form.html"}],
    ids=["origin", "origin-null", "referer"],
)
def test_cross_site_posts_are_refused_even_with_a_token(client: TestClient, headers: dict[str, str]) -> None:
    assert post_upload(client, form_token(client), headers=headers).status_code == 403


def test_same_origin_posts_pass(client: TestClient) -> None:
    headers = {"origin": "http://localhost", "referer": "http://localhost/upload"}
    assert post_upload(client, form_token(client), headers=headers).status_code == 200


def test_the_csrf_cookie_is_not_readable_by_scripts_nor_sent_cross_site(client: TestClient) -> None:
    cookie = client.get("/upload").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


# -- errors ------------------------------------------------------------------------------
def test_an_internal_error_is_a_500_with_an_id_in_the_log(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("secret detail from /srv/internal")

    monkeypatch.setattr("quotetrail.query.speakers", broken)
    client = TestClient(create_app(db), base_url="http://localhost", raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="quotetrail.web"):
        response = client.get("/api/speakers")
        page = client.get("/speakers")
    body = response.json()
    assert response.status_code == 500 and body["ok"] is False and body["status"] == 500
    assert re.fullmatch(r"[0-9a-f]{8}", body["error_id"]) and body["error_id"] in body["error"]
    assert "secret detail" not in response.text and "/srv/internal" not in page.text
    assert page.status_code == 500
    logged = [r for r in caplog.records if body["error_id"] in r.getMessage()]
    assert logged and "secret detail" in str(logged[0].exc_info[1])  # type: ignore[index]


def test_a_user_error_is_a_400_that_says_what_to_change(client: TestClient) -> None:
    body = client.get("/api/quotations", params={"until": "2024-02-30"}).json()
    assert body["status"] == 400 and "until must be a real date" in body["error"] and "2024-02-30" in body["error"]
    assert "seit" not in body["error"]
    page = client.get("/search", params={"since": "2024-13"})  # a page says it in German (messages_de.toml)
    assert page.status_code == 400 and "„seit“ muss ein echtes Datum" in page.text and "2024-13" in page.text


@pytest.mark.parametrize("url", ["/api/quotations?offset=9223372036854775808", "/search?page=9223372036854775807"])
def test_huge_paging_numbers_are_refused_not_crashed(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 400


def test_a_text_without_words_matches_nothing(client: TestClient) -> None:
    assert client.get("/api/quotations", params={"text": "!!! ..."}).json()["total"] == 0
    assert client.get("/api/timeline", params={"q": "?"}).json()["statements"] == []
    assert client.get("/search", params={"q": "!!!"}).status_code == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_405_says_which_methods_are_allowed(client: TestClient, method: str) -> None:
    response = client.request(method, "/api/quotations")
    assert response.status_code == 405 and "GET" in response.headers["allow"]
    assert response.json() == {"ok": False, "error": "Method Not Allowed", "status": 405}


def test_every_status_code_is_documented(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            success = {"get": "200", "post": "201"}[method]
            assert {success, "500"} <= codes and "422" not in codes, (method, path)
            assert ("404" in codes) == ("{" in path), (method, path)
            if method == "post":  # every edit: a bad body, not logged in, not allowed
                assert {"400", "401", "403"} <= codes, path
    assert "400" in paths["/api/quotations"]["get"]["responses"]
    since = next(p for p in paths["/api/quotations"]["get"]["parameters"] if p["name"] == "since")
    assert since["schema"]["anyOf"][0]["pattern"] == DATE_PATTERN


def test_the_date_pattern_admits_exactly_the_calendar_dates() -> None:
    pattern = re.compile(DATE_PATTERN)
    for year in (1, 4, 100, 400, 1900, 1999, 2000, 2023, 2024, 2100, 9999):
        for month in range(0, 14):
            for day in range(0, 33):
                value = f"{year:04d}-{month:02d}-{day:02d}"
                try:
                    dt.date(year, month, day)
                    real = True
                except ValueError:
                    real = False
                assert bool(pattern.match(value)) == real, value
    assert not pattern.match("0000") and pattern.match("0001") and not pattern.match("2024-5")
    assert not pattern.match("２０２４")  # full-width digits are digits to \d, not to [0-9]
    with pytest.raises(ValueError, match="2024-02-30"):
        check_date("2024-02-30", "since")


# -- offline API docs ----------------------------------------------------------------------
def test_api_docs_load_nothing_from_another_host(client: TestClient) -> None:
    html = client.get("/api/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/") for url in assets), assets
    assert "://" not in html
    served = {url: client.get(url) for url in assets}
    assert all(r.status_code == 200 and r.content for r in served.values()), served
    assert b"SwaggerUIBundle" in served["/api/docs/assets/swagger-ui-bundle.js"].content
    assert client.get("/api/docs/assets/index.html").status_code == 404  # only the assets the page uses


# -- uploads do not block the server ---------------------------------------------------------
def test_other_requests_are_answered_while_an_upload_is_ingested(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quotetrail.ingest_job import Summary

    started, release = threading.Event(), threading.Event()

    def slow_ingest(store: object, paths: list[Path], **kwargs: object) -> Summary:
        started.set()
        release.wait(timeout=30)
        return Summary(files={str(p) for p in paths}, new=len(paths))

    monkeypatch.setattr("quotetrail.ingest_job.ingest_paths", slow_ingest)
    answers: dict[str, httpx.Response] = {}
    with TestClient(create_app(db, data_dir=tmp_path / "uploads"), base_url="http://localhost") as client:
        token = form_token(client)
        poster = threading.Thread(target=lambda: answers.setdefault("upload", post_upload(client, token)))
        poster.start()
        try:
            assert started.wait(timeout=30), "the upload never reached the ingest"
            getter = threading.Thread(target=lambda: answers.setdefault("get", client.get("/api/quotations")))
            getter.start()
            getter.join(timeout=10)
            assert "get" in answers, "a GET waited for the upload's ingest: it runs in the event loop"
            assert answers["get"].json()["total"] == 1
        finally:
            release.set()
            poster.join(timeout=30)
    assert answers["upload"].status_code == 200 and "Artikel: 1 neu" in answers["upload"].text


# -- no server paths --------------------------------------------------------------------------
def test_no_absolute_server_path_in_pages_or_api(client: TestClient, tmp_path: Path) -> None:
    secret = str(tmp_path)
    for url in ("/api/articles", "/api/articles/a1", "/api/quotations", "/article/a1", "/search?q=Truppen"):
        response = client.get(url)
        assert response.status_code == 200 and secret not in response.text, url
    assert client.get("/api/articles").json()["articles"][0]["source"] == "news/bericht.txt"


def test_uploaded_files_are_shown_by_name_not_by_server_path(client: TestClient, tmp_path: Path) -> None:
    response = post_upload(client, form_token(client))
    assert response.status_code == 200 and str(tmp_path) not in response.text
    sources = [a["source"] for a in client.get("/api/articles").json()["articles"]]
    assert any(re.fullmatch(r"uploads/[0-9a-f]{8}-neu\.txt", s) for s in sources), sources
    assert not any(s.startswith("/") for s in sources)


def test_uploads_are_recorded_relative_to_the_working_folder(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    client = TestClient(create_app(db, data_dir=tmp_path / "uploads"), base_url="http://localhost")
    assert post_upload(client, form_token(client)).status_code == 200
    store = open_store(db)
    try:
        sources = [a.source for a in store.articles()]
    finally:
        store.close()
    assert any(re.fullmatch(r"uploads/[0-9a-f]{8}-neu\.txt", s) for s in sources), sources


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("/home/alice/news/x.txt", "news/x.txt"),
        ("/srv/data/feed.jsonl#12", "data/feed.jsonl#12"),
        ("../../home/bob/x.txt", "bob/x.txt"),
        ("C:\\Users\\carol\\x.html", "carol/x.html"),
        ("~/x.txt", "x.txt"),
        ("examples/000_a.txt", "examples/000_a.txt"),
        ("https://example.org/a", "https://example.org/a"),
    ],
)
def test_public_source(source: str, shown: str) -> None:
    assert public_source(source) == shown


# -- serve ---------------------------------------------------------------------------------------
@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Calls of uvicorn.run, which does not run."""
    calls: list[dict[str, object]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    return calls


def serve(db: Path, *args: str) -> object:
    from quotetrail.cli import main

    return CliRunner().invoke(main, ["--db", str(db), "serve", *args])


def test_serve_on_localhost_prints_where_it_serves(db: Path, served: list[dict[str, object]]) -> None:
    result = serve(db, "--port", "8123")
    assert result.exit_code == 0 and "http://127.0.0.1:8123/" in result.output  # type: ignore[attr-defined]
    assert "warning" not in result.output and served[0]["host"] == "127.0.0.1"  # type: ignore[attr-defined]


def add_editor(db: Path) -> None:
    """A user, without whom serve on a non-loopback address with editing on refuses (see test_web_auth.py)."""
    from quotetrail.users import add_user

    with open_store(db) as store:
        add_user(store, "eva", "editor", "ein-langes-Passwort")


def test_serve_refuses_remote_uploads_unless_told(db: Path, served: list[dict[str, object]]) -> None:
    add_editor(db)
    result = serve(db, "--host", "0.0.0.0")
    assert result.exit_code != 0 and "--no-upload" in result.output and not served  # type: ignore[attr-defined]


def test_serve_on_all_interfaces_warns_and_says_so(db: Path, served: list[dict[str, object]]) -> None:
    add_editor(db)
    result = serve(db, "--host", "0.0.0.0", "--no-upload", "--allow-host", "ledger.lan")
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 0 and "warning" in output and "http://0.0.0.0:8000/" in output  # type: ignore[attr-defined]
    app = served[0]["app"]
    client = TestClient(app, base_url="http://ledger.lan")  # type: ignore[arg-type]
    assert client.get("/api/quotations").status_code == 200
    assert client.get("/upload").status_code == 403
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_serve_allows_remote_uploads_when_asked(db: Path, served: list[dict[str, object]]) -> None:
    add_editor(db)
    result = serve(db, "--host", "0.0.0.0", "--allow-remote-upload")
    assert result.exit_code == 0 and "warning" in result.output and served  # type: ignore[attr-defined]
