"""The Diagnosis page on a tiny shop whose every number can be worked out by hand."""

from __future__ import annotations

import pyarrow as pa
import pytest

from core.data import ingest
from core.platform import settings
from core.platform.workspace import Workspace
from tests.conftest import write_csv
from tests.core.diagnosis.tiny_shop import FUNNEL, TRAFFIC
from tests.pages.conftest import page_for

ORDERS = """
    order_id,customer_id,order_time,order_total
    A1,c1,2024-04-03,100
    A2,c2,2024-04-20,100
    A3,c3,2024-05-03,150
    A4,c1,2024-05-10,150
    A5,c4,2024-05-30,150
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
    # May: 3 orders from 3 customers (c3, c1, c4), GMV 450, UV 100, conversion 3 / 100 = 3%, revenue per buyer
    # and AOV 150; April: 2 orders from 2 customers (c1, c2), GMV 200, UV 100, 2%, 100 per buyer and per order
    assert metrics(at) == {
        "GMV": ("450", "+125.0%"), "UV": ("100", "+0.0%"), "Conversion rate": ("3.00%", "+1.00 pt"),
        "Revenue per buyer": ("150.00", "+50.0%"), "Orders": ("3", "+50.0%"), "Ordering customers": ("3", "+50.0%"),
        "Orders per customer": ("1.00", "+0.0%"), "Average order value": ("150.00", "+50.0%"),
        # only two metrics measured: returns 0 of 3 (score 5) and bounce 80% (score 1), 15% each: 30% of
        # the weight, below half, so no total
        "Weighted health score": ("–", ""),
    }
    captions = [c.value for c in at.caption]
    assert "Scored on 2 of 7 metrics, 30% of the weight." in captions
    assert not any(c.startswith("Shown as") for c in captions)  # every KPI has its data
    scored = table_with(at, "Evidence")
    assert scored[["Metric", "Score", "Weight"]].values.tolist() == [
        ["Detail-page bounce rate", "1", "15%"], ["Return rate", "5", "15%"]]
    assert table_with(at, "Priority")["Metric"].tolist() == ["Detail-page bounce rate"]


def test_conversion_counts_ordering_customers_not_orders(data_dir):
    """The playbook: conversion = ordering customers / UV, 客单价 (revenue per buyer) = GMV / ordering customers."""
    workspace = Workspace(data_dir / "repeat.duckdb")
    ingest.load(workspace, write_csv(data_dir / "orders.csv", """
        order_id,customer_id,order_time,order_total
        B1,c3,2024-04-10,50
        A1,c1,2024-05-01,100
        A2,c1,2024-05-02,100
        A3,c2,2024-05-30,100
    """))
    ingest.load(workspace, write_csv(data_dir / "traffic.csv", "date,channel,uv\n2024-04-01,seo,100\n2024-05-01,seo,100\n"))
    at = page_for(workspace.path, "pages.diagnosis").run()
    assert not at.exception and not at.error
    # May 1-30: 3 orders from 2 customers (c1 twice), GMV 300, UV 100: conversion 2 / 100 = 2% (orders / UV
    # would say 3%), revenue per buyer 300 / 2 = 150, 1.5 orders per customer, AOV 300 / 3 = 100.
    # April: 1 order from c3, GMV 50, UV 100: 1%, 50 per buyer, 1 order each, AOV 50.
    assert metrics(at) == {
        "GMV": ("300", "+500.0%"), "UV": ("100", "+0.0%"), "Conversion rate": ("2.00%", "+1.00 pt"),
        "Revenue per buyer": ("150.00", "+200.0%"), "Orders": ("3", "+200.0%"), "Ordering customers": ("2", "+100.0%"),
        "Orders per customer": ("1.50", "+50.0%"), "Average order value": ("100.00", "+100.0%"),
        "Weighted health score": ("–", ""),
    }
    # the bridge, UV x conversion x revenue per buyer: UV 0; conversion 100 x 1 pt x 50 = 50;
    # revenue per buyer 100 x 2% x 100 = 200; 50 + 200 = 300 - 50
    (dataset,) = at.get("vega_lite_chart")[0].proto.datasets
    bars = pa.ipc.open_stream(dataset.data.data).read_pandas()
    steps = list(zip(bars["step"], bars["shown"]))
    assert steps == [("Previous GMV", "50"), ("UV", "0"), ("Conversion rate", "50"), ("Revenue per buyer", "200"),
                     ("This period's GMV", "300")]
    assert len(at.get("vega_lite_chart")) == 4  # waterfall, radar, traffic, bounce; no funnel data


def test_funnel_and_traffic_of_the_period(shop):
    at = page_for(shop.path, "pages.diagnosis").run()
    # no 'all' rows: the devices add up, 600 + 400 = 1000 enter and 200 + 300 = 500 reach checkout
    # the added-up funnel reads "All" (issue 12: no untranslated "all"); its value stays 'all'
    segment = at.selectbox(key="funnel_segment")
    assert segment.options == ["All", "desktop", "mobile"] and segment.value == "all"
    stages = table_with(at, "Users entered")
    assert stages["Users entered"].tolist() == [1000, 500]
    # 500 of 1000 lost: above 40%, a leak; the last stage has no next stage to lose to: "–" (issue 12, was "")
    assert stages["Loss rate"].tolist() == ["50.0%", "–"]
    assert stages["Likely cause"].iloc[0] == "Slow first screen: visitors leave before the page shows."
    # April had mobile alone: 1000 -> 900 loses 10%
    assert table_with(at, "Loss rate, previous period")["Loss rate, previous period"].tolist()[0] == "10.0%"
    # May 1st's bounce rate 80% is above the 70% line: the day's, and seo's, its only channel
    anomalies = table_with(at, "Baseline")
    assert anomalies[["Date", "Channel", "Metric", "Value", "Baseline"]].values.tolist() == [
        ["2024-05-01", "All channels", "Bounce rate above 70%", "80.0%", "70%"],
        ["2024-05-01", "seo", "Channel bounce rate above 70%", "80.0%", "70%"]]
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
    # May 24-30: order A5 (150) and no traffic row at all, so no UV and no rate; May 17-23 had nothing, so
    # no change can be given
    assert metrics(at) == {
        "GMV": ("150", ""), "UV": ("–", ""), "Conversion rate": ("–", ""), "Revenue per buyer": ("150.00", ""),
        "Orders": ("1", ""), "Ordering customers": ("1", ""), "Orders per customer": ("1.00", ""),
        "Average order value": ("150.00", ""),
        "Weighted health score": ("–", ""),  # the returns alone (0 of 1 order, score 5) are 15% of the weight
    }
    assert "Scored on 1 of 7 metrics, 15% of the weight." in [c.value for c in at.caption]
    assert [i.value for i in at.info][:2] == [
        "No GMV bridge: splitting GMV into UV x conversion rate x revenue per buyer needs daily traffic for this period and the one before.",
        "No funnel data in this period."]
    assert len(at.get("vega_lite_chart")) == 3  # radar, traffic, bounce: no bridge without visitors


def test_missing_datasets_get_explicit_empty_states(data_dir):
    workspace = Workspace(data_dir / "orders_only.duckdb")
    ingest.load(workspace, write_csv(data_dir / "orders.csv", ORDERS))
    at = page_for(workspace.path, "pages.diagnosis").run()
    assert not at.exception and not at.error
    assert [i.value for i in at.info] == [
        "No GMV bridge: splitting GMV into UV x conversion rate x revenue per buyer needs daily traffic for this period and the one before.",
        "This needs data that the workspace does not have yet: Funnel stages. Add it on the Data page.",
        "This needs data that the workspace does not have yet: Daily traffic. Add it on the Data page.",
    ]
    assert len(at.get("vega_lite_chart")) == 1  # the radar: no visitors, so no bridge


def test_saved_weights_rescore_at_once(shop):
    """AppTest cannot type into a data editor: the edit is seeded the way the browser sends it."""
    at = page_for(shop.path, "pages.diagnosis").run()
    assert metrics(at)["Weighted health score"] == ("–", "")  # returns and bounce: 30% of the weight
    at.session_state["health_weights_editor"] = {"edited_rows": {6: {"weight": 65.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="save_weights").click().run()
    assert not at.exception and not at.error
    assert settings.get(shop, "health.weights")["return_rate"] == pytest.approx(0.65)
    # returns (score 5) now weigh 65%, bounce (score 1) 15%, out of 65 + 15 + 20 + 15 + 15 + 10 + 10 = 150:
    # 80 / 150 = 53% of the weight, over half; (5 x 65 + 1 x 15) / 80 = 4.25
    assert metrics(at)["Weighted health score"] == ("4.25 / 5", "")
    assert "Scored on 2 of 7 metrics, 53% of the weight." in [c.value for c in at.caption]
    # with a total, the weight column is each metric's share of it: 15 / 80 and 65 / 80
    assert table_with(at, "Evidence")["Weight"].tolist() == ["19%", "81%"]


ORDERS_IN_CNY = """
    order_id,customer_id,order_time,order_total,refunded_amount,currency,sku
    A1,c1,2024-04-03,100,0,CNY,s1
    A2,c2,2024-04-20,100,0,CNY,s2
    A3,c3,2024-05-03,150,0,CNY,s1
    A4,c1,2024-05-10,150,0,CNY,s2
    A5,c4,2024-05-30,150,0,CNY,s3
