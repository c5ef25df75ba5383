"""Budget: monthly ROI and drop rules at their edges, response curves, and the optimiser against a grid search."""

from __future__ import annotations

import itertools

import numpy as np
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
    with pytest.raises(ValueError):
        budget.optimise(CURVES, 1_000, {"search": (2_000, None)})


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


@pytest.mark.parametrize("channels", [
    ["Baidu SEM", "信息流", "Douyin", "test lab"], ["search", "newsletter"], ["搜索", "wechat", "foo", "bar"], ["only"]])
def test_default_split_sums_to_one(channels):
    split = budget.default_split(channels)
    assert set(split) == set(channels) and sum(split.values()) == pytest.approx(1.0)


def test_default_split_roles():
    split = budget.default_split(["Baidu SEM", "信息流", "Douyin", "test lab"])
    assert split == pytest.approx({"Baidu SEM": 0.4, "信息流": 0.3, "Douyin": 0.2, "test lab": 0.1})
    assert budget.default_split(["search", "a", "b"]) == pytest.approx({"search": 0.4, "a": 0.3, "b": 0.3})
