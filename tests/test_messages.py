"""The message catalogue: the web UI refuses in German, the CLI and the REST API in English (``messages``).

The first tests read the source: every message template the code raises
(a ``LocalisedError`` subclass or ``messages.german`` called with a literal)
must have a German entry in ``data/messages_de.toml`` taking the same
parameters, so a new message without its German fails here.  The others ask
the web app: a page shows the German line, the same request under /api/ the
English one.
"""

from __future__ import annotations

import ast
import json
import pickle
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from quotetrail import messages, query
from quotetrail.api import create_app
from quotetrail.corrections import CorrectionError
from quotetrail.corrections.validate import parse_span
from quotetrail.query import QueryError
from quotetrail.ratings import RatingError
from quotetrail.store import open_store
from quotetrail.users import check_name
from test_web_edits import TEXT, TROOPS, Ledger, build, client_for, log_in, post_form, span_of

SOURCE = Path(messages.__file__).parent
#: Keyword arguments of an error class that are no message parameter.
NOT_PARAMETERS = {"status", "headers"}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _trees() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def error_classes() -> set[str]:
    """``LocalisedError`` and every class deriving from it (by name, through any depth of the source)."""
    classes = [node for _, tree in _trees() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    found = {"LocalisedError"}
    while True:
        more = {c.name for c in classes if c.name not in found and any(_name(b) in found for b in c.bases)}
        if not more:
            return found
        found |= more


def message_calls() -> list[tuple[str, ast.Call]]:
    """Every call that makes a message: an error class of the catalogue, or ``german(template, ...)``."""
    makers = error_classes() | {"german", "Message"}
    calls = []
    for path, tree in _trees():
        if path.name == "messages.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in makers and node.args:
                calls.append((f"{path.relative_to(SOURCE)}:{node.lineno}", node))
    return calls


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def used_templates() -> dict[str, str]:
    """Template → where it is raised; fails for a call whose template is no string literal (the test could not
    see it) or whose keyword arguments are not the template's fields."""
    found: dict[str, str] = {}
    for where, call in message_calls():
        first = call.args[0]
        assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
            f"{where}: a message template must be a string literal (no f-string), with its values as keywords"
        )
        given = {k.arg for k in call.keywords if k.arg is not None} - NOT_PARAMETERS
        assert given == fields(first.value), f"{where}: parameters {sorted(given)} for {first.value!r}"
        found.setdefault(first.value, where)
    return found


def test_the_error_classes_are_found_in_the_source() -> None:
    assert {"QueryError", "CorrectionError", "SpeakerMergeError", "RatingError", "UserError"} <= error_classes()
    assert len(used_templates()) >= 70


def test_every_message_raised_has_its_german() -> None:
    missing = {template: where for template, where in used_templates().items() if template not in messages.catalogue()}
    assert not missing, f"add these to data/{messages.CATALOGUE}: {missing}"


def test_every_german_entry_is_raised_somewhere() -> None:
    """An entry whose English template changed or went away would never be shown: the catalogue follows the code."""
    stale = set(messages.catalogue()) - set(used_templates())
    assert not stale, f"no code raises these any more: {sorted(stale)}"


def test_the_german_takes_the_english_parameters_and_quotes_them_in_german() -> None:
    for english, german in messages.catalogue().items():
        assert fields(german) <= fields(english), (english, german)
        assert "!r" not in german and not re.search(r"'\{|\}'", german), f"quote values „{{value}}“: {german!r}"
        assert "quotetrail " not in german and "`" not in german, f"the web has no command line: {german!r}"
        assert german.format(**dict.fromkeys(fields(english), "x")), english


# -- the error classes ------------------------------------------------------------------------------------------------
def test_str_is_the_english_and_german_the_catalogue_text() -> None:
    err = QueryError("since must be a real date like 2024, 2024-05 or 2024-05-22, not {value!r}", value="2024-13")
    assert str(err) == "since must be a real date like 2024, 2024-05 or 2024-05-22, not '2024-13'"
    assert err.german() == "„seit“ muss ein echtes Datum wie 2024, 2024-05 oder 2024-05-22 sein, nicht „2024-13“."
    assert isinstance(err, ValueError) and err.args == (str(err),)
    rating = RatingError(
        "no claim {claim!r} (claim ids are listed by `quotetrail claims --all`)", status=404, claim="c1"
    )
    assert rating.status == 404 and str(rating) == "no claim 'c1' (claim ids are listed by `quotetrail claims --all`)"
    assert "quotetrail" not in rating.german() and "„c1“" in rating.german()


