"""The real app in Debian's chromium: upload a CSV through the real file uploader and see the counts change."""

from __future__ import annotations

import pytest

from tests.browser.conftest import name_new_workspace, wait_for_text, wait_ready

pytestmark = pytest.mark.browser


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

    name_new_workspace(page, "Browser Shop")
    assert page.get_by_test_id("stFileUploaderDropzone").get_attribute("aria-disabled") == "false"
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(orders))
    wait_for_text(page, "Rows ready to load", data / "server.log")
    wait_ready(page)
    assert page.get_by_test_id("stMetricValue").all_inner_texts() == ["3", "3", "0"]

    page.get_by_role("button", name="Load into workspace").click()
    wait_for_text(page, "Loaded 3 Orders row(s) into workspace 'Browser Shop'.", data / "server.log")
    wait_ready(page)
    assert sidebar.get_by_text("Orders: 3 rows 2024-05-01 – 2024-05-03").count() == 1
    assert (data / "browser_shop.duckdb").exists()
    page.close()


def test_a_load_left_for_another_page_still_lands(server, browser, tmp_path):
    # edge: a click on another page while the rows were being written stopped the run and rolled the load back,
    # so the file was lost without a word; now the click waits for the load and then opens the page clicked
    url, data = server
    orders = tmp_path / "orders.csv"
    lines = [f"L{n},c{n % 9000},2024-{1 + n % 12:02d}-{1 + n % 28:02d} 10:00,{10 + n % 90}.50,paid" for n in range(150_000)]
    orders.write_text("order_id,customer_id,order_time,order_total,status\n" + "\n".join(lines) + "\n")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/data")
    wait_ready(page)
    page.get_by_text("Language / 语言").wait_for(timeout=90_000)
    wait_ready(page)
    name_new_workspace(page, "Leaving Shop")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(orders))
    wait_for_text(page, "Rows ready to load", data / "server.log")
    wait_ready(page)

    page.get_by_role("button", name="Load into workspace").click()
    page.get_by_test_id("stProgress").first.wait_for(timeout=30_000)  # the load is under way
    page.get_by_test_id("stSidebarNav").get_by_text("Sales", exact=True).first.click()
    wait_for_text(page, "Orders: 150,000 rows", data / "server.log")
    assert page.get_by_test_id("stSidebar").get_by_text("Orders: 150,000 rows").count() == 1
    assert page.get_by_role("heading", name="Sales overview").count() == 1  # and on the page clicked
    page.close()