"""


@pytest.fixture
def orders_only(data_dir) -> Workspace:
    """A real shop's first upload: one orders export in CNY. May 1-30 against April 1-30."""
    workspace = Workspace(data_dir / "first_upload.duckdb")
    ingest.load(workspace, write_csv(data_dir / "orders.csv", ORDERS_IN_CNY))
    return workspace


def test_an_orders_only_shop_shows_no_figure_it_has_no_data_for(orders_only):
    at = page_for(orders_only.path, "pages.diagnosis").run()
    assert not at.exception and not at.error
    # May: 3 orders from 3 customers, GMV 450, AOV and revenue per buyer 150; April: 2 orders from 2, GMV 200,
    # 100 per order and per buyer; no traffic: no UV, no rate
    assert metrics(at) == {
        "GMV": ("¥450", "+125.0%"), "UV": ("–", ""), "Conversion rate": ("–", ""), "Revenue per buyer": ("¥150.00", "+50.0%"),
        "Orders": ("3", "+50.0%"), "Ordering customers": ("3", "+50.0%"), "Orders per customer": ("1.00", "+0.0%"),
        "Average order value": ("¥150.00", "+50.0%"), "Weighted health score": ("–", ""),
    }
    helps = {m.label: m.proto.help for m in at.metric}
    assert helps["UV"] == helps["Conversion rate"] == "needs daily traffic for this period" and helps["GMV"] == ""
    captions = [c.value for c in at.caption]
    assert ("Shown as “–” for want of data: UV (needs daily traffic for this period), "
            "Conversion rate (needs daily traffic for this period).") in captions
    assert at.info[0].value.startswith("No GMV bridge:") and "needs daily traffic" in at.info[0].value
    # health: the return rate alone (0 of 3 refunded, score 5) is 15 of 100 weight, under half: no total;
    # the SKUs in the orders are no inventory, so no sell-through
    assert "Scored on 1 of 7 metrics, 15% of the weight." in captions
    assert any(c.startswith("No total score: less than 50% of the weight") for c in captions)
    scored = table_with(at, "Evidence")
    assert scored[["Metric", "Value", "Score", "Weight"]].values.tolist() == [["Return rate", "0.0%", "5", "15%"]]
    assert "None" not in scored.to_string()
    (complete,) = [m.value for m in at.markdown if m.value.startswith("**What would complete")]
    assert complete.splitlines()[2:] == [
        "- Type in First-screen load time (s), Server error rate, Service first response (s) "
        "under “Edit inputs, weights and score cut-offs” below.",
        "- Upload the inventory file on the Data page to score SKU sell-through (sold in 90 days), Inventory turnover (per year).",
        "- Upload daily traffic on the Data page to score Detail-page bounce rate.",
    ]
    assert len(at.get("vega_lite_chart")) == 1  # the radar, operations alone; no bridge


