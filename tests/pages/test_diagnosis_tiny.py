"""The Diagnosis page on a tiny shop whose every number can be worked out by hand."""

from __future__ import annotations

import pytest

from core.data import ingest
from core.platform import settings
from core.platform.workspace import Workspace
from tests.conftest import write_csv
from tests.pages.conftest import page_for

ORDERS = """
    order_id,customer_id,order_time,order_total
    A1,c1,2024-04-03,100
    A2,c2,2024-04-20,100
    A3,c3,2024-05-03,150
    A4,c1,2024-05-10,150
    A5,c4,2024-05-30,150
"""
TRAFFIC = """
    date,channel,uv,bounce_rate
    2024-04-01,seo,100,0.4
    2024-05-01,seo,100,0.8
"""
FUNNEL = """
    step,stage,users,segment,date
    1,home,600,mobile,2024-05-01
    2,checkout,200,mobile,2024-05-01
    1,home,400,desktop,2024-05-01
    2,checkout,300,desktop,2024-05-01
    1,home,1000,mobile,2024-04-01
    2,checkout,900,mobile,2024-04-01
"""


@pytest.fixture
def shop(data_dir) -> Workspace:
    """The last day with data is May 30, so the default period is May 1-30 and the one before April 1-30."""
    workspace = Workspace(data_dir / "tiny.duckdb")
    for name, text in (("orders", ORDERS), ("traffic", TRAFFIC), ("funnel", FUNNEL)):
        ingest.load(workspace, write_csv(data_dir / f"{name}.csv", text))
    return workspace


def table_with(at, column: str):
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found


def metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


def test_kpis_with_their_changes(shop):
    at = page_for(shop.path, "pages.diagnosis").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Diagnosis"
    assert at.caption[0].value == "2024-05-01 – 2024-05-30"
    # May: 3 orders, GMV 450, UV 100, conversion 3%, AOV 150; April: 2 orders, GMV 200, UV 100, 2%, AOV 100
    assert metrics(at) == {
        "GMV": ("450", "+125.0%"), "Orders": ("3", "+50.0%"), "UV": ("100", "+0.0%"),
        "Conversion rate": ("3.00%", "+1.00 pt"), "Average order value": ("150.00", "+50.0%"),
        # only two metrics measured: returns 0 of 3 (score 5) and bounce 80% (score 1), 15% each: (5 + 1) / 2
        "Weighted health score": ("3.00 / 5", ""),
    }
    assert table_with(at, "Priority")["Metric"].tolist() == ["Detail-page bounce rate"]


def test_funnel_and_traffic_of_the_period(shop):
    at = page_for(shop.path, "pages.diagnosis").run()
    # no 'all' rows: the devices add up, 600 + 400 = 1000 enter and 200 + 300 = 500 reach checkout
    assert at.selectbox(key="funnel_segment").options == ["all", "desktop", "mobile"]
    stages = table_with(at, "Users entered")
    assert stages["Users entered"].tolist() == [1000, 500]
    assert stages["Loss rate"].tolist() == ["50.0%", ""]  # 500 of 1000 lost: above 40%, a leak
    assert stages["Likely cause"].iloc[0] == "Slow first screen: visitors leave before the page shows."
    # April had mobile alone: 1000 -> 900 loses 10%
    assert table_with(at, "Loss rate, previous period")["Loss rate, previous period"].tolist()[0] == "10.0%"
    # May 1st's bounce rate 80% is above the 70% line
    anomalies = table_with(at, "Baseline")
    assert anomalies[["Date", "Metric", "Value", "Baseline"]].values.tolist() == [
        ["2024-05-01", "Bounce rate above 70%", "80.0%", "70%"]]
    assert len(at.get("vega_lite_chart")) == 6  # waterfall, radar, funnel, device split, traffic, bounce


def test_choosing_a_segment_shows_its_funnel(shop):
    at = page_for(shop.path, "pages.diagnosis").run()
    at.selectbox(key="funnel_segment").set_value("mobile").run()
    assert not at.exception and not at.error
    # mobile in May: 600 enter, 200 reach checkout, 400 / 600 lost
    stages = table_with(at, "Users entered")
    assert stages["Users entered"].tolist() == [600, 200] and stages["Loss rate"].iloc[0] == "66.7%"


def test_a_week_without_funnel_data_or_earlier_orders(shop):
    at = page_for(shop.path, "pages.diagnosis").run()
    at.segmented_control(key="diagnosis_preset").set_value(7).run()
    assert not at.exception and not at.error
    # May 24-30: order A5 (150), no visitors; May 17-23 had nothing, so no change can be given
    assert metrics(at) == {
        "GMV": ("150", ""), "Orders": ("1", ""), "UV": ("0", ""), "Conversion rate": ("0.00%", ""),
        "Average order value": ("150.00", ""),
        "Weighted health score": ("5.00 / 5", ""),  # the returns alone: 0 of 1 order, score 5
    }
    assert "No funnel data in this period." in [i.value for i in at.info]
    assert len(at.get("vega_lite_chart")) == 3  # radar, traffic, bounce: no bridge without visitors


def test_missing_datasets_get_explicit_empty_states(data_dir):
    workspace = Workspace(data_dir / "orders_only.duckdb")
    ingest.load(workspace, write_csv(data_dir / "orders.csv", ORDERS))
    at = page_for(workspace.path, "pages.diagnosis").run()
    assert not at.exception and not at.error
    assert [i.value for i in at.info] == [
        "This needs data that the workspace does not have yet: Funnel stages. Add it on the Data page.",
        "This needs data that the workspace does not have yet: Daily traffic. Add it on the Data page.",
    ]
    assert len(at.get("vega_lite_chart")) == 1  # the radar: no visitors, so no bridge


def test_saved_weights_rescore_at_once(shop):
    """AppTest cannot type into a data editor: the edit is seeded the way the browser sends it."""
    at = page_for(shop.path, "pages.diagnosis").run()
    at.session_state["health_weights_editor"] = {"edited_rows": {6: {"weight": 45.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="save_weights").click().run()
    assert not at.exception and not at.error
    assert settings.get(shop, "health.weights")["return_rate"] == pytest.approx(0.45)
    # returns (score 5) now weigh 45%, bounce (score 1) 15%: (5 x 45 + 1 x 15) / 60 = 4.00
    assert metrics(at)["Weighted health score"] == ("4.00 / 5", "")
