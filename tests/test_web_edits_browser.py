"""Editing from the pages in real headless Chromium (issue 19): an editor rates a claim, moves a quotation into
another claim and undoes a correction from its history; a reader sees the results and the history.

The same live ``serve`` app and Chromium set-up as tests/test_web_auth_browser.py; each visitor has a
browser context (cookies) of their own.  Screenshots go to tests/artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from browser import BROWSER_TESTS, SHOTS, chromium, demo_ledger, live_server, log_in, visitor_page

pytestmark = BROWSER_TESTS
PASSWORD = "Faktencheck-2024"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``serve`` over the demo articles with their claims, and one editor (eva); the URL and the database."""
    from quotetrail.api import create_app

    folder = tmp_path_factory.mktemp("web-edits")
    db = demo_ledger(folder, users=(("eva", "editor", PASSWORD),))
    with live_server(create_app(db, data_dir=folder / "up")) as url:
        yield url, db


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def editor(browser, server: tuple[str, Path]):
    """Eva's browser, logged in through the login form."""
    url, _ = server
    with visitor_page(browser) as page:
        log_in(page, url, "eva", PASSWORD)
        yield page


@pytest.fixture(scope="module")
def reader(browser):
    """An anonymous reader's browser."""
    with visitor_page(browser) as page:
        yield page


def _count(db: Path, table: str) -> int:
    from quotetrail.store import open_store

    with open_store(db) as store:
        return store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def _two_claims(url: str, page) -> tuple[str, str]:
    """The most reported claim and another one, as the claims page lists them."""
    page.goto(url + "/claims")
    hrefs = page.eval_on_selector_all("ul.claims li > a", "links => links.map(a => a.getAttribute('href'))")
    assert len(hrefs) >= 2, hrefs
    return hrefs[0].rsplit("/", 1)[-1], hrefs[1].rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def edited(editor, server: tuple[str, Path]) -> dict[str, str]:
    """Eva rates the top claim, then moves a quotation of the second claim into it, all from the pages."""
    url, db = server
    top, other = _two_claims(url, editor)
    editor.goto(f"{url}/claim/{top}")
    editor.select_option("form.rate select[name=rating]", "2")
    editor.fill("form.rate input[name=name]", "irreführend")
    editor.fill("form.rate textarea[name=body]", "Die Lage hat sich seither geändert.")
    editor.click("form.rate button")
    editor.wait_for_url(f"{url}/claim/{top}")
    assert _count(db, "claim_reviews") == 1
    editor.screenshot(path=str(SHOTS / "claim-rated-editor.png"), full_page=True)
    editor.goto(f"{url}/claim/{other}")
    editor.locator("ol.statements a.permalink").first.click()
    editor.wait_for_url("**/quotation/**")
    quotation_url = editor.url
    assert editor.input_value("form.correct input[name=claim]") == other
    editor.fill("form.correct input[name=claim]", top)
    editor.fill("form.correct input[name=note]", "Dieselbe Aussage, anders formuliert")
    editor.click("form.correct button")
    editor.wait_for_load_state()
    assert editor.url == quotation_url  # Post/Redirect/Get
    editor.screenshot(path=str(SHOTS / "quotation-moved-editor.png"), full_page=True)
    return {"top": top, "other": other, "quotation": quotation_url}


def test_an_editor_rates_a_claim_and_moves_a_quotation_into_it(editor, edited: dict[str, str]) -> None:
    assert editor.inner_text("dd.claim-value") == edited["top"]
    assert "Dieselbe Aussage, anders formuliert" in editor.inner_text("table.history")
    editor.click("dd.claim-value a")
    editor.wait_for_url(f"**/claim/{edited['top']}")
    assert "2/5 überwiegend falsch" in editor.inner_text("ol.ratings")
    quotation_id = edited["quotation"].rsplit("/", 1)[-1]
    assert editor.locator(f'ol.statements a.permalink[href="/quotation/{quotation_id}"]').count() == 1


