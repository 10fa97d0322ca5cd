"""Logins, sessions, roles, API tokens and corrections through the web UI and the API (issue 19), on both stores."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import click
import httpx
import pytest
from fastapi.testclient import TestClient

from quotetrail import users
from quotetrail.api import create_app
from quotetrail.cli_serve import check_exposure
from quotetrail.model import Article, Extraction, Quotation, Span
from quotetrail.store import open_store
from quotetrail.web.session import SESSION_COOKIE

TEXT = "„Wir haben keine Pläne, Truppen in die Ukraine zu entsenden“, sagte Stoltenberg am Mittwoch."
PASSWORD = "ein-langes-Passwort"


@dataclass
class Ledger:
    db: str
    quotation_id: str
    editor_token: str
    reader_token: str


@pytest.fixture
def ledger(store_url: str) -> Ledger:
    """One article with one quotation by Stoltenberg; eva is an editor, rita a reader, each with an API token."""
    store = open_store(store_url)
    try:
        article = Article(id="a1", source="news/bericht.txt", text=TEXT, outlet="Spiegel", published="2024-05-22")
        quote = Quotation("a1", "Direct", (Span(1, 59),), speaker="Jens Stoltenberg", said_on="2024-05-22")
        store.add_extraction(Extraction(article, (quote,)))
        quotation_id = store.conn.execute("SELECT id FROM quotations").fetchone()[0]
        users.add_user(store, "eva", "editor", PASSWORD)
        users.add_user(store, "rita", "reader", PASSWORD)
        editor_token = users.make_token(store, "eva")[1]
        reader_token = users.make_token(store, "rita")[1]
    finally:
        store.close()
    return Ledger(store_url, quotation_id, editor_token, reader_token)


def browser(db: str, base_url: str = "http://localhost", **options: object) -> TestClient:
    return TestClient(create_app(db, **options), base_url=base_url)  # type: ignore[arg-type]


@pytest.fixture
def client(ledger: Ledger) -> Iterator[TestClient]:
    with browser(ledger.db) as c:
        yield c


def form_token(client: TestClient, url: str = "/login") -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(url).text)
    assert found, f"{url} carries no CSRF token"
    return found.group(1)


def log_in(client: TestClient, name: str = "eva", password: str = PASSWORD, **extra: str) -> httpx.Response:
    data = {"name": name, "password": password, "csrf_token": form_token(client), **extra}
    return client.post("/login", data=data, follow_redirects=False)


def me(client: TestClient, **headers: str) -> dict:
    return client.get("/api/me", headers=headers).json()


def correct_json(client: TestClient, quotation_id: str, body: dict, **headers: str) -> httpx.Response:
    return client.post(f"/api/quotations/{quotation_id}/corrections", json=body, headers=headers)


def log_entries(db: str) -> list[tuple]:
    store = open_store(db)
    try:
        return [tuple(r) for r in store.conn.execute("SELECT field, after, by FROM corrections ORDER BY id")]
    finally:
        store.close()


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


# -- logging in ---------------------------------------------------------------------------------------------------
def test_a_login_sets_a_signed_httponly_lax_session_cookie(client: TestClient) -> None:
    response = log_in(client, next="/quotation/x")
    assert response.status_code == 303 and response.headers["location"] == "/quotation/x"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    flags = cookie.lower()
    assert "httponly" in flags and "samesite=lax" in flags and "max-age=43200" in flags and "path=/" in flags
    assert "secure" not in flags  # plain http: a Secure cookie would never come back
    assert me(client)["user"] == {"name": "eva", "role": "editor"}


def test_over_https_the_session_cookie_is_secure(ledger: Ledger) -> None:
    with browser(ledger.db, "https://localhost") as client:
        response = log_in(client)
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "; secure" in cookie.lower()


def test_a_tampered_or_foreign_cookie_is_anonymous(client: TestClient, ledger: Ledger) -> None:
    import base64
    import json

    from itsdangerous import URLSafeTimedSerializer

    log_in(client)
    good = client.cookies[SESSION_COOKIE]
    payload, stamp, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    as_rita = base64.urlsafe_b64encode(json.dumps({**claims, "u": "rita"}).encode()).decode().rstrip("=")
    other_secret = URLSafeTimedSerializer(b"not the server's secret", salt="quotetrail-session")
    forged = [
        f"{as_rita}.{stamp}.{signature}",  # another user under eva's signature
        # a changed signature: its first character, which carries six bits of the MAC (changing the last ones
        # could touch only the padding bits of the base64 and decode to the same MAC, about once in a thousand)
        f"{payload}.{stamp}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}",
        other_secret.dumps(claims),  # signed with a secret that is not the server's
        "eva",
    ]
    for value in forged:
        client.cookies.set(SESSION_COOKIE, value)
        assert me(client)["user"] is None, value
        assert correct_json(client, ledger.quotation_id, {"speaker": "X", "note": "n"}).status_code == 401
    client.cookies.set(SESSION_COOKIE, good)
    assert me(client)["user"]["name"] == "eva"
    assert log_entries(ledger.db) == []


def test_a_failed_login_does_not_tell_whether_the_name_exists(client: TestClient) -> None:
    wrong_password = log_in(client, "eva", "falsches-Passwort")
    unknown_name = log_in(client, "niemand", "falsches-Passwort")
    assert wrong_password.status_code == unknown_name.status_code == 401
    for response in (wrong_password, unknown_name):
        assert "Anmeldung fehlgeschlagen: Name oder Passwort stimmt nicht." in response.text
        assert not any(c.startswith(SESSION_COOKIE) for c in response.headers.get_list("set-cookie"))
    assert me(client)["user"] is None


def test_a_login_needs_the_forms_csrf_token(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"name": "eva", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403 and me(client)["user"] is None


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "quotation"]
)
def test_after_login_only_local_paths_are_followed(client: TestClient, target: str) -> None:
    assert log_in(client, next=target).headers["location"] == "/"


def test_logout_needs_the_csrf_token_and_ends_the_session(client: TestClient) -> None:
    log_in(client)
    assert client.post("/logout", follow_redirects=False).status_code == 403  # another site cannot log one out
    assert me(client)["user"] is not None
    page = client.get("/")
    assert "Abmelden" in page.text and ">eva<" in page.text
    token = re.search(r'action="/logout".*?name="csrf_token" value="([0-9a-f]+)"', page.text, re.S).group(1)  # type: ignore[union-attr]
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert me(client)["user"] is None and "Anmelden" in client.get("/").text


def test_sessions_survive_a_restart(ledger: Ledger) -> None:
    with browser(ledger.db) as first:
        log_in(first)
        cookie = first.cookies[SESSION_COOKIE]
    with browser(ledger.db) as restarted:  # a new process: a new CSRF secret, the same session secret
        restarted.cookies.set(SESSION_COOKIE, cookie)
        assert me(restarted)["user"]["name"] == "eva"


@pytest.mark.parametrize(
    "change",
    [
        lambda store: users.set_password(store, "eva", "ein-ganz-neues-Passwort"),
        lambda store: users.set_role(store, "eva", "admin"),
        lambda store: users.remove_user(store, "eva"),
    ],
    ids=["password", "role", "removed"],
)
def test_a_new_password_role_or_removal_ends_old_sessions(client: TestClient, ledger: Ledger, change) -> None:
    log_in(client)
    assert me(client)["user"]["name"] == "eva"
    token = form_token(client, f"/quotation/{ledger.quotation_id}")  # the form open in a tab
    store = open_store(ledger.db)
    try:
        change(store)
    finally:
        store.close()
    assert me(client)["user"] is None
    response = client.post(f"/quotation/{ledger.quotation_id}", data={"speaker": "X", "note": "n", "csrf_token": token})
    assert response.status_code == 401 and log_entries(ledger.db) == []


# -- who may correct ----------------------------------------------------------------------------------------------
def test_an_anonymous_correction_is_refused_with_401(client: TestClient, ledger: Ledger) -> None:
    response = correct_json(client, ledger.quotation_id, {"speaker": "Annalena Baerbock", "note": "n"})
    body = response.json()
    assert response.status_code == 401 and body["ok"] is False and body["status"] == 401 and "log in" in body["error"]
    assert response.headers["www-authenticate"].startswith("Bearer")
    page = client.post(f"/quotation/{ledger.quotation_id}", data={"speaker": "X", "note": "n"})
    assert page.status_code == 401 and "/login?next=" in page.text  # the HTML error page offers the login
    assert log_entries(ledger.db) == []


def test_a_reader_is_refused_with_403(client: TestClient, ledger: Ledger) -> None:
    response = correct_json(client, ledger.quotation_id, {"speaker": "X", "note": "n"}, **bearer(ledger.reader_token))
    assert response.status_code == 403 and "rita is reader" in response.json()["error"]
    log_in(client, "rita")
    page = client.get(f"/quotation/{ledger.quotation_id}")
    assert 'name="note"' not in page.text and "Als reader dürfen Sie nicht korrigieren" in page.text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
    posted = client.post(f"/quotation/{ledger.quotation_id}", data={"speaker": "X", "note": "n", "csrf_token": token})
    assert posted.status_code == 403 and log_entries(ledger.db) == []


def test_a_session_post_without_the_csrf_token_is_refused(client: TestClient, ledger: Ledger) -> None:
    log_in(client)
    response = correct_json(client, ledger.quotation_id, {"speaker": "X", "note": "n"})
    assert response.status_code == 403 and "X-CSRF-Token" in response.json()["error"]
    wrong = correct_json(client, ledger.quotation_id, {"speaker": "X", "note": "n"}, **{"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    form = client.post(f"/quotation/{ledger.quotation_id}", data={"speaker": "X", "note": "n"})
    assert form.status_code == 403 and log_entries(ledger.db) == []
    token = me(client)["csrf_token"]
    ok = correct_json(
        client, ledger.quotation_id, {"speaker": "Annalena Baerbock", "note": "n"}, **{"X-CSRF-Token": token}
    )
    assert ok.status_code == 201 and log_entries(ledger.db) == [("speaker", "Annalena Baerbock", "eva")]


def test_a_bearer_token_works_without_csrf_and_a_revoked_one_does_not(client: TestClient, ledger: Ledger) -> None:
    body = {"speaker": "Annalena Baerbock", "type": "Indirect", "said_on": "2024-05-21", "note": "geprüft"}
    response = correct_json(client, ledger.quotation_id, body, **bearer(ledger.editor_token))
    assert response.status_code == 201
    made = response.json()["corrections"]
    assert [(c["field"], c["before"], c["after"], c["by"]) for c in made] == [
        ("speaker", "Jens Stoltenberg", "Annalena Baerbock", "eva"),
        ("type", "Direct", "Indirect", "eva"),
        ("said_on", "2024-05-22", "2024-05-21", "eva"),
    ]
    assert response.json()["quotation"]["corrected"] is True
    assert me(client, **bearer(ledger.editor_token))["via"] == "token"
    store = open_store(ledger.db)
    try:
        users.revoke_token(store, users.list_tokens(store, "eva")[0].id)
    finally:
        store.close()
    again = correct_json(client, ledger.quotation_id, {"speaker": "X", "note": "n"}, **bearer(ledger.editor_token))
    assert again.status_code == 401 and "revoked" in again.json()["error"]
    assert client.get("/api/me", headers=bearer(ledger.editor_token)).status_code == 401
    assert len(log_entries(ledger.db)) == 3


def test_the_correction_shows_everywhere_and_the_speakers_table_knows_the_new_speaker(
    client: TestClient, ledger: Ledger
) -> None:
    body = {"speaker": "Annalena Baerbock", "note": "das Pronomen meint die Ministerin"}
    assert correct_json(client, ledger.quotation_id, body, **bearer(ledger.editor_token)).status_code == 201
    row = client.get(f"/api/quotations/{ledger.quotation_id}").json()["quotation"]
    assert row["speaker"] == "Annalena Baerbock" and row["corrected"] is True
    log = client.get(f"/api/quotations/{ledger.quotation_id}/corrections").json()["corrections"]
    assert [(c["by"], c["before"], c["after"], c["note"]) for c in log] == [
        ("eva", "Jens Stoltenberg", "Annalena Baerbock", "das Pronomen meint die Ministerin")
    ]
    names = [s["name"] for s in client.get("/api/speakers").json()["speakers"]]
    assert "Annalena Baerbock" in names  # refresh_derived ran, as after `quotetrail correct`
    listing = client.get("/search", params={"q": "Truppen"}).text
    assert 'class="corrected"' in listing and f'href="/quotation/{ledger.quotation_id}"' in listing


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"type": "Zitat", "note": "n"}, 400, "type must be one of"),
        ({"said_on": "2024-02-30", "note": "n"}, 400, "said_on must be a real date"),
        ({"speaker": "   ", "note": "n"}, 400, "speaker must not be empty"),
        ({"speaker": "X", "note": "  "}, 400, "a correction needs a note saying why"),
        ({"speaker": "X"}, 400, "note"),
        ({"note": "nothing"}, 400, "nothing to correct"),
        ({"speeker": "X", "note": "n"}, 400, "speeker"),
    ],
    ids=["type", "date", "empty-speaker", "blank-note", "no-note", "no-change", "unknown-field"],
)
def test_a_bad_correction_is_a_400_and_writes_nothing(
    client: TestClient, ledger: Ledger, body: dict, status: int, says: str
) -> None:
    response = correct_json(client, ledger.quotation_id, body, **bearer(ledger.editor_token))
    assert response.status_code == status and says in response.json()["error"], response.json()
    assert log_entries(ledger.db) == []


def test_an_unknown_quotation_is_a_404(client: TestClient, ledger: Ledger) -> None:
    body = {"speaker": "X", "note": "n"}
    assert correct_json(client, "nope", body, **bearer(ledger.editor_token)).status_code == 404
    assert client.get("/api/quotations/nope").status_code == 404
    assert client.get("/api/quotations/nope/corrections").status_code == 404
    assert client.get("/quotation/nope").status_code == 404


# -- the quotation page --------------------------------------------------------------------------------------------
def test_an_editor_corrects_in_the_form_and_is_sent_back_to_the_page(client: TestClient, ledger: Ledger) -> None:
    url = f"/quotation/{ledger.quotation_id}"
    assert 'name="note"' not in client.get(url).text  # anonymous: no form
    log_in(client)
    token = form_token(client, url)
    form = {"speaker": "Annalena Baerbock", "type": "Direct", "said_on": "2024-05-22", "note": "n", "csrf_token": token}
    response = client.post(url, data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == url
    assert log_entries(ledger.db) == [("speaker", "Annalena Baerbock", "eva")]  # type and date were unchanged
    page = client.get(url).text
    assert 'class="corrected"' in page and "Jens Stoltenberg → Annalena Baerbock" in page


def test_a_refused_form_says_why_and_keeps_what_was_typed(client: TestClient, ledger: Ledger) -> None:
    url = f"/quotation/{ledger.quotation_id}"
    log_in(client)
    form = {"speaker": "Annalena Baerbock", "said_on": "2024-13", "note": "n", "csrf_token": form_token(client, url)}
    response = client.post(url, data=form, follow_redirects=False)
    assert response.status_code == 400 and "„Gesagt am“ muss ein echtes Datum" in response.text  # in German
    assert 'value="Annalena Baerbock"' in response.text and log_entries(ledger.db) == []


def test_a_hidden_quotation_keeps_its_page_with_the_history(client: TestClient, ledger: Ledger) -> None:
    body = {"not_a_quotation": True, "note": "eine Überschrift"}
    response = correct_json(client, ledger.quotation_id, body, **bearer(ledger.editor_token))
    assert response.status_code == 201 and response.json()["quotation"] is None
    page = client.get(f"/quotation/{ledger.quotation_id}")
    assert page.status_code == 200 and "verborgen" in page.text and "eine Überschrift" in page.text
    assert client.get(f"/api/quotations/{ledger.quotation_id}").status_code == 404
    assert len(client.get(f"/api/quotations/{ledger.quotation_id}/corrections").json()["corrections"]) == 1


# -- a server that takes no edits -------------------------------------------------------------------------------------
def test_read_only_turns_every_edit_off(ledger: Ledger) -> None:
    with browser(ledger.db, read_only=True) as client:
        body = {"speaker": "X", "note": "n"}
        response = correct_json(client, ledger.quotation_id, body, **bearer(ledger.editor_token))
        assert response.status_code == 403 and "--read-only" in response.json()["error"]
        assert client.get("/login").status_code == 403 and client.get("/upload").status_code == 403
        page = client.get(f"/quotation/{ledger.quotation_id}").text
        assert "Anmelden" not in page and 'name="note"' not in page
        assert me(client)["editing"] is False
    assert log_entries(ledger.db) == []


def test_without_users_the_pages_say_how_to_add_one(store_url: str) -> None:
    store = open_store(store_url)
    try:
        article = Article(id="a1", source="news/bericht.txt", text=TEXT, published="2024-05-22")
        store.add_extraction(Extraction(article, (Quotation("a1", "Direct", (Span(1, 59),), speaker="X"),)))
        quotation_id = store.conn.execute("SELECT id FROM quotations").fetchone()[0]
    finally:
        store.close()
    with browser(store_url) as client:
        assert "quotetrail users add NAME --role editor" in client.get(f"/quotation/{quotation_id}").text
        assert "quotetrail users add NAME --role editor" in client.get("/login").text
        response = correct_json(client, quotation_id, {"speaker": "Y", "note": "n"})
        assert response.status_code == 401 and "quotetrail users add" in response.json()["error"]
        assert me(client)["editing"] is False


# -- serve ------------------------------------------------------------------------------------------------------------
def test_serve_refuses_a_network_address_with_editing_on_and_no_users(capsys: pytest.CaptureFixture[str]) -> None:
    hosts = ["localhost", "ledger.lan"]
    with pytest.raises(click.UsageError) as refused:
        check_exposure("0.0.0.0", False, False, hosts, editing=True, users=0)
    assert "quotetrail users add NAME --role editor" in str(refused.value) and "--read-only" in str(refused.value)
    check_exposure("0.0.0.0", False, False, hosts, editing=False, users=0)  # --read-only: reading only
    check_exposure("0.0.0.0", False, False, hosts, editing=True, users=1)
    assert "https" in capsys.readouterr().err  # logins over plain http on a network: said so
    check_exposure("127.0.0.1", True, False, hosts, editing=True, users=0)  # loopback: a note, no refusal
    assert "quotetrail users add" in capsys.readouterr().err


def test_serve_read_only_on_a_network_address_starts_without_users(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from quotetrail.cli import main

    calls: list[dict] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    empty = str(tmp_path / "empty.db")  # type: ignore[operator]
    refused = CliRunner().invoke(main, ["--db", empty, "serve", "--host", "0.0.0.0", "--no-upload"])
    assert refused.exit_code != 0 and "users add" in refused.output and not calls
    started = CliRunner().invoke(main, ["--db", empty, "serve", "--host", "0.0.0.0", "--read-only"])
    assert started.exit_code == 0 and "(read-only)" in started.output and calls
    app = calls[0]["app"]
    assert app.state.read_only and not app.state.upload_enabled


def test_the_edit_endpoints_document_their_refusals(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    post = schema["paths"]["/api/quotations/{quotation_id}/corrections"]["post"]
    assert {"201", "400", "401", "403", "404", "500"} <= set(post["responses"])
    assert post["security"] == [{"APIToken": []}]
    assert schema["components"]["securitySchemes"]["APIToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from `quotetrail users token NAME`, sent as `Authorization: Bearer TOKEN`.",
    }
    body = schema["components"]["schemas"]["CorrectionBody"]
    assert body["required"] == ["note"] and body["additionalProperties"] is False
    refused = client.put("/api/quotations/x/corrections")  # one path, two routes: Allow names both
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, POST"
    me_op = schema["paths"]["/api/me"]["get"]
    assert {} in me_op["security"] and "401" in me_op["responses"]  # a token is optional there
    assert me(client) == {
        "ok": True,
        "user": None,
        "via": None,
        "editing": True,
        "may_edit": False,
        "csrf_token": None,
    }


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
def test_a_select_only_role_refuses_corrections_with_a_clear_403(ledger: Ledger, pg_cluster) -> None:
    """serve with a role that may only SELECT (docs/postgres.md): logins work, a correction says why it cannot."""
    import psycopg

    dbname = ledger.db.split("@/", 1)[1].split("?", 1)[0]
    with psycopg.connect(f"host={pg_cluster.socket_dir} user=postgres dbname={dbname}", autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS looker")
        conn.execute("CREATE ROLE looker LOGIN")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO looker")
    with browser(ledger.db.replace("postgres@", "looker@")) as client:
        assert log_in(client).status_code == 303 and me(client)["user"]["name"] == "eva"
        body = {"speaker": "Annalena Baerbock", "note": "n"}
        response = correct_json(client, ledger.quotation_id, body, **bearer(ledger.editor_token))
        assert response.status_code == 403 and "may only read" in response.json()["error"]
    assert log_entries(ledger.db) == []


def test_repeated_failed_logins_wait_and_the_password_is_then_not_checked(ledger: Ledger) -> None:
    from quotetrail.web.throttle import PER_ADDRESS, PER_NAME

    with browser(ledger.db) as client:
        for _ in range(PER_NAME):
            assert log_in(client, "eva", "falsches-Passwort").status_code == 401
        refused = log_in(client, "eva")  # the right password, too late
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert "Zu viele fehlgeschlagene Anmeldungen" in refused.text and me(client)["user"] is None
        assert log_in(client, "rita").status_code == 303  # another name from the same address may still log in
        for i in range(PER_ADDRESS - PER_NAME):  # other names each time: held-back names are not counted again
            assert log_in(client, f"niemand{i}", "falsches-Passwort").status_code == 401
        assert log_in(client, "rita").status_code == 429  # now this address has guessed too often for any name


def test_failed_logins_leave_the_window_and_a_success_forgets_them() -> None:
    from quotetrail.web.throttle import LoginThrottle

    now = [0.0]
    throttle = LoginThrottle(per_name=3, per_address=10, window=60.0, clock=lambda: now[0])
    for t in (0.0, 10.0, 20.0):
        now[0] = t
        throttle.failed("10.0.0.1", "Eva")
    assert throttle.wait("10.0.0.1", "eva") == 41  # names compare case-insensitively; the first failure leaves at 60
    assert throttle.wait("10.0.0.2", "eva") == 0  # another address is not held back
    now[0] = 60.5
    assert throttle.wait("10.0.0.1", "eva") == 0
    throttle.failed("10.0.0.1", "eva")
    throttle.succeeded("10.0.0.1", "eva")
    now[0] = 61.0
    assert throttle.wait("10.0.0.1", "eva") == 0
