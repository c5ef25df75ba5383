"""The lockstep shop (issue 16): twelve channels whose spend and revenue rise together month by month used to
keep the Budget page fitting curves for minutes. Its overview, the optimiser and the CLI now do a counted,
bounded amount of work, and the split they give is the one worked out by hand."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from core.budget import allocation, response_curves, service
from core.data import ingest
from tests.core.budget.test_response_curves import ROI, count_evaluations, lockstep
from tests.core.budget.test_service import FEED, PERIOD, ROLES, SEARCH
from tests.core.test_cli import run

CHANNELS = ["search", "social", "feed", "email", "affiliate", "video", "display", "kol", "marketplace", "retarget",
            "shopping", "app"]  # channel i returns ROI[i]; none is a test channel, so no cap applies
TOTAL = 60_000.0


def spend_sheet(path):
    lines = ["month,channel,spend,attributed_revenue"]
    for i, channel in enumerate(CHANNELS):
        spend, revenue = lockstep(i)
        lines += [f"2024-{m + 1:02d},{channel},{s:.2f},{r:.2f}" for m, (s, r) in enumerate(zip(spend, revenue))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def by_hand(total):
    """The best split of `total` when revenue is ROI x spend: every channel at the guardrails' floor (half its
    lowest month), then the rest poured into the best-returning channels up to their ceiling (1.5x their
    highest month), best first."""
    spends = [lockstep(i)[0] for i in range(len(CHANNELS))]
    split = {c: 0.5 * s.min() for c, s in zip(CHANNELS, spends)}
    left = total - sum(split.values())
    for i in sorted(range(len(CHANNELS)), key=lambda i: -ROI[i]):
        more = min(left, 1.5 * spends[i].max() - split[CHANNELS[i]])
        split[CHANNELS[i]] += more
        left -= more
    return split


@pytest.fixture
def shop(workspace, tmp_path):
    ingest.load(workspace, spend_sheet(tmp_path / "spend.csv"), kind="marketing_spend")
    return workspace


def test_the_overview_fits_every_channel_within_the_work_budget(shop, monkeypatch):
    work = count_evaluations(monkeypatch)
    overview = service.overview(shop)
    assert work[0] <= len(CHANNELS) * response_curves.WORK_BUDGET  # 29,004; the unbounded fits used ~1.5 million
    for i, channel in enumerate(CHANNELS):
        curve, spend = overview.curves[channel], lockstep(i)[0]
        assert curve.predict(spend) == pytest.approx(ROI[i] * spend, rel=1e-4)
        assert not curve.stopped_early and not curve.is_poor_fit


def test_the_optimiser_pours_money_into_the_best_returns_with_bounded_work(shop, monkeypatch):
    period = service.plan_period(service.overview(shop), 1)
    runs = []
    solve = allocation.minimize

    def counted(*args, **kwargs):
        result = solve(*args, **kwargs)
        runs.append(result.nit)
        return result

    monkeypatch.setattr(allocation, "minimize", counted)
    best = service.optimise(period, {}, TOTAL)
    assert len(runs) == 2 and sum(runs) <= 2 * 300  # two starts, each at most 300 SLSQP iterations
    # floors 1,000 + 1,250 + ... + 3,750 = 28,500; the other 31,500 fills app (11,415 - 3,750), shopping,
    # retarget and marketplace to their ceilings (27,660), and the last 3,840 goes to kol
    hand = by_hand(TOTAL)
    assert hand["kol"] == pytest.approx(2_750 + 3_840) and hand["video"] == pytest.approx(2_250)
    assert best.allocation == pytest.approx(hand, abs=TOTAL * 1e-3)
    # the curves bend a little beyond the spend they have seen (1.5x the highest month): within 2%
    assert best.revenue == pytest.approx(sum(ROI[i] * hand[c] for i, c in enumerate(CHANNELS)), rel=0.02)
    ceiling = sum(1.5 * lockstep(i)[0].max() for i in range(len(CHANNELS)))  # edge: the most the guardrails allow
    full = service.optimise(period, {}, ceiling)
    assert full.allocation == pytest.approx({c: 1.5 * lockstep(i)[0].max() for i, c in enumerate(CHANNELS)}, rel=1e-6)


def test_the_cli_answers_the_lockstep_shop_and_says_no_fit_stopped_early(tmp_path):
    path = tmp_path / "cli.duckdb"
    assert run("ingest", "--workspace", path, spend_sheet(tmp_path / "sheet.csv"), "--kind", "marketing_spend").returncode == 0
    out = json.loads(run("budget", "--workspace", path, "--total", TOTAL, "--json").stdout)
    assert [c["fit_stopped_early"] for c in out["channels"]] == [False] * len(CHANNELS)
    assert out["allocation"] == pytest.approx(by_hand(TOTAL), abs=TOTAL * 1e-3)
    # edge: every channel's curve explains its revenue, so none is held at its current spend
    assert out["guardrails"]["held"] == [] and np.isclose(sum(out["allocation"].values()), TOTAL)


def test_a_curve_whose_fit_stopped_early_says_so_beside_its_moves():
    feed = dataclasses.replace(FEED, stopped_early=True)
    period = dataclasses.replace(PERIOD, curves={"search": SEARCH, "feed": feed})
    best = service.optimise(period, ROLES, 13_000.0)
    (suggestion,) = best.suggestions  # search 8,000 and feed 5,000 today: feed's S-curve is worth more spend
    assert (suggestion.move.from_channel, suggestion.move.to_channel) == ("search", "feed")
    assert [(c.channel, c.kind) for c in suggestion.cautions] == [("feed", "stopped_early")]
    assert suggestion.cautions[0].message.text("zh") == (
        "feed：拟合曲线用完了允许的计算量，仍未收敛；这一预测是已找到的最佳结果，请粗略参考。")
    assert best.table.set_index("channel")["stopped_early"].to_dict() == {"search": False, "feed": True}
    assert feed.over(3).stopped_early  # edge: a quarter's curve is the same fit, stretched: still flagged
