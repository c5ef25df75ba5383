"""Budget: monthly ROI and drop rules at their edges, response curves, and the optimiser against a grid search."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from core import budget, ingest
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


def hill_data(top, half, h, n=40, noise=0.03, seed=7):
    rng = np.random.default_rng(seed)
    spend = np.linspace(half * 0.1, half * 4, n)
    revenue = budget._hill(spend, top, half, h) * (1 + rng.normal(0, noise, n))
    return spend, revenue


def test_fit_recovers_known_hill_parameters():
    spend, revenue = hill_data(50_000, 10_000, 1.8)
    curve = budget.fit_curve(spend, revenue)
    top, half, h = curve.params
    assert curve.kind == "hill"
    assert top == pytest.approx(50_000, rel=0.08) and half == pytest.approx(10_000, rel=0.1) and h == pytest.approx(1.8, rel=0.15)
    assert curve.r2 > 0.95 and curve.n_points == 40 and not curve.too_few_points
    low, high = curve.band(10_000)
    assert low < curve.predict(10_000) < high
    assert curve.marginal(10_000) == pytest.approx((curve.predict(10_001) - curve.predict(9_999)) / 2, rel=1e-3)
    assert curve.outside_range(100_000) and not curve.outside_range(20_000)


def test_few_points_are_flagged_and_still_fitted():
    curve = budget.fit_curve([100, 200, 400], [300, 500, 700])
    assert curve.kind == "log" and curve.too_few_points and curve.n_points == 3
    assert curve.predict(400) > curve.predict(200) > 0 and curve.marginal(400) < curve.marginal(100)


def test_a_channel_whose_revenue_fell_at_the_same_spend_is_a_poor_fit():
    spend = [65, 48, 36, 36, 55, 53, 39, 35, 38, 56, 57, 52]  # thousands: the demo's social channel
    revenue = [99, 82, 67, 61, 79, 84, 77, 68, 65, 41, 38, 38]  # the last three months collapsed
    assert budget.fit_curve(spend, revenue).is_poor_fit
    assert not budget.fit_curve(spend[:9], revenue[:9]).is_poor_fit  # before the collapse spend explained it


CURVES = {
    "search": budget.Curve("hill", (60_000.0, 8_000.0, 1.2), 1, 10, 0, 30_000, 1000),
    "feed": budget.Curve("hill", (40_000.0, 5_000.0, 2.0), 1, 10, 0, 30_000, 1000),
    "social": budget.Curve("log", (9_000.0, 3_000.0), 1, 10, 0, 30_000, 1000),
    "test_lab": budget.Curve("hill", (30_000.0, 2_000.0, 1.0), 1, 10, 0, 30_000, 1000),
}


def grid_best(curves, total, limits, step):
    names = list(curves)
    best = -np.inf
    for combo in itertools.product(*(np.arange(limits[n][0], limits[n][1] + 1e-9, step) for n in names[:-1])):
        last = total - sum(combo)
        if limits[names[-1]][0] - 1e-9 <= last <= limits[names[-1]][1] + 1e-9:
            best = max(best, sum(curves[n].predict(v) for n, v in zip(names, (*combo, last))))
    return best


@pytest.mark.parametrize("total", [5_000.0, 20_000.0, 45_000.0])
def test_optimiser_matches_a_grid_search_and_keeps_the_rules(total):
    bounds = {"search": (1_000.0, None), "social": (0.0, 8_000.0)}
    plan = budget.optimise(CURVES, total, bounds, test_channels=("test_lab",))
    assert sum(plan.values()) == pytest.approx(total, rel=1e-6)
    assert plan["search"] >= 1_000 - 1e-6 and plan["social"] <= 8_000 + 1e-6
    assert plan["test_lab"] <= 0.10 * total + 1e-6 and all(v >= -1e-9 for v in plan.values())
    limits = {"search": (1_000.0, total), "feed": (0.0, total), "social": (0.0, 8_000.0), "test_lab": (0.0, 0.10 * total)}
    brute = grid_best(CURVES, total, limits, total / 50)
    assert budget.predicted_revenue(CURVES, plan) >= brute * 0.99


def test_optimiser_refuses_impossible_limits():
    with pytest.raises(budget.BudgetError, match="minimums sum to 1,200"):
        budget.optimise(CURVES, 1_000, {"search": (600, None), "feed": (600, None)})
    with pytest.raises(budget.BudgetError, match=r"maximums \(with the 10% test cap\) to 700"):
        budget.optimise(CURVES, 1_000, {name: (None, 200) for name in CURVES}, test_channels=["test_lab"])
    with pytest.raises(budget.BudgetError, match="search: its minimum 600 is above its maximum 500"):
        budget.optimise(CURVES, 1_000, {"search": (600, 500)})


@pytest.mark.parametrize("name", list(CURVES))
def test_a_quarter_is_three_months_spent_evenly(name):
    monthly, quarter = CURVES[name], CURVES[name].over(3)
    spend = np.array([500.0, 4_000.0, 25_000.0])
    assert quarter.predict(3 * spend) == pytest.approx(3 * monthly.predict(spend))
    assert quarter.marginal(3 * spend) == pytest.approx(monthly.marginal(spend))
    assert (quarter.min_spend, quarter.max_spend) == (0, 90_000)
    assert not quarter.outside_range(80_000) and monthly.outside_range(80_000)


def test_the_best_quarter_is_three_best_months():
    quarters = {name: curve.over(3) for name, curve in CURVES.items()}
    month, quarter = budget.optimise(CURVES, 20_000), budget.optimise(quarters, 60_000)
    assert {c: v / 3 for c, v in quarter.items()} == pytest.approx(month, rel=1e-3, abs=5)


def test_revenue_per_order_over_the_last_three_months():
    months = pd.DataFrame({
        "channel": ["a"] * 4 + ["b", "c"], "month": [1, 2, 3, 4, 1, 1],
        "attributed_revenue": [999.0, 100, 200, 300, 50, 70], "orders": [1.0, 1, 2, 3, None, 0]})
    per_order = budget.revenue_per_order(months)
    assert per_order["a"] == pytest.approx(600 / 6)  # month 1 is older than the last three
    assert np.isnan(per_order["b"]) and np.isnan(per_order["c"])  # no orders reported, or none at all


def test_suggestions_describe_the_moves():
    current = {"search": 2_000.0, "feed": 2_000.0, "social": 12_000.0, "test_lab": 4_000.0}
    proposed = budget.optimise(CURVES, 20_000, test_channels=("test_lab",))
    moves = budget.suggestions(current, proposed, CURVES)
    assert moves and all(m.amount > 0 for m in moves)
    assert sum(m.revenue_gain for m in moves) == pytest.approx(
        budget.predicted_revenue(CURVES, proposed) - budget.predicted_revenue(CURVES, current), rel=1e-3)
    assert "social" in {m.from_channel for m in moves}


def test_min_total_for_revenue_and_split_for_roi():
    target = 60_000.0
    plan = budget.min_total_for_revenue(CURVES, target, test_channels=("test_lab",))
    assert plan.revenue >= target and sum(plan.allocation.values()) == pytest.approx(plan.total, rel=1e-6)
    smaller = budget.optimise(CURVES, plan.total * 0.98, test_channels=("test_lab",))
    assert budget.predicted_revenue(CURVES, smaller) < target
    assert budget.min_total_for_revenue(CURVES, 1e9) is None

    roi = budget.split_for_roi(CURVES, 2.0, test_channels=("test_lab",))
    assert roi.roi >= 2.0
    bigger = budget.optimise(CURVES, roi.total * 1.02, test_channels=("test_lab",))
    assert budget.predicted_revenue(CURVES, bigger) / (roi.total * 1.02) < 2.0


GUESSED = {"Baidu SEM": "search", "信息流": "feed", "Douyin": "social", "test lab": "testing"}


def test_roles_are_guessed_from_names():
    assert {name: budget.role_for(name) for name in GUESSED} == GUESSED
    assert budget.role_for("Search test") == "testing"  # a test is a test whatever it tests
    assert budget.role_for("email") == "other"


@pytest.mark.parametrize("roles, current", [
    (GUESSED, None), ({"search": "search", "newsletter": "other"}, {"search": 300, "newsletter": 100}),
    ({"a": "other", "b": "other"}, None), ({"a": "other", "b": "other"}, {"a": 1, "b": 3}), ({"only": "feed"}, {})])
def test_default_split_sums_to_one(roles, current):
    split = budget.default_split(roles, current)
    assert set(split) == set(roles) and sum(split.values()) == pytest.approx(1.0)


def test_default_split_by_role():
    assert budget.default_split(GUESSED) == pytest.approx({"Baidu SEM": 0.4, "信息流": 0.3, "Douyin": 0.2, "test lab": 0.1})
    # 'other' keeps its quarter of today's spend; search and feed share the rest 40:30
    split = budget.default_split({"search": "search", "feed": "feed", "email": "other"}, {"search": 50, "feed": 25, "email": 25})
    assert split == pytest.approx({"search": 0.75 * 4 / 7, "feed": 0.75 * 3 / 7, "email": 0.25})
    # two channels in one role share it evenly
    split = budget.default_split({"s": "search", "f": "feed", "x": "social", "y": "social", "t": "testing"})
    assert split["x"] == split["y"] == pytest.approx(0.1)
    # only 'other' channels: today's shares, or even shares without spend
    assert budget.default_split({"a": "other", "b": "other"}, {"a": 1, "b": 3}) == pytest.approx({"a": 0.25, "b": 0.75})
    assert budget.default_split({"a": "other", "b": "other"}) == pytest.approx({"a": 0.5, "b": 0.5})


def test_roles_are_saved_per_workspace(workspace):
    channels = ["search", "email", "lab"]
    assert budget.load_roles(workspace, channels) == {"search": "search", "email": "other", "lab": "other"}
    budget.save_roles(workspace, {"email": "social", "lab": "testing"})
    roles = budget.load_roles(workspace, channels)
    assert roles == {"search": "search", "email": "social", "lab": "testing"}
    assert budget.capped_channels(roles) == ["lab"]
    with pytest.raises(ValueError):
        budget.save_roles(workspace, {"email": "newsletter"})
    assert budget.load_roles(workspace, channels) == roles  # the refused save changed nothing


# 10-day periods ending 2024-06-30: recent is 21-30 June, before is 11-20 June.
MATRIX_ORDERS = """
    order_id,customer_id,order_time,order_total,status,category,channel,quantity,unit_price
    v1,v,2024-06-01,600,paid,Bags,search,1,600
    v2,v,2024-06-02,600,paid,Bags,search,1,600
    v3,v,2024-06-03,600,paid,Bags,search,1,600
    v4,v,2024-06-04,600,paid,Bags,search,1,600
    v5,v,2024-06-15,200,paid,Bags,search,1,200
    v6,v,2024-06-25,300,paid,Bags,search,1,300
    v7,v,2024-06-26,999,cancelled,Bags,search,1,999
    m1,m,2024-06-12,150,paid,Bags,search,1,150
    m2,m,2024-06-22,400,paid,Bags,search,1,400
    n1,n,2024-06-25,100,paid,Shoes,feed,1,100
    c1,c,2023-01-01,50,paid,Shoes,feed,1,50
    c2,c,2024-06-30,80,paid,Shoes,feed,1,80
