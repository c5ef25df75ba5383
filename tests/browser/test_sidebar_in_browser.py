"""The sidebar's workspace picker in the real app: choosing another shop shows that shop, on every page, both ways."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import choose_workspace, wait_ready

pytestmark = pytest.mark.browser

DEMO_LINE = "Orders: 60,000 rows"
SECOND_LINE = "Orders: 3 rows 2024-05-01 – 2024-05-03"


def open_page(page, title: str) -> None:
    page.get_by_test_id("stSidebarNavLink").filter(has_text=title).click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=90_000)
    wait_ready(page)


def dataset_lines(page) -> list[str]:
    return [text for text in page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer").all_inner_texts()
            if "rows" in text]


def settled_lines(page, expected) -> list[str]:
    """The sidebar's dataset lines once they are `expected` (a list, or a first line), or after a minute:
    lines of the previous shop linger, stale, until the rerun ends."""
    deadline = time.time() + 60
    while True:
        wait_ready(page)
        lines = dataset_lines(page)
        done = lines == expected if isinstance(expected, list) else bool(lines) and lines[0].startswith(expected)
        if done or time.time() > deadline:
            return lines
        time.sleep(0.25)


def test_choosing_a_workspace_in_the_sidebar_shows_it_on_every_page(server, browser, second_shop):
    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)  # a fresh server's first session: where the choice used to be dropped
    demo = settled_lines(page, DEMO_LINE)
    assert demo[0].startswith(DEMO_LINE) and len(demo) > 1

    # Sales: demo -> second shop
    choose_workspace(page, second_shop)
    assert settled_lines(page, [SECOND_LINE]) == [SECOND_LINE]

    # the choice holds on another page, and the way back works there
    open_page(page, "A/B testing")
    assert settled_lines(page, [SECOND_LINE]) == [SECOND_LINE]
    choose_workspace(page, "Demo shop")
    assert settled_lines(page, demo) == demo

    # and once more on a third page, both ways
    open_page(page, "Data")
    assert settled_lines(page, demo) == demo
    choose_workspace(page, second_shop)
    assert settled_lines(page, [SECOND_LINE]) == [SECOND_LINE]
    choose_workspace(page, "Demo shop")
    assert settled_lines(page, demo) == demo
    page.close()
