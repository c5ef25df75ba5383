"""The real app in Debian's chromium: upload a CSV through the real file uploader and see the counts change.

Skipped when chromium is missing, unless SHOPLENS_REQUIRE_BROWSER=1 (CI sets it), then it fails.
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

pytestmark = pytest.mark.browser

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


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
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


def test_upload_through_the_real_uploader_changes_the_counts(server, browser, tmp_path):
    url, data = server
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "订单编号,买家会员名,订单创建时间,买家实际支付金额,宝贝标题,宝贝总数量\n"
        "T1,小王,2024-05-01 10:00:00,280.00,连衣裙,2\n"
        "T2,小李,2024-05-02 09:30:00,99.00,帽子,1\n"
        "T3,小王,2024-05-03 20:15:00,45.50,袜子,3\n",
        encoding="gbk",
    )
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    # a deep link as the very first request to a fresh server must still get the app shell
    page.goto(f"{url}/data")
    wait_ready(page)
    page.get_by_text("Language / 语言").wait_for(timeout=90_000)
    wait_ready(page)
    sidebar = page.get_by_test_id("stSidebar")
    assert sidebar.get_by_text("Orders: 60,000 rows").count() == 1  # the demo shop

    page.get_by_label("New workspace name").fill("Browser Shop")
    page.get_by_label("New workspace name").press("Enter")
    wait_ready(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(orders))
    page.get_by_text("Rows ready to load").wait_for(timeout=90_000)
    wait_ready(page)
    assert page.get_by_test_id("stMetricValue").all_inner_texts() == ["3", "3", "0"]

    page.get_by_role("button", name="Load into workspace").click()
    page.get_by_text("Loaded 3 Orders row(s) into workspace 'browser_shop'.").wait_for(timeout=90_000)
    wait_ready(page)
    assert sidebar.get_by_text("Orders: 3 rows 2024-05-01 – 2024-05-03").count() == 1
    assert (data / "browser_shop.duckdb").exists()
    page.close()
