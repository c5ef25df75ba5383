"""A server shared with a team, in Debian's chromium: a workspace made there gets a passphrase before its first
row, and another browser session opens it only with that passphrase (issue 15)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import choose_workspace, running_server, wait_for_text, wait_ready

pytestmark = pytest.mark.browser
PASSPHRASE = "correct horse battery"


def test_a_shop_made_on_a_shared_server_is_private_to_other_sessions(browser, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,customer_id,order_time,order_total\nA1,c1,2024-05-01 10:00,100\n"
                      "A2,c2,2024-05-02 11:00,50\n", encoding="utf-8")
    data = tmp_path / "shared"
    data.mkdir()
    with running_server(data, SHOPLENS_SHARED="1") as (url, _):
        owner = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = owner.new_page()
        page.goto(f"{url}/data")
        wait_ready(page)
        page.get_by_label("New workspace name").fill("Team Shop")
        page.get_by_label("New workspace name").press("Enter")
        wait_ready(page)
        dropzone = page.get_by_test_id("stFileUploaderDropzone")
        assert dropzone.get_attribute("aria-disabled") == "true"  # no upload before a passphrase
        page.get_by_role("textbox", name="New passphrase").fill(PASSPHRASE)
        page.get_by_role("textbox", name="New passphrase").press("Enter")
        wait_ready(page)
        page.wait_for_function("() => document.querySelector('[data-testid=\"stFileUploaderDropzone\"]')"
                               "?.getAttribute('aria-disabled') === 'false'", timeout=30_000)
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(orders))
        wait_for_text(page, "Rows ready to load", data / "server.log")
        wait_ready(page)
        page.get_by_role("button", name="Load into workspace").click()
        wait_for_text(page, "Loaded 2 Orders row(s) into workspace 'Team Shop'.", data / "server.log")
        wait_ready(page)
        assert page.get_by_text("This workspace has a passphrase").count() == 1  # the owner's session has it open

        visitor = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()  # another session
        visitor.goto(url)
        wait_ready(visitor)
        choose_workspace(visitor, "Team Shop")
        wait_for_text(visitor, "Workspace 'Team Shop' is private", data / "server.log")
        wait_ready(visitor)
        assert visitor.get_by_test_id("stMetricValue").count() == 0  # nothing of it shows
        box = visitor.get_by_label("Passphrase for 'Team Shop'")
        box.fill("not the passphrase")
        visitor.get_by_role("button", name="Unlock").click()
        wait_for_text(visitor, "That passphrase does not open workspace 'Team Shop'.", data / "server.log")
        box.fill(PASSPHRASE)
        visitor.get_by_role("button", name="Unlock").click()
        wait_for_text(visitor, "Orders: 2 rows", data / "server.log")
        wait_ready(visitor)
        assert visitor.get_by_test_id("stMetricValue").count() > 0
        owner.close()
