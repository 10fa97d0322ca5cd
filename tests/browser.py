"""What the browser tests share: Debian's Chromium driven by Playwright, and ``serve``'s app live on 127.0.0.1.

Each test module keeps its own ledger and its own path through the pages;
how a server is started in a thread, how Chromium is launched offline and
how a visitor logs in are written once here.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: ``pytestmark`` of every browser test module: marked, and skipped where Debian's chromium is missing.
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make browser-deps)"),
]
SHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
#: Chromium offline: no update checks, sync or QUIC probes leave the machine.
_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def demo_ledger(folder: Path, *, claims: bool = True, users: tuple[tuple[str, str, str], ...] = ()) -> Path:
    """A database of the demo articles (grouped into claims unless told not to) with ``(name, role, password)`` users."""
    from quotetrail.claims import update_claims
    from quotetrail.ingest_job import ingest_paths
    from quotetrail.store import open_store
    from quotetrail.users import add_user

    db = folder / "demo.db"
    store = open_store(db)
    ingest_paths(store, [EXAMPLES])
    if claims:
        update_claims(store)
    for name, role, password in users:
        add_user(store, name, role, password)
    store.close()
    return db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port; its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Chromium (skips the test when Playwright is missing); screenshots' folder made."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def visitor_page(browser: Any) -> Iterator[Any]:
    """A page in a browser context of its own (its own cookies), as another person on another machine."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page: Any, url: str, name: str, password: str) -> None:
    """Log ``page`` in through the login form, as a person would, and wait for the home page."""
    page.goto(url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("form.login-form button")
    page.wait_for_url(url + "/")
