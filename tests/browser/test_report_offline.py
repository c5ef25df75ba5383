"""The downloaded diagnosis report opens in a browser that may fetch nothing, and its charts draw."""

from __future__ import annotations

from datetime import date

import pytest

from core.data import ingest
from core.report import service as report
from tests.conftest import write_csv

pytestmark = pytest.mark.browser


def test_report_renders_with_the_network_cut_off(browser, workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "o.csv", "order_id,customer_id,order_time,order_total\nA1,c1,2024-05-01,100\n"))
    ingest.load(workspace, write_csv(tmp_path / "t.csv", "date,channel,uv,bounce_rate\n" + "\n".join(
        f"2024-05-{d:02d},web,100,0.5" for d in range(1, 32))))
    path = tmp_path / "report.html"
    path.write_text(report.shop_report(workspace, date(2024, 5, 1), date(2024, 5, 31), "en", shop="shop"), encoding="utf-8")

    context = browser.new_context(offline=True)
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto(path.as_uri())
    assert page.title() == "ShopLens diagnosis: shop"
    sizes = page.eval_on_selector_all("svg", "nodes => nodes.map(n => n.getBoundingClientRect().width)")
    # sales over time, new against returning, radar, traffic, bounce, retention and lifetime value, all drawn
    assert len(sizes) == 7 and min(sizes) > 100
    assert requests == [path.as_uri()]  # nothing but the file itself
    context.close()
