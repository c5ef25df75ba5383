"""Improvements charts: the data each is handed, read back from its Vega-Lite spec."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from core.charts import improvements as charts


def test_campaign_lift_draws_each_measured_window_with_its_interval():
    results = pd.DataFrame({
        "campaign_id": [1, 1, 2], "tier": ["VIP", "VIP", "Churned"], "window_days": [7, 30, 7],
        "lift": [0.2, 0.1, None], "lift_low": [0.15, -0.02, None], "lift_high": [0.24, 0.22, None]})
    spec = charts.campaign_lift(results, "zh").to_dict()
    rules = spec["datasets"][spec["layer"][0]["data"]["name"]]
    # edge case: campaign 2 has no lift yet (nothing observed): left out, not drawn at 0
    assert [(r["campaign"], r["window"], r["low"], r["high"]) for r in rules] == [
        ("#1 VIP", "7 天", 0.15, 0.24), ("#1 VIP", "30 天", -0.02, 0.22)]
    assert spec["title"] == "活动提升：触达组减对照组购买率（95% 区间）"


def test_tier_month_rates_leave_months_without_a_rate_out():
    rates = pd.DataFrame({"month": [date(2026, 9, 1), date(2026, 10, 1), date(2026, 10, 1)],
                          "tier": ["VIP", "VIP", "Churned"], "repurchase_rate": [0.5, 0.25, None]})
    spec = charts.tier_month_rates(rates, "en").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [(r["month"], r["tier"], r["rate"]) for r in rows] == [("2026-09", "VIP", 0.5), ("2026-10", "VIP", pytest.approx(0.25))]