def test_an_orders_only_shop_in_chinese(orders_only):
    at = page_for(orders_only.path, "pages.diagnosis")
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception and not at.error
    values = {m.label: m.value for m in at.metric}
    assert (values["访客数"], values["转化率"], values["加权健康度得分"]) == ("–", "–", "–")
    assert (values["GMV"], values["客单价"], values["笔单价"], values["人均订单数"]) == ("¥450", "¥150.00", "¥150.00", "1.00")
    assert {m.label: m.proto.help for m in at.metric}["访客数"] == "需要本期的每日流量数据"
    captions = [c.value for c in at.caption]
    assert "因缺少数据显示为“–”：访客数（需要本期的每日流量数据）、转化率（需要本期的每日流量数据）。" in captions
    assert "已评分 1/7 项指标，占权重的 15%。" in captions
    assert at.info[0].value.startswith("没有 GMV 拆解")
    (complete,) = [m.value for m in at.markdown if m.value.startswith("**补全健康评分")]
    assert "在数据页上传库存文件，即可评分：SKU 动销率（90 天内有销量）、库存周转率（次/年）。" in complete
    assert table_with(at, "依据")["得分"].tolist() == ["5"]


def test_a_typed_in_value_from_another_month_says_so(shop):
    from core.diagnosis import service

    # load time 1.2 s typed in for April, 3.0 s for June; the page shows May 1-30
    service.save_health_inputs(shop, {"first_screen_load_seconds": 1.2}, "2024-04")
    service.save_health_inputs(shop, {"first_screen_load_seconds": 3.0}, "2024-06")
    at = page_for(shop.path, "pages.diagnosis").run()
    assert not at.exception and not at.error
    # April's 1.2 s (score 5), the latest at or before May; June's is later and not used
    scored = table_with(at, "Evidence").set_index("Metric")
    assert scored.loc["First-screen load time (s)", ["Value", "Score"]].tolist() == ["1.20", "5"]
    assert scored.loc["First-screen load time (s)", "Evidence"] == (
        "Entered by hand for 2024-04, the latest before 2024-05: nothing was entered for 2024-05.")
    assert "**Values no export carries, for 2024-05**" in [m.value for m in at.markdown]
    assert ("Nothing entered for 2024-05 yet, so these come from another period: First-screen load time (s) (2024-04). "
            "Saving stores them for 2024-05.") in [c.value for c in at.caption]


