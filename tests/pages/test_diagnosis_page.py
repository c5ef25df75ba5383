"""The Diagnosis page on the demo shop, through AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.pages.conftest import page_for

APP = str(ROOT / "app.py")


def open_diagnosis(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["lang"] = lang
    return at.switch_page("pages/diagnosis.py").run()


def table_with(at: AppTest, column: str):
    """The one table on the page that has this column."""
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found


def test_the_demo_stories_show_on_the_diagnosis_page():
    at = open_diagnosis()
    assert not at.exception and not at.error
    assert at.title[0].value == "Diagnosis"
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) == {"GMV", "UV", "Conversion rate", "Revenue per buyer", "Orders", "Ordering customers",
                            "Orders per customer", "Average order value", "Weighted health score"}
    assert metrics["Weighted health score"].endswith("/ 5")
    problems = table_with(at, "Priority")
    # the detail-page bounce problem comes first, as a P0
    assert problems.iloc[0]["Priority"] == "P0" and problems.iloc[0]["Metric"] == "Detail-page bounce rate"
    funnel = table_with(at, "Users entered")
    leaking = funnel[funnel["Likely cause"] != ""]
    assert leaking["Stage"].tolist() == ["checkout"]
    anomalies = table_with(at, "Baseline")
    assert {"UV drop", "Bounce rate above 70%"} <= set(anomalies["Metric"])
    assert "feed_ads" in set(anomalies["Channel"])
    assert len(at.get("vega_lite_chart")) >= 5  # waterfall, radar, funnel, split, traffic, bounce


def test_the_page_speaks_chinese():
    at = open_diagnosis("zh")
    assert at.title[0].value == "诊断"
    assert table_with(at, "优先级").iloc[0]["指标"] == "详情页跳出率"


def test_a_period_choice_changes_the_numbers():
    at = open_diagnosis()
    thirty = {m.label: m.value for m in at.metric}["Orders"]
    at.segmented_control(key="diagnosis_preset").set_value(7).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Orders"] != thirty


def test_an_empty_workspace_gets_an_explicit_empty_state(data_dir):
    from core.platform.workspace import Workspace

    empty = Workspace(data_dir / "empty.duckdb")
    empty.open()
    at = page_for(empty.path, "pages.diagnosis").run()
    assert not at.exception
    assert at.info[0].value == "This needs data that the workspace does not have yet: Orders. Add it on the Data page."
    assert not at.metric


def test_hand_entered_values_and_weights_are_saved(data_dir):
    """AppTest cannot type into a data editor: its edits are seeded the way the browser sends them."""
    from datetime import date

    from core.data import ingest
    from core.diagnosis import health
    from core.platform import settings
    from core.platform.workspace import Workspace
    from tests.conftest import write_csv

    shop = Workspace(data_dir / "shop.duckdb")
    ingest.load(shop, write_csv(data_dir / "o.csv", "order_id,customer_id,order_time,order_total\nA1,c1,2024-05-01,100\n"))

    at = page_for(shop.path, "pages.diagnosis").run()
    at.session_state["health_inputs_editor"] = {"edited_rows": {0: {"value": 1.2}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="save_inputs").click().run()
    assert not at.exception
    assert health.input_evidence(shop, date(2024, 5, 1))["first_screen_load_seconds"].value == 1.2  # saved for 2024-05
    assert "First-screen load time (s)" in table_with(at, "Evidence")["Metric"].tolist()

    at.radio(key="health_preset").set_value("new_platform").run()
    at.button(key="apply_preset").click().run()
    weights = settings.get(shop, "health.weights")
    assert weights["first_screen_load_seconds"] + weights["server_error_rate"] == pytest.approx(0.3)
    assert health.saved_weights(shop) == weights