def test_a_template_without_german_falls_back_to_english() -> None:
    err = CorrectionError("no such message {value!r}", value="x")
    assert err.german() == str(err) == "no such message 'x'"


def test_an_error_keeps_its_german_through_pickling() -> None:
    err = pickle.loads(
        pickle.dumps(
            RatingError(
                "rating must be from {worst} to {best} ({scale}), not {value}",
                status=400,
                worst=1,
                best=5,
                scale="…",
                value=9,
            )
        )
    )
    assert (
        str(err).startswith("rating must be from 1 to 5")
        and err.german().startswith("Die Bewertung")
        and err.status == 400
    )


@pytest.mark.parametrize(
    ("refuse", "english", "german"),
    [
        (
            lambda: parse_span("5 x"),
            "span must be two whole numbers START END, not '5 x'",
            "„von“ und „bis“ müssen zwei ganze Zahlen sein, nicht „5 x“.",
        ),
        (
            lambda: check_name("a b"),
            "user name must be 1 to 64 letters, digits or . _ @ - (no spaces), not 'a b'",
            "Ein Benutzername besteht aus 1 bis 64 Buchstaben, Ziffern oder . _ @ - (ohne Leerzeichen), nicht „a b“.",
        ),
        (lambda: check_name(" "), "user name must not be empty", "Bitte einen Benutzernamen angeben."),
    ],
)
def test_library_refusals_keep_their_english(refuse, english: str, german: str) -> None:
    with pytest.raises(messages.LocalisedError) as caught:
        refuse()
    assert str(caught.value) == english and caught.value.german() == german


# -- the web app: a page in German, the API in English -----------------------------------------------------------------
@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return build(str(tmp_path / "messages.db"))


@pytest.fixture
def browser(ledger: Ledger) -> Iterator[TestClient]:
    with client_for(ledger) as client:
        yield client


def test_a_bad_date_in_the_search_is_german_on_the_page_and_english_in_the_api(browser: TestClient) -> None:
    page = browser.get("/search", params={"since": "2024-13"})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "„seit“ muss ein echtes Datum wie 2024, 2024-05 oder 2024-05-22 sein, nicht „2024-13“." in page.text
    until = browser.get("/timeline", params={"q": "Truppen", "until": "2024-02-30"})
    assert until.status_code == 400 and "„bis“ muss ein echtes Datum" in until.text and "must be" not in until.text
    api = browser.get("/api/quotations", params={"since": "2024-13"})
    assert api.status_code == 400
    assert api.json()["error"] == "since must be a real date like 2024, 2024-05 or 2024-05-22, not '2024-13'"


def test_a_page_not_found_is_german_and_the_api_says_which(browser: TestClient) -> None:
    page = browser.get("/article/nichts")
    assert page.status_code == 404 and "Nicht gefunden." in page.text and "Not found" not in page.text
    assert browser.get("/api/articles/nichts").json()["error"] == "no article 'nichts'"


def test_a_bad_page_cursor_is_german_on_the_page_and_english_in_python(browser: TestClient, ledger: Ledger) -> None:
    page = browser.get("/search", params={"q": "Truppen", "after": "kein-cursor"})
    assert page.status_code == 400
    assert "Der Seitenverweis „kein-cursor“ ist ungültig: bitte mit dem Link „weiter“ blättern." in page.text
    with open_store(ledger.db) as store, pytest.raises(QueryError) as caught:
        query.quotations_page(store, after="kein-cursor")
    assert str(caught.value) == "after must be the 'next' value of a previous page, not 'kein-cursor'"


