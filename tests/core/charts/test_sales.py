"""Sales charts: the data and encodings each is handed, read back from its Vega-Lite spec."""

from __future__ import annotations

import pandas as pd

from core.charts import sales as charts

PERIODS = pd.DataFrame({
    "period": ["2024-03", "2024-04"], "period_start": pd.to_datetime(["2024-03-01", "2024-04-01"]),
    "gmv": [220.0, 140.0], "orders": [3, 2], "customers": [3, 2], "new_customers": [2, 0], "returning_customers": [1, 2],
    "aov": [220 / 3, 70.0],
})
GRID = pd.DataFrame({"cohort": ["2024-03", "2024-03", "2024-04"], "months_since_first_order": [0, 1, 0],
                     "customers": [2, 2, 1], "retention_rate": [1.0, 0.25, 1.0], "revenue_per_customer": [80.0, 95.5, 30.0]})


def rows(spec: dict) -> list[dict]:
    return next(iter(spec["datasets"].values()))


def test_sales_over_time_draws_gmv_per_period_with_the_currency():
    spec = charts.sales_over_time(PERIODS, "month", "CNY", "en").to_dict()
    assert [r["gmv"] for r in rows(spec)] == [220.0, 140.0]
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["timeUnit"] == "yearmonth"
    assert spec["encoding"]["y"]["title"] == "GMV (¥)"
    assert spec["title"] == "GMV by period"


def test_new_and_returning_stacks_both_kinds_in_the_language():
    spec = charts.new_and_returning(PERIODS, "week", "zh").to_dict()
    assert [(r["period"], r["kind"], r["customer_count"]) for r in rows(spec)] == [
        ("2024-03", "新客户", 2), ("2024-04", "新客户", 0), ("2024-03", "回头客", 1), ("2024-04", "回头客", 2)]
    assert spec["encoding"]["x"]["timeUnit"] == "yearmonthdate"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["新客户", "回头客"]


def test_retention_heatmap_labels_each_cell_with_its_share():
    spec = charts.retention_heatmap(GRID, "en").to_dict()
    assert [r["share_label"] for r in rows(spec)] == ["100%", "25%", "100%"]
    cells, labels = spec["layer"]
    assert cells["mark"]["type"] == "rect" and cells["encoding"]["color"]["field"] == "retention_rate"
    assert cells["encoding"]["color"]["scale"]["domain"] == [0, 1]  # the same shades whatever the shares
    assert labels["encoding"]["text"]["field"] == "share_label"


def test_lifetime_value_draws_one_line_per_cohort():
    spec = charts.lifetime_value(GRID, None, "zh").to_dict()
    assert spec["mark"]["type"] == "line" and spec["encoding"]["color"]["field"] == "cohort"
    assert spec["encoding"]["y"]["title"] == "每客户累计收入"  # no currency: no symbol
    assert spec["title"].startswith("客户生命周期价值")


def test_date_axes_are_numbers_in_every_language():
    # Vega writes month names in English whatever the language; numbers read the same in both
    month = charts.sales_over_time(PERIODS, "month", "CNY", "zh").to_dict()
    day = charts.new_and_returning(PERIODS, "day", "zh").to_dict()
    assert month["encoding"]["x"]["axis"]["format"] == "%Y-%m"
    assert day["encoding"]["x"]["axis"]["format"] == "%Y-%m-%d"
