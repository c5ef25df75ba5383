"""The A/B testing page through AppTest: the demo's experiments, typed-in numbers, the planner and the log."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    return at.switch_page("pages/ab_testing.py").run()


def test_the_demo_winner_is_called_with_its_reasons():
    at = open_page()
    assert not at.exception and not at.error
    assert at.title[0].value == "A/B testing"
    assert at.success[0].value == "**B wins.** Confidence > 99.99% reaches the 95% required."
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Conversion A"] == "2.86%" and metrics["Conversion B"] == "3.53%"
    assert len(at.get("vega_lite_chart")) == 2  # rates with intervals, running rates by day
    rpv = next(m.value for m in at.markdown if m.value.startswith("Revenue per visitor"))
    assert "Welch's t-test p = " in rpv
    log = next(d.value for d in at.dataframe if "test_id" in d.value.columns)
    assert "checkout_button_color" in log["test_id"].tolist()


def test_the_inconclusive_and_the_three_variant_tests():
    at = open_page()
    at.selectbox(key="ab_experiment").set_value("product_page_video").run()
    assert at.info[0].value.startswith("**No significant difference.**")
    at.selectbox(key="ab_experiment").set_value("free_shipping_banner").run()
    holm = next(d.value for d in at.dataframe if "Holm-adjusted p" in d.value.columns)
    assert holm["Variant"].tolist() == ["B", "C"]
    assert at.warning[0].value.startswith("**Keep testing.** The smaller group has 6,092 users")


def test_typed_in_numbers_and_bad_input():
    at = open_page()
    at.radio(key="ab_source").set_value("manual").run()
    assert at.success[0].value == "**B wins.** Confidence 98.25% reaches the 95% required."
    at.number_input(key="ab_conv_a").set_value(20_000).run()
    assert not at.exception
    assert at.error[0].value == "Group A: 20,000 conversions is more than its 10,000 users."


def test_the_planner_uses_the_formula_and_the_shop_traffic():
    at = open_page()
    at.number_input(key="plan_baseline").set_value(0.1).run()
    at.toggle(key="plan_relative").set_value(False).run()
    at.number_input(key="plan_mde_False").set_value(0.02).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Users needed per group"] == "3,841"
    assert metrics["Expected duration"] == "7 days"  # 7,682 users at ~4,100 UV a day: 2 days, but never under 7
    at.slider(key="plan_share").set_value(10).run()
    assert {m.label: m.value for m in at.metric}["Expected duration"] == "19 days"