def _config(table) -> dict:
    import json

    return json.loads(table.proto.columns or "{}")


def test_tables_read_well_no_none_and_separators(shop):
    """issue 12: a missing value reads "–" (Streamlit wrote "None"), counts carry separators (1,000, not 1000)."""
    at = page_for(shop.path, "pages.diagnosis").run()
    assert at.dataframe and all(d.proto.placeholder == "–" for d in at.dataframe)
    (funnel,) = [d for d in at.dataframe if "Users entered" in d.value.columns]
    assert {_config(funnel)[c]["type_config"]["format"] for c in ("Users entered", "Users lost")} == {"%,d"}
    (channels,) = [d for d in at.dataframe if "Share" in d.value.columns]
    assert _config(channels)["UV"]["type_config"]["format"] == "%,d"


def test_in_chinese_no_english_is_left(shop):
    at = page_for(shop.path, "pages.diagnosis")
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception and not at.error
    # dates as the picker writes them, 2024/05/01; a rate's change in 个百分点 (was "+1.00 pt"); 'all' translated
    assert at.caption[0].value == "2024/05/01 – 2024/05/30"
    assert "与 2024/04/01 – 2024/04/30 相比。" in [c.value for c in at.caption]
    assert metrics(at)["转化率"] == ("3.00%", "+1.00 个百分点")
    assert at.selectbox(key="funnel_segment").options[0] == "全部"
    anomalies = table_with(at, "基线")
    assert anomalies["日期"].tolist() == ["2024/05/01", "2024/05/01"]


def test_the_date_picker_writes_the_year_first(shop):
    at = page_for(shop.path, "pages.diagnosis").run()
    at.segmented_control(key="diagnosis_preset").set_value("custom").run()
    assert at.date_input(key="diagnosis_range").proto.format == "YYYY/MM/DD"
