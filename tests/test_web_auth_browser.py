"""Editing in real headless Chromium (issue 19): an editor logs in and corrects a speaker; everyone sees it.

The same live ``serve`` app and Chromium set-up as tests/test_web_browser.py.
Each visitor has a browser context of their own (their own cookies), as two
people on two machines would.  Screenshots go to tests/artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from browser import BROWSER_TESTS, SHOTS, chromium, demo_ledger, live_server, visitor_page

pytestmark = BROWSER_TESTS
PASSWORD = "Faktencheck-2024"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``serve`` over the demo articles, with one editor (eva); the URL and the database."""
    from quotetrail.api import create_app

    folder = tmp_path_factory.mktemp("web-auth")
    db = demo_ledger(folder, claims=False, users=(("eva", "editor", PASSWORD),))
    with live_server(create_app(db, data_dir=folder / "uploads")) as url:
        yield url, db


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def editor(browser, server: tuple[str, Path]):
    """Eva's browser, logged in through the login form, reached from the header's link."""
    url, _ = server
    with visitor_page(browser) as page:
        page.goto(url + "/")
        page.click("header a.login")
        page.wait_for_url("**/login")
        page.fill("input[name=name]", "eva")
        page.fill("input[name=password]", PASSWORD)
        page.screenshot(path=str(SHOTS / "login.png"), full_page=True)
        page.click("form.login-form button")
        page.wait_for_url(url + "/")
        yield page


@pytest.fixture(scope="module")
def visitor(browser):
    """An anonymous reader's browser: no login, cookies of its own."""
    with visitor_page(browser) as page:
        yield page


def _history_length(db: Path) -> int:
    from quotetrail.store import open_store

    store = open_store(db)
    try:
        return store.conn.execute("SELECT COUNT(*) FROM corrections").fetchone()[0]
    finally:
        store.close()


@pytest.fixture(scope="module")
def corrected(editor, server: tuple[str, Path]) -> str:
    """Eva finds Stoltenberg's quotation, opens its page and corrects the speaker; the quotation page's URL."""
    url, db = server
    assert "eva" in editor.inner_text("header .account") and "Abmelden" in editor.inner_text("header .account")
    editor.goto(url + "/search?q=Truppen&speaker=Stoltenberg")
    editor.locator("ol.statements a.permalink").first.click()
    editor.wait_for_url("**/quotation/**")
    page_url = editor.url
    assert editor.locator("form.correct").count() == 1
    assert editor.input_value("form.correct input[name=speaker]") == "Jens Stoltenberg"
    editor.fill("form.correct input[name=speaker]", "Mark Rutte")
    editor.fill("form.correct input[name=note]", "Im Artikel spricht hier Rutte, nicht Stoltenberg")
    before = _history_length(db)
    editor.click("form.correct button")
    editor.wait_for_load_state()
    assert editor.url == page_url  # Post/Redirect/Get: back on the quotation page, not on a POST answer
    assert _history_length(db) == before + 1
    editor.screenshot(path=str(SHOTS / "quotation-corrected-editor.png"), full_page=True)
    return page_url


def test_an_editor_logs_in_and_corrects_a_speaker(editor, corrected: str) -> None:
    assert editor.inner_text("dd.speaker-value").startswith("Mark Rutte")
    assert editor.locator("h1 .corrected").inner_text() == "korrigiert"
    history = editor.inner_text("table.history")
    assert "eva" in history and "Jens Stoltenberg → Mark Rutte" in history and "nicht Stoltenberg" in history


def test_a_reader_sees_the_corrected_value_the_marker_and_the_history(
    visitor, corrected: str, server: tuple[str, Path]
) -> None:
    url, _ = server
    visitor.goto(corrected)
    assert visitor.inner_text("dd.speaker-value").startswith("Mark Rutte")
    assert visitor.locator("h1 .corrected").is_visible()
    assert "Jens Stoltenberg → Mark Rutte" in visitor.inner_text("table.history")
    assert visitor.locator("form.correct").count() == 0 and visitor.locator("#login-to-edit").is_visible()
    assert "Anmelden" in visitor.inner_text("header .account")
    visitor.screenshot(path=str(SHOTS / "quotation-corrected-reader.png"), full_page=True)
    visitor.goto(url + "/search?q=Truppen")
    rutte = visitor.locator("li.statement", has_text="Mark Rutte")
    assert rutte.count() >= 1 and rutte.first.locator(".corrected").is_visible()


def test_an_anonymous_post_is_refused(visitor, corrected: str, server: tuple[str, Path]) -> None:
    _, db = server
    visitor.goto(corrected)
    quotation_id = corrected.rsplit("/", 1)[-1]
    before = _history_length(db)
    answer = visitor.evaluate(
        """async (id) => {
            const r = await fetch(`/api/quotations/${id}/corrections`, {method: "POST",
                headers: {"Content-Type": "application/json"}, body: JSON.stringify({speaker: "X", note: "n"})});
            return [r.status, await r.json()];
        }""",
        quotation_id,
    )
    assert answer[0] == 401 and answer[1]["ok"] is False and answer[1]["status"] == 401
    assert _history_length(db) == before


def test_a_post_without_the_csrf_token_is_refused(editor, corrected: str, server: tuple[str, Path]) -> None:
    """Eva's own browser carries her session cookie, but a request without the page's token is not hers to make."""
    _, db = server
    editor.goto(corrected)
    quotation_id = corrected.rsplit("/", 1)[-1]
    before = _history_length(db)
    status = editor.evaluate(
        """async (id) => (await fetch(`/api/quotations/${id}/corrections`, {method: "POST",
            headers: {"Content-Type": "application/json"}, body: JSON.stringify({speaker: "X", note: "n"})})).status""",
        quotation_id,
    )
    assert status == 403
    # the page's own form with its token field removed, as a forged form would lack it
    editor.evaluate("document.querySelector('form.correct input[name=csrf_token]').remove()")
    editor.fill("form.correct input[name=speaker]", "Niemand")
    editor.fill("form.correct input[name=note]", "ohne Token")
    editor.click("form.correct button")
    editor.wait_for_load_state()
    assert "Fehler 403" in editor.inner_text("main")
    assert _history_length(db) == before
    editor.goto(corrected)
    assert editor.inner_text("dd.speaker-value").startswith("Mark Rutte")
