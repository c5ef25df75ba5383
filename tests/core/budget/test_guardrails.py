"""Guardrails on a tiny spend sheet whose unconstrained best split leaves the history: the default proposal
stays within half the lowest and one and a half times the highest monthly spend, and a channel whose
curve explains nothing is held at its current spend; freeing them gives the old proposal back."""

from __future__ import annotations

import json

import pytest

from core.budget import allocation, guardrails, service
from core.budget.response_curves import Curve
from core.data import ingest
from tests.conftest import write_csv
from tests.core.test_cli import run

# search: revenue 40 x spend^0.6 (rounded), a curve that fits (R² ~1.00) and keeps paying beyond 350;
# social: the same 300/100/200 revenue at spend 100 and at 200, so spend explains none of it (R² ~0.00)
SPEND = """
    month,channel,spend,attributed_revenue
    2024-01,search,100,634
    2024-02,search,150,809
    2024-03,search,200,961
    2024-04,search,250,1099
    2024-05,search,300,1226
    2024-06,search,350,1344
    2024-01,social,100,300
    2024-02,social,200,100
    2024-03,social,100,200
    2024-04,social,200,100
    2024-05,social,100,300
    2024-06,social,200,200
"""
# history ranges: search 0.5 x 100 = 50 to 1.5 x 350 = 525; social 0.5 x 100 = 50 to 1.5 x 200 = 300
RANGES = {"search": (50.0, 525.0), "social": (50.0, 300.0)}
TOTAL = 700.0  # last month spent 350 + 200 = 550


@pytest.fixture
def period(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "spend.csv", SPEND), kind="marketing_spend")
    overview = service.overview(workspace)
    return service.plan_period(overview, 1)


def _within(best, ranges):
    return all(ranges[c][0] - 1e-6 <= v <= ranges[c][1] + 1e-6 for c, v in best.allocation.items())


def test_the_curves_are_what_the_sheet_says(period):
    assert period.curves["search"].r2 > 0.99 and period.curves["social"].r2 < service.POOR_FIT_R2
    assert service.poor_fits(period) == ("social",)
    assert period.current == {"search": 350.0, "social": 200.0}


def test_by_default_the_proposal_stays_in_range_and_the_poor_fit_is_held(period):
    best = service.optimise(period, {}, TOTAL)
    # social held at last month's 200, so search takes the other 500: inside its 50-525
    assert best.allocation == pytest.approx({"search": 500.0, "social": 200.0})
    assert _within(best, RANGES)
    table = best.table.set_index("channel")
    assert table.loc["search", ["history_low", "history_high"]].tolist() == pytest.approx([50, 525])
    assert table["held"].to_dict() == {"search": False, "social": True}
    assert table["is_poor_fit"].to_dict() == {"search": False, "social": True}
    # 500 is beyond the 100-350 search ever spent: the curve extrapolates there
    assert table["is_outside_history"].to_dict() == {"search": True, "social": False}


def test_freeing_the_poor_fit_keeps_the_range(period):
    best = service.optimise(period, {}, TOTAL, rails=service.Guardrails(held=()))
    # search pays far more at the margin, so it takes its ceiling 525 and social the remaining 175
    assert best.allocation == pytest.approx({"search": 525.0, "social": 175.0}, abs=0.01)
    assert _within(best, RANGES)


def test_freeing_everything_restores_the_old_proposal(period):
    free = service.optimise(period, {}, TOTAL, rails=service.FREE)
    assert free.allocation == pytest.approx(allocation.optimise(period.curves, TOTAL), abs=0.01)
    # unguarded, search goes beyond 525 and social below 50: outside the ranges
    assert free.allocation["search"] > 525 and free.allocation["social"] < 50
    assert not _within(free, RANGES)


def test_each_move_carries_its_cautions_and_the_band(period):
    best = service.optimise(period, {}, TOTAL)
    # today's shares of 700: search 350/550 x 700 = 445.45, social 254.55; social is held at 200
    (suggestion,) = best.suggestions
    move = suggestion.move
    assert (move.from_channel, move.to_channel) == ("social", "search")
    assert move.amount == pytest.approx(700 * 200 / 550 - 200)
    assert [(c.channel, c.kind) for c in suggestion.cautions] == [("social", "poor_fit"), ("search", "outside_history")]
    assert suggestion.cautions[1].message.text() == (
        "search: 500 is beyond the spend its history has seen (100 – 350); its prediction is an extrapolation.")
    # R² is a hair below zero here (-1e-9): shown as 0.00, never -0.00
    assert suggestion.cautions[0].message.text("zh") == "social：它的曲线几乎解释不了收入（R² 0.00），这一预测很粗略。"
    low, high = period.curves["search"].band(500.0)
    assert (suggestion.target_low, suggestion.target_high) == pytest.approx((low, high))
    assert suggestion.target_low < suggestion.target_revenue < suggestion.target_high


def test_factors_are_adjustable(period):
    # search 0.6 x 100 = 60 to 1.2 x 350 = 420, social (freed) 0.6 x 100 = 60 to 1.2 x 200 = 240:
    # together 120 to 660, so 700 cannot be split and the message says why; 600 can, search at its 420
    rails = service.Guardrails(low_factor=0.6, high_factor=1.2, held=())
    with pytest.raises(allocation.BudgetError, match="can take 120 to 660 in total, not 700"):
        service.optimise(period, {}, TOTAL, rails=rails)
    best = service.optimise(period, {}, 600.0, rails=rails)
    assert best.allocation == pytest.approx({"search": 420.0, "social": 180.0}, abs=0.01)


