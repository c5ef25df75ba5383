"""Channel returns: monthly ROI, the shop's own visitors and orders beside it, the drop rule at its edges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.budget import channel_returns as budget
from core.budget import response_curves
from core.data import ingest
from tests.conftest import write_csv


def test_channel_months_and_drop_candidates_at_the_edges(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "spend.csv", """
        month,channel,spend,attributed_revenue,clicks,orders
        2024-01,search,100,90,50,5
        2024-02,search,100,99,0,0
        2024-03,search,100,50,10,
        2024-01,feed,100,80,10,1
        2024-02,feed,100,80,10,1
        2024-03,feed,100,100,10,1
        2024-02,social,100,10,10,1
        2024-03,social,100,10,10,1
        2024-01,tiktok,100,200,10,1
        2024-02,tiktok,100,50,10,1
        2024-03,tiktok,100,50,10,1
        2024-04,tiktok,100,50,10,1
    """))
    months = budget.channel_months(workspace)
    search = months[months["channel"] == "search"].reset_index(drop=True)
    assert search["roi"].tolist() == pytest.approx([0.9, 0.99, 0.5])
    assert search.loc[0, "cpc"] == pytest.approx(2.0) and search.loc[0, "cpa"] == pytest.approx(20.0)
    assert search.loc[0, "conversion_rate"] == pytest.approx(0.1)
    # no clicks or no orders: the ratios are missing, not infinite
    assert search.loc[1, ["cpc", "cpa", "conversion_rate"]].isna().all()
    assert np.isnan(search.loc[2, "cpa"]) and search.loc[2, "cpc"] == pytest.approx(10.0)
    # search: below 1 three times; feed: ROI exactly 1 last month; social: only 2 months;
    # tiktok: an early good month no longer counts
    assert budget.drop_candidates(months) == ["search", "tiktok"]


def test_channel_months_add_the_shops_own_visitors_and_orders(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "spend.csv", """
        month,channel,spend,attributed_revenue,clicks,orders
        2024-01,search,100,300,50,2
        2024-01,email,10,90,,
    """))
    ingest.load(workspace, write_csv(tmp_path / "traffic.csv", """
        date,channel,device,uv
        2024-01-05,search,mobile,300
        2024-01-20,search,desktop,100
        2024-02-01,search,mobile,999
    """))
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,status,channel
        o1,a,2024-01-03,50,paid,search
        o2,b,2024-01-09,50,paid,search
        o3,c,2024-01-10,50,cancelled,search
        o4,d,2024-01-31 23:59,50,paid,search
        o5,e,2024-02-01,50,paid,search
    """), kind="orders")
    months = budget.channel_months(workspace).set_index("channel")
    # January only: two devices' visitors add up; the cancelled order and February's do not count
    assert months.loc["search", ["site_uv", "shop_orders"]].tolist() == [400, 3]
    assert months.loc["search", "site_conversion_rate"] == pytest.approx(3 / 400)
    # the platform's own figures stay beside them
    assert months.loc["search", "conversion_rate"] == pytest.approx(2 / 50)
    # email has neither traffic nor orders in the shop's files: missing, not zero
    assert months.loc["email", ["site_uv", "shop_orders", "site_conversion_rate"]].isna().all()


@pytest.mark.parametrize("roi, is_drop, action", [
    (0.5, True, "budget.action.drop"), (0.99, False, "budget.action.review"),
    (1.0, False, "budget.action.keep_or_grow"), (float("nan"), False, "budget.action.review")])
def test_suggested_action(roi, is_drop, action):
    assert budget.suggested_action(roi, is_drop) == action


def test_revenue_per_order_over_the_last_three_months():
    months = pd.DataFrame({
        "channel": ["a"] * 4 + ["b", "c"], "month": [1, 2, 3, 4, 1, 1],
        "attributed_revenue": [999.0, 100, 200, 300, 50, 70], "orders": [1.0, 1, 2, 3, None, 0]})
    per_order = budget.revenue_per_order(months)
    assert per_order["a"] == pytest.approx(600 / 6)  # month 1 is older than the last three
    assert np.isnan(per_order["b"]) and np.isnan(per_order["c"])  # no orders reported, or none at all


def test_over_period_stretches_curves_and_spend_alike():
    curve = response_curves.fit_curve([100.0, 200.0, 400.0, 800.0, 1_600.0, 3_200.0],
                                      [300.0, 520.0, 800.0, 1_050.0, 1_200.0, 1_260.0])
    curves, spend = budget.over_period({"search": curve}, {"search": 400.0}, 3)
    assert spend == {"search": 1_200.0}
    assert curves["search"].predict(1_200.0) == pytest.approx(3 * curve.predict(400.0))
