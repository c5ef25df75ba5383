"""The Products service glues the forecast to the stock plan: daily demand from a forecast, SKUs the forecast
leaves out, the plan without an inventory file, and the supplier's list; all on a tiny shop by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.data import ingest
from core.products import service
from tests.conftest import write_csv

AS_OF = date(2024, 7, 1)  # the day after the last order


def _orders() -> str:
    """A: one order of 7 units in each of the 12 weeks before AS_OF (on AS_OF - 1, - 8, ...): a steady week of
    7, so the forecast is 7 a week with no spread, 1 a day. N: new, 3 orders of 2 units in its last 3 weeks:
    too little history to forecast. Q: quiet, sold once 12 weeks back and in stock (a cancelled order in the
    last week does not count)."""
    rows = ["order_id,customer_id,order_time,order_total,status,sku,product_name,quantity,unit_price"]
    for week in range(12):
        day = AS_OF - timedelta(days=1 + 7 * week)
        rows.append(f"A{week},c{week},{day} 10:00,70,paid,A,Anchor,7,10")
    for week in range(3):
        day = AS_OF - timedelta(days=2 + 7 * week)
        rows.append(f"N{week},n{week},{day} 11:00,20,paid,N,Newcomer,2,10")
    rows.append(f"Q0,q0,{AS_OF - timedelta(days=84)} 09:00,5,paid,Q,Quiet,1,5")
    rows.append(f"Q1,q1,{AS_OF - timedelta(days=3)} 09:00,5,cancelled,Q,Quiet,1,5")
    return "\n".join(rows)


@pytest.fixture
def shop(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", _orders()), kind="orders")
    return workspace


@pytest.fixture
def stocked(shop, tmp_path):
    # A: 10 on hand, 14 days' lead from the file; N: 1 on hand, no lead time (the default); Q: 40 on hand
    ingest.load(shop, write_csv(tmp_path / "inventory.csv", """
        sku,stock_on_hand,lead_time_days
        A,10,14
        N,1,
        Q,40,30
    """), kind="inventory")
    return shop


def test_daily_demand_from_the_forecast_and_from_recent_weeks(shop):
    found = service.demand(shop, horizon=4)
    assert found.forecasts.as_of == AS_OF
    daily = service.expected_daily_demand(found.forecasts, found.history).set_index("sku")
    # A: 7 every week -> 1 a day; a steady series has no one-step error, so no spread
    assert daily.loc["A", "daily_demand"] == pytest.approx(1.0)
    assert daily.loc["A", "daily_demand_sd"] == pytest.approx(0.0, abs=1e-9)
    # N: 3 weeks since its first sale (2, 2, 2) is too little to forecast: the average week, 2 / 7 a day,
    # with no spread to build safety stock on
    assert daily.loc["N", "method"] == "recent_average"
    assert daily.loc["N", "daily_demand"] == pytest.approx(2 / 7)
    assert daily.loc["N", "daily_demand_sd"] != daily.loc["N", "daily_demand_sd"]  # NaN: unknown, not 0


def test_without_inventory_the_plan_says_what_to_upload(shop):
    found = service.restock(shop)
    # edge case: orders alone; no made-up stock of 0 that would flag every product as a stock-out
    assert found.missing == service.NEEDS_INVENTORY
    assert found.plan.empty and found.as_of is None


def test_the_plan_by_hand(stocked):
    plan = service.restock(stocked).plan.set_index("sku")
    # A: 1 a day x 14 days = reorder point 14 (no safety stock: no spread); 10 on hand is below it.
    # Order up to 14 + 30 days x 1 = 44, less 10 = 34; 10 days of cover
    assert plan.loc["A", ["reorder_point", "days_of_cover", "suggested_order", "status"]].tolist() == [
        pytest.approx(14), pytest.approx(10), 34, "stockout_risk"]
    assert plan.loc["A", "product_name"] == "Anchor"
    # N: the default 14 days x 2/7 = 4 units; 1 on hand: order 4 + 30 x 2/7 - 1 = 11.57 -> 12
    assert plan.loc["N", ["lead_time_days", "suggested_order", "status"]].tolist() == [14, 12, "stockout_risk"]
    # Q: sold once 12 weeks ago in a week of 1; 40 on hand is far beyond 90 days of cover: overstock
    assert plan.loc["Q", "status"] == "overstock"
    assert service.restock(stocked).counts() == {"stockout_risk": 2, "ok": 0, "overstock": 1}


def test_the_supplier_list_holds_what_to_order_in_the_readers_words(stocked):
    rows = service.supplier_file(service.restock(stocked), "zh")
    # only A and N are to be ordered; Q (overstock) is not on the list
    assert rows["SKU"].tolist() == ["A", "N"]
    assert rows["建议订货量"].tolist() == [34, 12]
    assert set(rows["状态"]) == {"缺货风险"}
    assert rows["交货期（天）"].tolist() == [14, 14]
