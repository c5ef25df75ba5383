"""Replenishment worked out by hand, with z from scipy.stats.norm.ppf as the independent reference."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import norm

from core.data import ingest
from core.products import replenishment
from tests.conftest import write_csv

Z95 = norm.ppf(0.95)  # 1.6449

DEMAND = pd.DataFrame({
    "sku": ["A", "B", "C", "F"],
    "daily_demand": [4.0, 2.0, 1.0, 3.0],
    "daily_demand_sd": [2.0, 0.0, 1.0, 0.0],
})
STOCK = pd.DataFrame({
    "sku": ["A", "B", "C", "D", "E", "F"],
    "on_hand": [30, 200, 50, 12, 0, 30],
    "lead_time_days": [9, None, 16, 5, 5, 10],
})


@pytest.fixture
def planned() -> pd.DataFrame:
    return replenishment.plan(DEMAND, STOCK, lead_time_days=14).set_index("sku")


def test_reorder_points_and_orders(planned):
    a = planned.loc["A"]
    # A: 4 a day, sd 2, 9 days' lead: safety 1.6449 x 2 x 3 = 9.869, reorder point 36 + 9.869 = 45.87;
    # 30 on hand is below: order up to 45.87 + 30 days x 4 = 165.87, less 30 = 135.87 -> 136
    assert a["safety_stock"] == pytest.approx(Z95 * 2 * 3)
    assert a["reorder_point"] == pytest.approx(36 + 6 * Z95)
    assert a["days_of_cover"] == pytest.approx(30 / 4)
    assert (a["suggested_order"], a["status"]) == (136, "stockout_risk")
    c = planned.loc["C"]
    # C: 1 a day, sd 1, 16 days: reorder point 16 + 1.6449 x 4 = 22.58; 50 on hand is 50 days: ok, no order
    assert c["reorder_point"] == pytest.approx(16 + 4 * Z95)
    assert (c["days_of_cover"], c["suggested_order"], c["status"]) == (50, 0, "ok")


def test_default_lead_time_and_overstock(planned):
    b = planned.loc["B"]
    # B has no lead time in the file: the default 14 days, reorder point 2 x 14 = 28; 200 on hand is
    # 100 days of cover, beyond 90: overstock
    assert (b["lead_time_days"], bool(b["lead_time_from_file"])) == (14, False)
    assert (b["reorder_point"], b["days_of_cover"], b["status"], b["suggested_order"]) == (28, 100, "overstock", 0)
    assert bool(planned.loc["A", "lead_time_from_file"])
    # with 120 days allowed the same stock is ok
    relaxed = replenishment.plan(DEMAND, STOCK, lead_time_days=14, overstock_days=120).set_index("sku")
    assert relaxed.loc["B", "status"] == "ok"


def test_no_demand(planned):
    # D sells nothing (no forecast row): its 12 units never run out, so no days of cover, and overstock
    d = planned.loc["D"]
    assert math.isnan(d["days_of_cover"]) and d["status"] == "overstock" and d["suggested_order"] == 0
    # edge case: E sells nothing and holds nothing: the reorder point is 0 and nothing can run out, so ok
    # rather than a stock-out risk (0 on hand <= a reorder point of 0)
    e = planned.loc["E"]
    assert (e["reorder_point"], e["status"], e["suggested_order"]) == (0, "ok", 0)


def test_on_hand_equal_to_the_reorder_point_is_a_risk(planned):
    # edge case: F, 3 a day without spread over 10 days: reorder point exactly 30 = on hand: reorder now,
    # up to 30 + 30 days x 3 = 120, less 30 = 90 (whole, not rounded up to 91 by float noise)
    f = planned.loc["F"]
    assert (f["reorder_point"], f["status"], f["suggested_order"]) == (30, "stockout_risk", 90)


def test_service_level_moves_the_safety_stock():
    # A at 99%: z = 2.3263, safety 2.3263 x 2 x 3 = 13.96, reorder point 49.96, order ceil(49.96 + 120 - 30) = 140
    a = replenishment.plan(DEMAND, STOCK, service_level=0.99).set_index("sku").loc["A"]
    assert a["safety_stock"] == pytest.approx(norm.ppf(0.99) * 6)
    assert a["suggested_order"] == math.ceil(36 + norm.ppf(0.99) * 6 + 120 - 30) == 140
    with pytest.raises(ValueError):
        replenishment.plan(DEMAND, STOCK, service_level=1.0)


def test_order_of_rows(planned):
    # stock-out risks first, the largest order first (A 136, F 90), then ok (C, E), then overstock (B, D)
    assert list(planned.index) == ["A", "F", "C", "E", "B", "D"]


def test_daily_from_weekly_reads_the_interval():
    weekly = pd.DataFrame({"sku": ["A", "B"], "units": [70.0, 7.0], "lower": [50.0, 7.0], "upper": [90.0, 7.0]})
    daily = replenishment.daily_from_weekly(weekly, level=0.80).set_index("sku")
    # A: the 80% interval spans 2 x 1.2816 weekly sd: 40 / 2.5631 = 15.61 a week, / sqrt(7) = 5.90 a day
    assert daily.loc["A", "daily_demand"] == 10
    assert daily.loc["A", "daily_demand_sd"] == pytest.approx(40 / (2 * norm.ppf(0.90)) / math.sqrt(7))
    # edge case: a zero-width interval means no spread, so no safety stock
    assert daily.loc["B", "daily_demand_sd"] == 0


def test_stock_from_the_inventory_file(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,sku,quantity,unit_price
        O1,c1,2024-05-01 10:00,10,A,1,10
    """), kind="orders")
    assert replenishment.missing_stock(workspace) == "products.missing.needs_inventory"
    path = write_csv(tmp_path / "stock.csv", """
        sku,stock_on_hand,lead time (days)
        A,4,12
        B,9,
        C,1,-3
    """)
    # edge case: a negative lead time cannot be meant: the row is refused at upload, never read as days
    with pytest.raises(ingest.RejectedRows):
        ingest.load(workspace, path, kind="inventory")
    ingest.load(workspace, path, kind="inventory", skip_bad_rows=True)
    assert replenishment.missing_stock(workspace) is None
    stock = replenishment.stock(workspace).set_index("sku")
    assert stock["on_hand"].to_dict() == {"A": 4, "B": 9}
    assert stock.loc["A", "lead_time_days"] == 12 and math.isnan(stock.loc["B", "lead_time_days"])
    # B has no lead time in the file: the default (7 here) applies
    planned = replenishment.plan(pd.DataFrame({"sku": ["A"], "daily_demand": [1.0], "daily_demand_sd": [0.0]}),
                                 stock.reset_index(), lead_time_days=7).set_index("sku")
    assert planned["lead_time_days"].to_dict() == {"A": 12, "B": 7}
    assert planned["reorder_point"].to_dict() == {"A": 12, "B": 0}
