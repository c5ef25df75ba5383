"""Customer tiers shows one section at a time (decision 0021): a click opens another, and a section's choices
are still there when the owner comes back to it, in either language."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import choose, wait_ready

pytestmark = pytest.mark.browser


def open_section(page, label: str) -> None:
    page.locator(".st-key-tiers_section").get_by_text(label, exact=True).click()
    wait_ready(page)


def test_sections_open_one_at_a_time_and_keep_their_choices(server, browser):
    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/customer_tiers")
    page.get_by_role("heading", name="Customer tiers").first.wait_for(timeout=90_000)
    wait_ready(page)
    headings = page.locator("[data-testid=stMain] h3")
    # the first section alone: tiers and segments
    assert headings.all_inner_texts() == ["Tiers against the playbook's reference shares",
                                          "Named segments from quintile scores (R, F, M 1-5)"]

    open_section(page, "Clusters")
    choose(page, page.locator(".st-key-cluster_k").first, "3")
    wait_ready(page)
    assert headings.all_inner_texts() == ["Clusters (KMeans on log-scaled, standardised R, F, M)"]
    page.get_by_text(re.compile(r"^k = 3 chosen")).first.wait_for(timeout=90_000)

    open_section(page, "Customer lists")
    choose(page, page.locator(".st-key-export_tier").first, "VIP")
    wait_ready(page)
    vips = page.get_by_text(re.compile(r"^Customers: [\d,]+$")).first.inner_text()

    # back to the clusters, then in Chinese: the three groups and the section are kept
    open_section(page, "Clusters")
    assert page.locator(".st-key-cluster_k input").first.input_value() == "3"
    choose(page, page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first, "简体中文")
    page.get_by_role("heading", name="客户分层").first.wait_for(timeout=90_000)
    wait_ready(page)
    assert headings.all_inner_texts() == ["聚类（对数化、标准化后的 R、F、M 做 KMeans）"]
    assert page.locator(".st-key-cluster_k input").first.input_value() == "3"
    open_section(page, "客户名单")
    assert page.locator(".st-key-export_tier input").first.input_value() == "VIP"
    assert page.get_by_text(re.compile(r"^客户数: [\d,]+$")).first.inner_text() == vips.replace("Customers", "客户数")
    assert page.get_by_test_id("stException").count() == 0
    page.close()
