"""Products charts: the data and encodings each is handed, read back from its Vega-Lite spec."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from core.charts import products as charts

PRODUCTS = pd.DataFrame({
    "sku": ["P", "C", "X", "Z"], "product_name": ["Phone", None, "Charger", "Zero"],
    "revenue": [1200.0, 150.0, 50.0, 0.0], "abc_class": ["A", "B", "C", "C"],
})


def rows(spec: dict) -> list[dict]:
    return next(iter(spec["datasets"].values()))


def test_the_abc_curve_adds_up_revenue_best_seller_first():
    spec = charts.abc_curve(PRODUCTS, "zh").to_dict()
    data = rows(spec)
    # 1,200 / 1,400 = 85.7%, then 1,350 / 1,400 = 96.4%, then 100%; the product without revenue is left out
    assert [r["cumulative_share"] for r in data] == pytest.approx([1200 / 1400, 1350 / 1400, 1.0])
    # edge case: a product without a name shows its SKU
    assert [r["product"] for r in data] == ["Phone", "C", "Charger"]
    assert [r["abc_class"] for r in data] == ["A（前 80%）", "B（其后 15%）", "C（其余）"]
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 3]  # ranks never run below 0
    assert spec["title"] == "少数商品贡献了大部分收入"


def test_the_demand_chart_puts_sold_weeks_and_the_forecast_band_on_one_axis():
    history = pd.DataFrame({"week_start": [date(2024, 5, 27), date(2024, 6, 3)], "units": [3.0, 5.0]})
    ahead = pd.DataFrame({"week_start": [date(2024, 6, 10)], "units": [4.0], "low": [2.5], "high": [5.5]})
    spec = charts.demand(history, ahead, "en").to_dict()
    band, lines = spec["layer"]
    assert band["mark"]["type"] == "area" and band["encoding"]["y2"]["field"] == "high"
    line_rows = spec["datasets"][lines["data"]["name"]]
    assert [(r["units"], r["series"]) for r in line_rows] == [(3.0, "Sold"), (5.0, "Sold"), (4.0, "Forecast")]
    assert spec["title"] == "Units per week: sold and forecast (80% band)"


def test_stock_status_counts_every_status_in_order():
    spec = charts.stock_status({"stockout_risk": 2, "overstock": 1}, "en").to_dict()
    # edge case: a status nobody is in still shows, at 0
    assert [(r["status"], r["skus"]) for r in rows(spec)] == [("Stock-out risk", 2), ("OK", 0), ("Overstock", 1)]
