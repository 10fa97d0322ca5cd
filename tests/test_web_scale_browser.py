"""The web UI on a ledger of 100,000 quotations in real headless Chromium (issue 14): every page stays usable.

The ledger is synthetic (tests/scale_ledger.py, about 10-30 s to write);
the server is uvicorn on 127.0.0.1 in a thread, as in test_web_browser.py.
Each page must render with its "N of M" line (a page that loaded every
claim took 30 s at this size before issue 14).  How long pages take is
measured by bench/pages.py and bench/scale.py, not here; that every page's
queries are bounded and use an index is asserted without clocks in
tests/test_pages_bounded.py.
Screenshots go to tests/artifacts/screenshots/scale-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from browser import BROWSER_TESTS, SHOTS, chromium, live_server, visitor_page
from quotetrail.store import open_store
from scale_ledger import ScaleLedger, build_ledger

pytestmark = BROWSER_TESTS
SIZE = 100_000
PAGE_TIMEOUT_MS = 30_000  # Playwright gives up on a page after this (a hang, not a speed check)
COUNT = re.compile(r"([\d.]+)–([\d.]+) von ([\d.]+)")


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> ScaleLedger:
    return build_ledger(tmp_path_factory.mktemp("scale-web") / "scale.db", SIZE)


@pytest.fixture(scope="module")
def server(ledger: ScaleLedger) -> Iterator[str]:
    from quotetrail.api import create_app

    with live_server(create_app(ledger.path, data_dir=ledger.path.parent / "uploads", upload_enabled=False)) as url:
        yield url


@pytest.fixture(scope="module")
def page():
    with chromium() as browser, visitor_page(browser) as page:
        yield page


def visit(page, url: str, shot: str) -> str:
    """Open ``url``; the text of its main part."""
    response = page.goto(url, wait_until="load", timeout=PAGE_TIMEOUT_MS)
    assert response is not None and response.status == 200, url
    page.screenshot(path=str(SHOTS / f"scale-{shot}.png"))
    return page.inner_text("main")


def numbers(text: str) -> tuple[int, int, int]:
    found = COUNT.search(text)
    assert found, text[:1000]
    first, last, total = (int(g.replace(".", "")) for g in found.groups())
    return first, last, total


def test_home_shows_counts_and_top_lists(server: str, page, ledger: ScaleLedger) -> None:
    text = visit(page, server + "/", "home")
    assert f"{ledger.quotations:,} Zitate".replace(",", ".") in text
    assert "Jens Stoltenberg" in text and re.search(r"12 von [\d.]+ Sprechern", text)


def test_search_then_three_pages_deeper(server: str, page) -> None:
    text = visit(page, server + "/search?q=Truppen", "search")
    first, last, total = numbers(text)
    assert (first, last) == (1, 50) and total > 10_000
    assert "gezählt in 2.000" in page.inner_text("aside.facets")
    for n in range(1, 4):
        page.click("a.next")
        page.wait_for_load_state("load")
        assert numbers(page.inner_text("main")) == (n * 50 + 1, (n + 1) * 50, total)
    page.screenshot(path=str(SHOTS / "scale-search-page-4.png"))


def test_speaker_page_and_its_next_page(server: str, page) -> None:
    text = visit(page, server + "/speaker/jens-stoltenberg", "speaker")
    first, last, total = numbers(text)
    assert (first, last) == (1, 50) and total > 10_000
    assert page.locator("svg.timeline a.tl-mark").count() >= 40
    page.click("a.next")
    page.wait_for_load_state("load")
    assert numbers(page.inner_text("main")) == (51, 100, total)


def test_claims_list_and_a_much_reported_claim(server: str, page, ledger: ScaleLedger) -> None:
    text = visit(page, server + "/claims", "claims")
    assert numbers(text) == (1, 50, ledger.claims)
    page.locator("ul.claims a").first.click()
    page.wait_for_url("**/claim/**")
    page.screenshot(path=str(SHOTS / "scale-claim.png"))
    text = page.inner_text("main")
    store = open_store(ledger.path)
    contra = store.count_claim_statements(page.url.rsplit("/", 1)[1], stances=("denies", "hedges"))
    store.close()
    assert contra > 50 and numbers(text.split("Widersprüche und Einschränkungen", 1)[1]) == (1, 50, contra)
    _, _, reports = numbers(text.split("Wie die Medien berichteten", 1)[1])
    assert reports >= 2000 and page.locator("table.compare tbody tr").count() == 50


def test_a_deep_page_by_number_and_a_deep_timeline(server: str, page, ledger: ScaleLedger) -> None:
    last = -(-ledger.speakers // 50)
    text = visit(page, server + f"/speakers?page={last}", "speakers-last")
    _, end, total = numbers(text)
    assert end == total == ledger.speakers and page.locator("a.next").count() == 0
    text = visit(page, server + "/timeline?speaker=Olaf+Scholz&since=2020", "timeline")
    assert numbers(text)[:2] == (1, 100)
    assert page.locator("svg.timeline a.tl-mark").count() >= 50