def test_a_reader_sees_the_rating_the_move_and_the_history(reader, edited: dict[str, str], server) -> None:
    url, _ = server
    reader.goto(f"{url}/claim/{edited['top']}")
    assert "„irreführend“" in reader.inner_text("ol.ratings") and reader.locator("h1 .rated").is_visible()
    assert reader.locator("form.rate").count() == 0 and reader.locator("form.claim-wide").count() == 0
    reader.goto(url + "/claims")
    rated = reader.locator("ul.claims li", has=reader.locator(f'a[href="/claim/{edited["top"]}"]'))
    assert rated.locator(".rated").inner_text() == "bewertet"
    reader.goto(edited["quotation"])
    assert reader.inner_text("dd.claim-value") == edited["top"] and reader.locator("h1 .corrected").is_visible()
    history = reader.inner_text("table.history")
    assert "eva" in history and f"Behauptung: {edited['other']} → {edited['top']}" in history
    assert reader.locator("form.undo").count() == 0 and reader.locator("form.correct").count() == 0
    reader.screenshot(path=str(SHOTS / "quotation-moved-reader.png"), full_page=True)


def test_an_editor_undoes_the_move_from_the_history(editor, reader, edited: dict[str, str], server) -> None:
    _, db = server  # runs after the two tests above (file order), which look at the move before it is undone
    editor.goto(edited["quotation"])
    before = _count(db, "corrections")
    row = editor.locator("table.history tr", has_text="Dieselbe Aussage, anders formuliert")
    row.locator("input[name=note]").fill("Doch eine eigene Aussage")
    row.locator("form.undo button").click()
    editor.wait_for_load_state()
    assert editor.url == edited["quotation"] and _count(db, "corrections") == before + 1
    assert editor.inner_text("dd.claim-value") != edited["top"]
    assert "macht #" in editor.inner_text("table.history") and "rückgängig gemacht" in editor.inner_text(
        "table.history"
    )
    editor.screenshot(path=str(SHOTS / "quotation-undone-editor.png"), full_page=True)
    reader.goto(edited["quotation"])
    assert "Doch eine eigene Aussage" in reader.inner_text("table.history")


def test_an_anonymous_post_to_a_new_form_is_refused(reader, edited: dict[str, str], server) -> None:
    url, db = server
    reader.goto(f"{url}/claim/{edited['top']}")
    before = _count(db, "claim_reviews")
    status = reader.evaluate(
        """async (path) => (await fetch(path, {method: "POST", body: new URLSearchParams(
            {rating: "5", name: "stimmt", csrf_token: "0".repeat(64)})})).status""",
        f"/claim/{edited['top']}/ratings",
    )
    assert status == 401 and _count(db, "claim_reviews") == before
    answer = reader.evaluate(
        """async () => { const r = await fetch("/api/speakers/merge", {method: "POST",
            headers: {"Content-Type": "application/json"}, body: JSON.stringify({alias: "A", canonical: "B", note: "n"})});
            return [r.status, await r.json()]; }"""
    )
    assert answer[0] == 401 and answer[1]["ok"] is False and _count(db, "speaker_aliases") == 0


def test_selecting_article_text_fills_the_offsets(editor, server) -> None:
    """The article's runs carry their offsets: a selection gives the start and end of exactly the words selected."""
    url, _ = server
    editor.goto(url + "/api/articles")
    article_id = editor.evaluate("() => JSON.parse(document.body.innerText).articles[0].id")
    text = editor.evaluate(f"async () => (await (await fetch('/api/articles/{article_id}')).json()).article.text")
    editor.goto(f"{url}/article/{article_id}")
    words = next(w for w in text.split() if len(w) > 8 and w.isalpha() and text.count(w) == 1)
    editor.evaluate(
        """(words) => {
            const walker = document.createTreeWalker(document.querySelector("article.text"), NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const at = walker.currentNode.data.indexOf(words);
                if (at >= 0) { const r = document.createRange(); r.setStart(walker.currentNode, at);
                    r.setEnd(walker.currentNode, at + words.length);
                    document.getSelection().removeAllRanges(); document.getSelection().addRange(r); return; }
            }
        }""",
        words,
    )
    editor.wait_for_function("() => document.querySelector('form.add-quotation input[name=start]').value !== ''")
    start = int(editor.input_value("form.add-quotation input[name=start]"))
    end = int(editor.input_value("form.add-quotation input[name=end]"))
    assert text[start:end] == words
