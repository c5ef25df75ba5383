"""A choice survives a switch of language: the next click still counts the choice, shown in the new language.

Streamlit keeps a select box's or radio's choice in the browser as its label; after a switch the browser sent
the old language's label, which matched no option, and the page quietly went back to another choice
(decision 0020). AppTest does not show this: it sends values, not labels, so only a browser can.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import choose, choose_workspace, wait_ready

pytestmark = pytest.mark.browser


def open_fresh(browser, url: str, path: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/{path}")
    page.get_by_text("Language / 语言").wait_for(timeout=90_000)
    wait_ready(page)
    return page


def pick(page, box_key: str, option: str) -> None:
    """Pick `option` in the select box with this key, and wait for the run it starts."""
    choose(page, page.locator(f".st-key-{box_key}").first, option)
    wait_ready(page)


def switch_to_chinese(page, title: str) -> None:
    choose(page, page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first, "简体中文")
    page.get_by_role("heading", name=title).first.wait_for(timeout=90_000)
    wait_ready(page)


def shown_in(page, box_key: str) -> str:
    """What a select box shows as chosen, or the label of a radio's checked option."""
    box = page.locator(f".st-key-{box_key}").first
    checked = box.locator("[data-testid=stRadioOption][data-selected=true]")
    return checked.first.inner_text() if checked.count() else box.locator("input").first.input_value()


def test_a_radio_keeps_its_choice_after_the_language_changes(server, browser):
    url, _ = server
    page = open_fresh(browser, url, "ab_testing")
    page.locator(".st-key-ab_source").get_by_text("typed in").click()
    wait_ready(page)
    switch_to_chinese(page, "A/B 测试")
    assert shown_in(page, "ab_source") == "手动输入"
    pick(page, "ab_alpha", "0.1")  # any other click: the browser sends every widget's state with it
    # the old way: the browser sent "typed in", which is no Chinese label, and the radio showed nothing
    assert shown_in(page, "ab_source") == "手动输入"
    page.close()


def test_a_select_box_keeps_its_choice_after_the_language_changes(server, browser):
    url, _ = server
    page = open_fresh(browser, url, "customer_tiers")
    pick(page, "tiers_window", "last 90 days")
    switch_to_chinese(page, "客户分层")
    assert shown_in(page, "tiers_window") == "最近 90 天"
    page.locator(".st-key-tiers_section").get_by_text("聚类", exact=True).click()  # any other click, as above
    wait_ready(page)
    # the old way: the box went blank and the page counted every order, not the last 90 days'
    assert shown_in(page, "tiers_window") == "最近 90 天"
    assert page.get_by_test_id("stException").count() == 0
    page.close()


def test_a_half_typed_register_entry_survives_the_language_changing(server, browser, second_shop):
    url, _ = server
    page = open_fresh(browser, url, "improvements")
    choose_workspace(page, second_shop)
    page.get_by_role("heading", name="Improvements").first.wait_for(timeout=90_000)
    wait_ready(page)
    page.get_by_text("Add an entry").click()
    page.get_by_label("Problem").fill("Repeat rate fell")
    switch_to_chinese(page, "改进")
    # the field's identity is its key, not its label: the text typed (not yet sent) stays in the browser
    assert page.get_by_label("问题").input_value() == "Repeat rate fell"
    assert page.get_by_label("问题").is_visible()  # and the section stays open
    page.close()
