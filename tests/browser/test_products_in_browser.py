"""The Products & stock page in chromium on the demo: every section draws, choosing another product redraws its
forecast, and the reorder list can be downloaded."""

from __future__ import annotations

from tests.browser.conftest import wait_ready


def test_products_page_draws_and_follows_the_chosen_product(server, browser):
    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(f"{url}/products")
    wait_ready(page)
    page.get_by_text("Reorder plan").first.wait_for(timeout=90_000)
    wait_ready(page)
    for heading in ("How each product sells", "Bought together", "Demand forecast", "Reorder plan"):
        assert page.get_by_role("heading", name=heading).count() == 1
    # the ABC curve, the demand chart and the stock statuses
    assert page.get_by_test_id("stVegaLiteChart").count() == 3
    accuracy = page.get_by_text("Tested on its last").first  # the chosen product's own test: differs per product
    before = accuracy.inner_text()

    chosen = page.get_by_test_id("stSelectbox").filter(has_text="Product").last
    for _ in range(5):  # a rerun may close the list under the click: open it again
        wait_ready(page)
        chosen.click()
        try:
            page.get_by_role("option").nth(5).click(timeout=5_000)  # the sixth best seller
            break
        except Exception:  # noqa: BLE001
            page.keyboard.press("Escape")
    wait_ready(page)
    page.wait_for_function(
        "old => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')].some("
        "c => c.innerText.startsWith('Tested on its last') && c.innerText !== old)", arg=before, timeout=60_000)
    assert page.get_by_test_id("stException").count() == 0

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").last.click()
    text = download.value.path().read_bytes().decode("utf-8-sig")
    # the supplier's list: translated headers, only products to order, the status in words
    header, first = text.splitlines()[:2]
    assert header.startswith("SKU,Product,On hand,Lead time (days)")
    assert first.endswith("Stock-out risk")
    page.close()