"""


def test_analysis_matrix_by_category_and_channel(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", MATRIX_ORDERS), kind="orders")
    matrix = budget.analysis_matrix(workspace, days=10).set_index(["category", "channel"])
    assert "customer_tier" not in matrix.columns
    assert matrix["gmv"].to_dict() == pytest.approx({("Bags", "search"): 700, ("Shoes", "feed"): 180})
    assert matrix.loc[("Bags", "search"), "share_of_gmv"] == pytest.approx(700 / 880)
    assert matrix.loc[("Bags", "search"), "growth"] == pytest.approx(700 / 350 - 1)  # the cancelled 999 left out
    assert np.isnan(matrix.loc[("Shoes", "feed"), "growth"])  # nothing before: no growth figure, not infinity


def test_analysis_matrix_by_tier_uses_the_tier_at_each_period_start(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", MATRIX_ORDERS), kind="orders")
    matrix = budget.analysis_matrix(workspace, days=10, by_tier=True).set_index(["category", "channel", "customer_tier"])
    # v is VIP at both starts (4+ orders, 2,400+, within 30 days); m was new on 11 June and Normal on 21 June
    # (one order of 150); c came back after 18 months, so counts as Churned; n is new
    assert matrix["gmv"].to_dict() == pytest.approx({
        ("Bags", "search", "VIP"): 300, ("Bags", "search", "Normal"): 400, ("Bags", "search", "New"): 0,
        ("Shoes", "feed", "New"): 100, ("Shoes", "feed", "Churned"): 80})
    assert matrix.loc[("Bags", "search", "VIP"), "growth"] == pytest.approx(0.5)
    assert matrix.loc[("Bags", "search", "New"), "growth"] == pytest.approx(-1.0)
    assert matrix["share_of_gmv"].sum() == pytest.approx(1.0)


def test_analysis_matrix_of_an_empty_workspace_is_empty(workspace):
    assert budget.analysis_matrix(workspace, by_tier=True).empty


def test_compare_predicts_revenue_roi_and_orders_per_channel():
    current, proposed = {"search": 8_000.0, "test_lab": 1_000.0}, {"search": 6_000.0, "test_lab": 3_000.0}
    curves = {name: CURVES[name] for name in current}
    table = budget.compare(curves, current, proposed, {"search": 50.0}, test_channels=["test_lab"]).set_index("channel")
    # hill at the knee: half the top
    assert table.loc["search", "revenue_now"] == pytest.approx(30_000)
    assert table.loc["search", "roi_now"] == pytest.approx(30_000 / 8_000)
    assert table.loc["search", "orders_now"] == pytest.approx(600)
    assert table.loc["search", "orders_new"] == pytest.approx(CURVES["search"].predict(6_000) / 50)
    assert np.isnan(table.loc["test_lab", "orders_new"])  # no revenue per order known
    # 3,000 of 9,000 is a third: over the 10% test cap; both spends lie inside 0-30,000
    assert table["is_over_test_cap"].tolist() == [False, True]
    assert not table["is_outside_history"].any()


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


def test_todays_split_at_another_total():
    assert budget.todays_split_at({"a": 30.0, "b": 10.0}, 100, ["a", "b", "c"]) == {"a": 75.0, "b": 25.0, "c": 0.0}
    assert budget.todays_split_at({}, 90, ["a", "b", "c"]) == {"a": 30.0, "b": 30.0, "c": 30.0}  # nothing spent yet: even
