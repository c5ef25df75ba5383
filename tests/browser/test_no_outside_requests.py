"""The app works offline: no page, in either language, makes the browser ask any host but the ShopLens server."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from core.platform.i18n import translate
from tests.browser.conftest import wait_ready

pytestmark = pytest.mark.browser


TITLES = ["sales.title", "products.title", "diagnosis.title", "ab.title", "tiers.title", "budget.title", "improvements.title",
          "data.title"]


def visit_every_page(page, lang: str) -> None:
    """Click through the navigation, waiting for each page's title and the end of its run."""
    links = page.get_by_test_id("stSidebarNavLink")
    assert links.count() == len(TITLES)
    for i, key in enumerate(TITLES):
        links.nth(i).click()
        page.get_by_role("heading", name=translate(key, lang), exact=True).first.wait_for(timeout=90_000)
        wait_ready(page)


def test_no_request_leaves_this_machine(server, browser):
    url, _ = server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto(url)
    wait_ready(page)
    visit_every_page(page, "en")

    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Language").click()
    page.get_by_role("option", name="简体中文").click()
    wait_ready(page)
    visit_every_page(page, "zh")
    page.wait_for_timeout(1_000)  # late favicon and font requests

    outside = sorted({u for u in requests if urlparse(u).hostname != "127.0.0.1"})
    assert outside == []
    assert any(urlparse(u).hostname == "127.0.0.1" for u in requests)  # the recorder saw the app's own requests
    context.close()
