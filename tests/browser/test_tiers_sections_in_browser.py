"""Customer tiers shows one section at a time (decision 0021): a click opens another, and a section's choices
are still there when the owner comes back to it, in either language."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import choose, wait_ready

pytestmark = pytest.mark.browser


def open_section(page, label: str, heading: str) -> None:
    """Click a section and wait for its heading (the run has drawn it, not only started)."""
    page.locator(".st-key-tiers_section").get_by_text(label, exact=True).click()
    page.locator("[data-testid=stMain] h3").filter(has_text=heading).first.wait_for(timeout=90_000)
    wait_ready(page)


def tiers_page(server, browser):
    """Customer tiers on the demo, in a page of its own."""
    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/customer_tiers")
    page.get_by_role("heading", name="Customer tiers").first.wait_for(timeout=90_000)
    wait_ready(page)
    return page


def test_sections_open_one_at_a_time_and_keep_their_choices(server, browser):
    page = tiers_page(server, browser)
    headings = page.locator("[data-testid=stMain] h3")
    # the first section alone: tiers and segments
    assert headings.all_inner_texts() == ["Tiers against the playbook's reference shares",
                                          "Named segments from quintile scores (R, F, M 1-5)"]

    open_section(page, "Clusters", "Clusters (KMeans")
    choose(page, page.locator(".st-key-cluster_k").first, "3")
    wait_ready(page)
    assert headings.all_inner_texts() == ["Clusters (KMeans on log-scaled, standardised R, F, M)"]
    page.get_by_text(re.compile(r"^k = 3 chosen")).first.wait_for(timeout=90_000)

    open_section(page, "Customer lists", "Customer lists for your CRM")
    page.get_by_text("Customers: 19,574").wait_for(timeout=90_000)  # every tier's list first
    choose(page, page.locator(".st-key-export_tier").first, "VIP")
    page.get_by_text("Customers: 19,574").wait_for(state="detached", timeout=90_000)
    wait_ready(page)
    vips = page.get_by_text(re.compile(r"^Customers: [\d,]+$")).first.inner_text()

    # back to the clusters, then in Chinese: the three groups and the section are kept
    open_section(page, "Clusters", "Clusters (KMeans")
    assert page.locator(".st-key-cluster_k input").first.input_value() == "3"
    choose(page, page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first, "简体中文")
    page.get_by_role("heading", name="客户分层").first.wait_for(timeout=90_000)
    wait_ready(page)
    assert headings.all_inner_texts() == ["聚类（对数化、标准化后的 R、F、M 做 KMeans）"]
    assert page.locator(".st-key-cluster_k input").first.input_value() == "3"
    open_section(page, "客户名单", "导出到 CRM 的客户名单")
    assert page.locator(".st-key-export_tier input").first.input_value() == "VIP"
    assert page.get_by_text(re.compile(r"^客户数: [\d,]+$")).first.inner_text() == vips.replace("Customers", "客户数")
    assert page.get_by_test_id("stException").count() == 0
    page.close()


def edit_sms(page, row: int, value: str) -> None:
    """Type a touch plan's SMS a month for one tier (0 = VIP) in the grid: its first cell, six to the right."""
    grid = page.locator(".st-key-plan_editor").first.bounding_box()
    page.wait_for_timeout(500)  # the grid drawn on its canvas takes a moment after the run that sent it
    page.mouse.click(grid["x"] + 40, grid["y"] + 35 * (row + 2) - 17)  # under the header row, 35 px a row
    page.wait_for_timeout(300)
    for _ in range(6):  # tier, channel, content, schedule, owner, KPI
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")  # the cell's editor opens over the grid
    editor = page.locator("#portal input, #portal textarea").first
    editor.wait_for(timeout=10_000)
    editor.fill(value)
    page.keyboard.press("Enter")
    wait_ready(page)


def test_a_plan_edited_and_not_saved_outlives_another_section(server, browser):
    page = tiers_page(server, browser)
    open_section(page, "Touch plan", "Touch plan per tier")
    edit_sms(page, 1, "4")
    warning = page.get_by_text("Potential: 4 SMS a month breaks the cap of 2.")
    warning.wait_for(timeout=30_000)
    open_section(page, "Tier movement", "Tier movement")
    assert warning.count() == 0
    # the grid keeps nothing once it is not drawn: the page kept the edit and puts it back
    open_section(page, "Touch plan", "Touch plan per tier")
    warning.wait_for(timeout=30_000)
    edit_sms(page, 3, "5")  # another edit on top keeps the first
    page.get_by_text("Churned: 5 SMS a month breaks the cap of 2.").wait_for(timeout=30_000)
    assert warning.count() == 1 and page.get_by_test_id("stException").count() == 0
    page.close()