SEARCH = Curve("hill", (6_000.0, 800.0, 1.2), 0.9, 12, 100.0, 300.0, 10.0)
SOCIAL = Curve("hill", (2_000.0, 500.0, 2.0), 0.1, 12, 100.0, 200.0, 10.0)
CURVES = {"search": SEARCH, "social": SOCIAL}
CURRENT = {"search": 300.0, "social": 150.0}


def test_owner_limits_intersect_the_history_range():
    limits = guardrails.channel_limits(CURVES, CURRENT, {"search": (20.0, 400.0)}, guardrails.Guardrails(held=()))
    # search: max(20, 50) to min(400, 450); social: its range 50 to 300
    assert limits.set_index("channel")[["low", "high"]].to_dict("index") == {
        "search": {"low": 50.0, "high": 400.0}, "social": {"low": 50.0, "high": 300.0}}


def test_an_empty_intersection_is_said_plainly():
    with pytest.raises(allocation.BudgetError) as raised:
        guardrails.channel_limits(CURVES, CURRENT, {"search": (500.0, 600.0)}, guardrails.Guardrails())
    assert str(raised.value) == ("search: your limits (500 – 600) leave no room within the range its history supports "
                                 "(50 – 450). Widen the limits or free the range.")
    with pytest.raises(allocation.BudgetError, match="social is held at its current spend 150, outside your limits"):
        guardrails.channel_limits(CURVES, CURRENT, {"social": (None, 100.0)}, guardrails.Guardrails())
    # freed from the range, the owner's limits alone apply
    limits = guardrails.channel_limits(CURVES, CURRENT, {"search": (500.0, 600.0)}, guardrails.FREE)
    assert limits.set_index("channel").loc["search", ["low", "high"]].tolist() == [500.0, 600.0]


def test_the_owners_own_impossible_minimum_keeps_its_message():
    # search's minimum 400 fits its 50-450 range but not a total of 300: that is the owner's limit, named as such
    rails = guardrails.Guardrails(held=())
    limits = guardrails.channel_limits(CURVES, CURRENT, {"search": (400.0, None)}, rails)
    guardrails.check_total(limits, 300.0, rails)
    with pytest.raises(allocation.BudgetError, match="search: its minimum 400 is above its maximum 300"):
        allocation.optimise(CURVES, 300.0, guardrails.as_bounds(limits))
    with pytest.raises(allocation.BudgetError, match=r"search: your limits \(500 – ∞\) leave no room"):
        guardrails.channel_limits(CURVES, CURRENT, {"search": (500.0, None)}, rails)


def test_cli_reports_the_guardrails_and_can_free_them(tmp_path):
    ws = tmp_path / "cli.duckdb"
    assert run("ingest", "--workspace", ws, write_csv(tmp_path / "spend.csv", SPEND)).returncode == 0
    out = json.loads(run("budget", "--workspace", ws, "--total", TOTAL, "--json").stdout)
    assert out["guardrails"] == {"keep_in_history": True, "history_low_factor": 0.5, "history_high_factor": 1.5,
                                 "held": ["social"]}
    channels = {c["channel"]: c for c in out["channels"]}
    assert {c: (v["history_low"], v["history_high"]) for c, v in channels.items()} == RANGES
    assert {c: (v["held"], v["is_poor_fit"], v["is_outside_history"]) for c, v in channels.items()} == {
        "search": (False, False, True), "social": (True, True, False)}
    assert out["allocation"] == pytest.approx({"search": 500.0, "social": 200.0})
    (move,) = out["moves"]
    assert (move["from"], move["to"]) == ("social", "search")
    assert [(w["channel"], w["kind"]) for w in move["warnings"]] == [("social", "poor_fit"), ("search", "outside_history")]
    assert move["to_predicted_revenue_low"] < move["to_predicted_revenue"] < move["to_predicted_revenue_high"]
    free = json.loads(run("budget", "--workspace", ws, "--total", TOTAL, "--free-range", "--free", "social", "--json").stdout)
    assert free["guardrails"]["held"] == [] and not free["guardrails"]["keep_in_history"]
    assert free["allocation"]["search"] > 525 and free["allocation"]["social"] < 50
    refused = run("budget", "--workspace", ws, "--total", 2_000)
    # search 50 to 525, social held at 200: together 250 to 725
    assert refused.returncode == 2 and "can take 250 to 725 in total, not 2,000" in refused.stderr
    assert run("budget", "--workspace", ws, "--total", TOTAL, "--free", "tv").returncode == 2


def test_a_test_channels_cap_wins_over_its_history_floor(period):
    # social as a test channel may take 10% of 400 = 40, below its history floor 50: the cap wins, search takes 360
    best = service.optimise(period, {"search": "search", "social": "testing"}, 400.0, rails=service.Guardrails(held=()))
    assert best.allocation == pytest.approx({"search": 360.0, "social": 40.0}, abs=0.01)
    # the owner's own minimum still wins over nothing: 60 for a test channel capped at 40 cannot be met
    with pytest.raises(allocation.BudgetError, match="social: its minimum 60 is above its maximum 40"):
        service.optimise(period, {"search": "search", "social": "testing"}, 400.0, {"social": (60.0, None)},
                         rails=service.Guardrails(held=()))