def test_a_refused_correction_shows_its_german_line_and_the_api_its_english(
    browser: TestClient, ledger: Ledger
) -> None:
    page = f"/quotation/{ledger.troops}"
    log_in(browser)
    start = span_of(TROOPS)[0]
    refused = post_form(browser, page, page, start=str(start), end="99999", note="zu kurz")
    assert refused.status_code == 400
    assert f"Die Zeichen {start} bis 99999 liegen außerhalb des Artikels (er hat {len(TEXT)} Zeichen)." in refused.text
    assert "lies outside" not in refused.text and 'value="99999"' in refused.text
    api = browser.post(
        f"/api/quotations/{ledger.troops}/corrections",
        json={"span": [start, 99999], "note": "zu kurz"},
        headers={"authorization": f"Bearer {ledger.tokens['eva']}"},
    )
    assert api.status_code == 400
    assert api.json()["error"] == f"span {start} 99999 lies outside the article ({len(TEXT)} characters)"


def test_a_refused_rating_shows_its_german_line_and_the_api_its_english(browser: TestClient, ledger: Ledger) -> None:
    claim = ledger.claim_of(ledger.troops)
    page = f"/claim/{claim}"
    log_in(browser)
    refused = post_form(browser, page, f"{page}/ratings", rating="3", name="", url="ftp://fc.example")
    assert refused.status_code == 400 and "Eine Bewertung braucht ein Urteil in eigenen Worten" in refused.text
    bad_url = post_form(browser, page, f"{page}/ratings", rating="3", name="teils", url="ftp://fc.example")
    assert "Adresse mit http:// oder https:// sein, nicht „ftp://fc.example“." in bad_url.text
    api = browser.post(
        f"/api/claims/{claim}/ratings",
        json={"rating": 3, "name": "teils", "url": "ftp://fc.example"},
        headers={"authorization": f"Bearer {ledger.tokens['eva']}"},
    )
    assert api.status_code == 400
    assert api.json()["error"] == "url must be an http:// or https:// address, not 'ftp://fc.example'"


def test_refused_merges_undos_and_additions_are_german_on_their_pages(browser: TestClient, ledger: Ledger) -> None:
    from quotetrail.speakers.identity import speaker_id

    log_in(browser)
    rutte = f"/speaker/{speaker_id('Mark Rutte')}"
    merge = post_form(browser, rutte, f"{rutte}/merge", canonical="Niemand", note="Tippfehler?")
    assert merge.status_code == 400
    assert (
        "Es gibt keine Zitate von „Niemand“ (bitte den Namen genau so angeben, wie ihn die Sprecherliste zeigt)."
        in merge.text
    )
    itself = post_form(browser, rutte, f"{rutte}/merge", canonical="Mark Rutte", note="?")
    assert "„Mark Rutte“ lässt sich nicht mit sich selbst zusammenführen." in itself.text
    article = "/article/a1"
    added = post_form(
        browser, article, f"{article}/quotations", start="0", end="x", speaker="Mark Rutte", note="fehlte"
    )
    assert added.status_code == 400 and "„von“ und „bis“ müssen zwei ganze Zahlen sein, nicht „0 x“." in added.text
    quotation = f"/quotation/{ledger.troops}"
    post_form(browser, quotation, quotation, speaker="Mark Rutte", note="falsch zugeordnet")
    number = re.search(r'action="/corrections/(\d+)/undo"', browser.get(quotation).text).group(1)  # type: ignore[union-attr]
    undo = post_form(browser, quotation, f"/corrections/{number}/undo", note=" ", quotation=ledger.troops)
    assert undo.status_code == 400 and "Eine Korrektur braucht eine Begründung." in undo.text


def test_the_upload_page_lists_its_problems_in_german(tmp_path: Path) -> None:
    app = create_app(str(tmp_path / "up.db"), data_dir=tmp_path / "uploads", max_upload_bytes=2_000_000)
    with TestClient(app, base_url="http://localhost") as client:
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/upload").text).group(1)  # type: ignore[union-attr]

        def upload(name: str, data: bytes):
            return client.post("/upload", files=[("files", (name, data, "text/plain"))], data={"csrf_token": token})

        too_big = upload("gross.txt", b"x" * 2_000_001)
        assert too_big.status_code == 413 and "gross.txt: größer als die erlaubten 2 MB je Datei." in too_big.text
        wrong = upload("bild.png", b"\x89PNG")
        assert wrong.status_code == 400
        assert "bild.png: Dateityp „.png“ wird nicht unterstützt (erwartet: Text, HTML, JSON oder JSONL)." in wrong.text


