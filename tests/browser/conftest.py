"""Browser fixtures: Debian's chromium driven by Playwright, and a real ShopLens server.

Skipped when chromium is missing, unless SHOPLENS_REQUIRE_BROWSER=1 (CI sets it), then they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _unavailable(reason: str):
    if os.environ.get("SHOPLENS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser test required but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("browser-data")
    port = _free_port()
    env = {**os.environ, "SHOPLENS_DATA_DIR": str(data)}
    log = (data / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if process.poll() is not None or time.time() > deadline:
                pytest.fail("streamlit did not start: " + (data / "server.log").read_text()[-2000:])
            time.sleep(0.5)
        yield url, data
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def wait_ready(page) -> None:
    page.wait_for_selector(READY, timeout=90_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=90_000)


def wait_for_text(page, text: str, server_log, timeout: int = 90_000) -> None:
    """Wait for `text`; on a timeout, fail with what the page and the server said, so a CI log explains itself."""
    try:
        page.get_by_text(text).first.wait_for(timeout=timeout)
    except Exception as error:  # noqa: BLE001 - re-raised below with the evidence
        body = page.inner_text("body")[-3000:]
        log = server_log.read_text(errors="replace")[-4000:] if server_log.exists() else "(no server log)"
        pytest.fail(f"{text!r} did not appear: {error}\n--- page ---\n{body}\n--- server log ---\n{log}")
