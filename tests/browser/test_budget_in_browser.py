"""The Budget page in chromium: a slider moved with the keyboard reruns the what-if fragment and
changes the prediction, while the rest of the page stays."""

from __future__ import annotations

from tests.browser.conftest import wait_ready


def test_moving_a_slider_updates_the_prediction(server, browser):
    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/budget")
    wait_ready(page)
    page.get_by_text("Analysis matrix").first.wait_for(timeout=90_000)
    wait_ready(page)
    what_if_revenue = page.get_by_test_id("stMetricValue").first
    before = what_if_revenue.inner_text()
    search = page.get_by_test_id("stSlider").filter(has_text="search").locator("input[type=range]")
    search.focus()
    for _ in range(10):  # ten steps of 1/200 of the total away from search, the best-paying channel
        page.keyboard.press("ArrowLeft")
    # looked up afresh on every poll: a rerun may replace the metric's element, and a stale handle never changes
    page.wait_for_function(
        "old => document.querySelector('[data-testid=\"stMetricValue\"]').innerText !== old", arg=before, timeout=60_000)
    wait_ready(page)
    after = what_if_revenue.inner_text()
    # the total is held, so the money goes to channels that earn less per unit than search at this spend
    assert int(after.replace(",", "")) < int(before.replace(",", ""))
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("Analysis matrix").count() == 1  # the fragment's rerun leaves the rest of the page
    page.close()