def test_the_upload_page_gives_the_readers_reasons_in_german_and_the_ledger_keeps_the_english(tmp_path: Path) -> None:
    """Why a reader refused a file or a line is German on the upload page; stored and printed, it stays English."""
    app = create_app(str(tmp_path / "up.db"), data_dir=tmp_path / "uploads")
    article = "Die NATO-Generalsekretärin sagte am Montag in Brüssel, man werde keine Truppen entsenden."
    lines = [
        "{kaputt",
        json.dumps({"text": article, "date": "2024-13-01", "outlet": "dpa"}),
        json.dumps({"text": 42}),
    ]
    with TestClient(app, base_url="http://localhost") as client:
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/upload").text).group(1)  # type: ignore[union-attr]
        files = [
            ("files", ("leer.txt", b"  \n", "text/plain")),
            ("files", ("bild.txt", b"\x89PNG\r\n\x1a\n" + bytes(64), "text/plain")),
            ("files", ("meldungen.jsonl", "\n".join(lines).encode(), "application/json")),
        ]
        page = client.post("/upload", files=files, data={"csrf_token": token}).text
    assert "leer.txt: leere Datei" in page
    assert "bild.txt: keine Textdatei: sieht aus wie ein PNG-Bild" in page
    assert (
        "meldungen.jsonl: Zeile 1: ungültiges JSON (" in page and "die anderen Zeilen werden trotzdem gelesen" in page
    )
    assert (
        "meldungen.jsonl: Zeile 2: Feld „date“ &#39;2024-13-01&#39; ist kein gültiges Datum "
        "(es gibt keinen Monat 13); der Artikel wird ohne Datum übernommen"
    ) in page
    assert "meldungen.jsonl: Zeile 3: Feld „text“ enthält eine Zahl (42), keinen Artikeltext" in page
    assert "Artikel: 1 neu" in page and "empty file" not in page and "line 2" not in page
    with open_store(tmp_path / "up.db") as store:
        stored = sorted(p.reason for p in store.problems())
    assert "empty file" in stored and "not a text file: looks like a PNG image" in stored
    assert (
        "line 2: field 'date' '2024-13-01' is not a valid date (there is no month 13); the article is kept without it"
        in stored
    )
    assert "line 3: field 'text' holds a number (42), not article text" in stored


def test_who_may_not_is_told_in_german_on_a_page_and_in_english_by_the_api(browser: TestClient, ledger: Ledger) -> None:
    """A role too low (403) and a missing login (401) are ``Refused``: the pages say them in German."""
    log_in(browser, "rita")
    page = f"/quotation/{ledger.troops}"
    low = post_form(browser, page, page, speaker="Mark Rutte", note="falsch zugeordnet")
    assert low.status_code == 403 and "rita hat die Rolle reader; dafür braucht es editor oder höher." in low.text
    assert "needs" not in low.text
    api = browser.post(
        f"/api/quotations/{ledger.troops}/corrections",
        json={"speaker": "Mark Rutte", "note": "falsch zugeordnet"},
        headers={"authorization": f"Bearer {ledger.tokens['rita']}"},
    )
    assert api.status_code == 403 and api.json()["error"] == "rita is reader; this needs editor or higher"
    revoked = browser.get("/api/me", headers={"authorization": "Bearer kein-token"})
    assert revoked.status_code == 401 and revoked.json()["error"] == "this API token is unknown or revoked"
    assert revoked.headers["www-authenticate"].startswith("Bearer")


def test_a_parameter_the_schema_refuses_is_german_on_a_page(browser: TestClient) -> None:
    page = browser.get("/search", params={"q": "Truppen", "page": "0"})
    assert page.status_code == 400 and "„page“ muss mindestens 1 sein, nicht „0“." in page.text
    api = browser.get("/api/quotations", params={"limit": "5000"})
    assert api.status_code == 400 and api.json()["error"] == "limit must be at most 1000, not '5000'"
