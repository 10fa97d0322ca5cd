"""The web UI in real headless Chromium (Debian's package, driven by Playwright): a journalist's path.

Screenshots of every page are written to tests/artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from browser import BROWSER_TESTS, SHOTS, chromium, demo_ledger, live_server, visitor_page

pytestmark = BROWSER_TESTS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from quotetrail.api import create_app

    folder = tmp_path_factory.mktemp("web")
    with live_server(create_app(demo_ledger(folder), data_dir=folder / "uploads")) as url:
        yield url


@pytest.fixture(scope="module")
def page():
    with chromium() as browser, visitor_page(browser) as page:
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs  # type: ignore[attr-defined]
        yield page


def test_search_finds_stoltenberg(server: str, page) -> None:
    page.goto(server + "/")
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)
    page.fill("header input[name=q]", "Truppen")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/search?q=Truppen*")
    assert "Jens Stoltenberg" in page.inner_text("ol.statements")
    assert page.locator("aside.facets").inner_text().count("Jens Stoltenberg") >= 1
    page.screenshot(path=str(SHOTS / "search.png"), full_page=True)


def test_timeline_then_click_through_to_the_article(server: str, page) -> None:
    page.goto(server + "/")
    page.fill("form.big input[name=speaker]", "Stoltenberg")
    page.click("form.big button")
    page.wait_for_url("**/timeline?*")
    marks = page.locator("svg.timeline a.tl-mark")
    assert marks.count() >= 3
    assert "Stoltenberg" in (page.locator("svg.timeline rect title").first.text_content() or "")
    page.screenshot(path=str(SHOTS / "timeline.png"), full_page=True)
    page.locator("ol.statements a.quote").first.click()
    page.wait_for_url("**/article/**")
    assert page.locator("article.text span.q").count() >= 1
    assert page.locator("article.text span.cue").count() >= 1
    page.screenshot(path=str(SHOTS / "article.png"), full_page=True)


def test_speaker_and_claim_pages(server: str, page) -> None:
    page.goto(server + "/speakers")
    page.click("text=Jens Stoltenberg")
    page.wait_for_url("**/speaker/**")
    assert "Generalsekretär" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "speaker.png"), full_page=True)
    page.goto(server + "/claims")
    page.locator("ul.claims a").first.click()
    page.wait_for_url("**/claim/**")
    assert "hedges" in page.inner_text("main") or "denies" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "claim.png"), full_page=True)


def test_upload_and_injected_script_renders_as_text(server: str, page, tmp_path: Path) -> None:
    f = tmp_path / "angriff.txt"
    f.write_text(
        "„<script>alert('pwned')</script> ist kein Zitat, sondern ein Test“, sagte die Prüferin Anna Beispiel.",
        encoding="utf-8",
    )
    page.goto(server + "/upload")
    page.set_input_files("input[type=file]", str(f))
    page.click("form.upload button")
    page.wait_for_selector("#summary")
    assert "Artikel: 1 neu" in page.inner_text("#summary")
    page.screenshot(path=str(SHOTS / "upload.png"), full_page=True)
    page.goto(server + "/search?q=Test")
    assert "<script>alert('pwned')</script>" in page.inner_text("ol.statements")
    assert page.dialogs == []  # type: ignore[attr-defined]
    page.screenshot(path=str(SHOTS / "script-as-text.png"), full_page=True)


def test_api_docs_render_offline(server: str, page) -> None:
    """Swagger UI comes from the server itself: every request stays on it, and the operations are listed."""
    requested: list[str] = []

    def note(request) -> None:
        requested.append(request.url)

    page.on("request", note)
    try:
        page.goto(server + "/api/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=15_000)
        assert "/api/quotations" in page.inner_text("#swagger-ui")
        page.screenshot(path=str(SHOTS / "api-docs.png"), full_page=True)
    finally:
        page.remove_listener("request", note)
    outside = [url for url in requested if not url.startswith((server, "data:"))]
    assert requested and outside == [], outside
