"""Allocation: the optimiser against a grid search on known curves, its limits, targets and the what-if table."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from core.budget import allocation, response_curves

CURVES = {
    "search": response_curves.Curve("hill", (60_000.0, 8_000.0, 1.2), 1, 10, 0, 30_000, 1000),
    "feed": response_curves.Curve("hill", (40_000.0, 5_000.0, 2.0), 1, 10, 0, 30_000, 1000),
    "social": response_curves.Curve("log", (9_000.0, 3_000.0), 1, 10, 0, 30_000, 1000),
    "test_lab": response_curves.Curve("hill", (30_000.0, 2_000.0, 1.0), 1, 10, 0, 30_000, 1000),
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
    plan = allocation.optimise(CURVES, total, bounds, test_channels=("test_lab",))
    assert sum(plan.values()) == pytest.approx(total, rel=1e-6)
    assert plan["search"] >= 1_000 - 1e-6 and plan["social"] <= 8_000 + 1e-6
    assert plan["test_lab"] <= 0.10 * total + 1e-6 and all(v >= -1e-9 for v in plan.values())
    limits = {"search": (1_000.0, total), "feed": (0.0, total), "social": (0.0, 8_000.0), "test_lab": (0.0, 0.10 * total)}
    brute = grid_best(CURVES, total, limits, total / 50)
    assert allocation.predicted_revenue(CURVES, plan) >= brute * 0.99


def test_optimiser_refuses_impossible_limits():
    with pytest.raises(allocation.BudgetError, match="minimums sum to 1,200"):
        allocation.optimise(CURVES, 1_000, {"search": (600, None), "feed": (600, None)})
    with pytest.raises(allocation.BudgetError, match=r"maximums \(with the 10% test cap\) to 700"):
        allocation.optimise(CURVES, 1_000, {name: (None, 200) for name in CURVES}, test_channels=["test_lab"])
    with pytest.raises(allocation.BudgetError, match="search: its minimum 600 is above its maximum 500"):
        allocation.optimise(CURVES, 1_000, {"search": (600, 500)})


def test_the_best_quarter_is_three_best_months():
    quarters = {name: curve.over(3) for name, curve in CURVES.items()}
    month, quarter = allocation.optimise(CURVES, 20_000), allocation.optimise(quarters, 60_000)
    assert {c: v / 3 for c, v in quarter.items()} == pytest.approx(month, rel=1e-3, abs=5)


def test_suggestions_describe_the_moves():
    current = {"search": 2_000.0, "feed": 2_000.0, "social": 12_000.0, "test_lab": 4_000.0}
    proposed = allocation.optimise(CURVES, 20_000, test_channels=("test_lab",))
    moves = allocation.suggestions(current, proposed, CURVES)
    assert moves and all(m.amount > 0 for m in moves)
    assert sum(m.revenue_gain for m in moves) == pytest.approx(
        allocation.predicted_revenue(CURVES, proposed) - allocation.predicted_revenue(CURVES, current), rel=1e-3)
    assert "social" in {m.from_channel for m in moves}


def test_min_total_for_revenue_and_split_for_roi():
    target = 60_000.0
    plan = allocation.min_total_for_revenue(CURVES, target, test_channels=("test_lab",))
    assert plan.revenue >= target and sum(plan.allocation.values()) == pytest.approx(plan.total, rel=1e-6)
    smaller = allocation.optimise(CURVES, plan.total * 0.98, test_channels=("test_lab",))
    assert allocation.predicted_revenue(CURVES, smaller) < target
    assert allocation.min_total_for_revenue(CURVES, 1e9) is None

    roi = allocation.split_for_roi(CURVES, 2.0, test_channels=("test_lab",))
    assert roi.roi >= 2.0
    bigger = allocation.optimise(CURVES, roi.total * 1.02, test_channels=("test_lab",))
    assert allocation.predicted_revenue(CURVES, bigger) / (roi.total * 1.02) < 2.0


def test_compare_predicts_revenue_roi_and_orders_per_channel():
    current, proposed = {"search": 8_000.0, "test_lab": 1_000.0}, {"search": 6_000.0, "test_lab": 3_000.0}
    curves = {name: CURVES[name] for name in current}
    table = allocation.compare(curves, current, proposed, {"search": 50.0}, test_channels=["test_lab"]).set_index("channel")
    # hill at the knee: half the top
    assert table.loc["search", "revenue_now"] == pytest.approx(30_000)
    assert table.loc["search", "roi_now"] == pytest.approx(30_000 / 8_000)
    assert table.loc["search", "orders_now"] == pytest.approx(600)
    assert table.loc["search", "orders_new"] == pytest.approx(CURVES["search"].predict(6_000) / 50)
    assert np.isnan(table.loc["test_lab", "orders_new"])  # no revenue per order known
    # 3,000 of 9,000 is a third: over the 10% test cap; both spends lie inside 0-30,000
    assert table["is_over_test_cap"].tolist() == [False, True]
    assert not table["is_outside_history"].any()


def test_todays_split_at_another_total():
    assert allocation.todays_split_at({"a": 30.0, "b": 10.0}, 100, ["a", "b", "c"]) == {"a": 75.0, "b": 25.0, "c": 0.0}
    assert allocation.todays_split_at({}, 90, ["a", "b", "c"]) == {"a": 30.0, "b": 30.0, "c": 30.0}  # nothing spent yet: even


def test_targets_under_channel_maximums_are_unreachable_or_met_within_them():
    # every channel at most 5,000: no total above 20,000 can be split, so the search must stop there
    bounds = {name: (None, 5_000.0) for name in CURVES}
    assert allocation.min_total_for_revenue(CURVES, 1e9, bounds) is None  # not an error: not reachable
    plan = allocation.min_total_for_revenue(CURVES, 30_000.0, bounds)
    assert plan is not None and plan.revenue >= 30_000 and plan.total <= 20_000 + 1e-6
    assert all(spend <= 5_000 + 1e-6 for spend in plan.allocation.values())
    # ROI 2 holds even at the largest total the maximums allow: the largest total is that one
    roi = allocation.split_for_roi(CURVES, 2.0, bounds)
    assert roi is not None and roi.total == pytest.approx(20_000, rel=1e-3)
    assert allocation.split_for_roi(CURVES, 1e6, bounds) is None
    # a test channel's minimum of 1,000 fits the 10% cap only from a total of 10,000: smaller totals are
    # skipped on the way, not an error
    plan = allocation.min_total_for_revenue(CURVES, 30_000.0, {"test_lab": (1_000.0, None)}, test_channels=("test_lab",))
    assert plan is not None and plan.total >= 10_000 - 1e-6 and plan.allocation["test_lab"] >= 1_000 - 1e-6
