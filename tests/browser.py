"""Browser fixtures: the app served on a free local port, and headless Chromium.

A plugin of the root conftest (`pytest_plugins`), so every test folder uses the
SAME session-wide Chromium: a second definition of `chromium` (a module that
imports the fixture) would start a second Playwright in the worker, which
Playwright's sync API refuses.

`live_server` serves the test's own `app` (built from `app_config`, i.e. the
test's database) with werkzeug in a thread; `browser_page` is a Playwright page
driving the system Chromium (`playwright install` is not used: no download).
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"


class LiveServer:
    def __init__(self, app):
        # Port 0: the OS picks a free port; threaded so the page's requests never queue.
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh browser context (own cookies) whose relative URLs go to the live server."""
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def login(page, username: str, password: str = PASSWORD) -> None:
    """Log in through FAB's form, starting from a clean session."""
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"login failed for {username}"


def artifact_path(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


DOCS_IMAGES = ROOT / "docs" / "img"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/; with UPDATE_DOCS_IMAGES=1
    (`make docs-images`) also refresh the README's copy in docs/img/, so an ordinary
    test run never rewrites tracked files."""
    shot = artifact_path(name)
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("UPDATE_DOCS_IMAGES") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMAGES / name)
    return shot
