"""Traffic anomalies on series with weekly seasonality and injected drops."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from core.data import ingest
from core.diagnosis import traffic
from tests.conftest import write_csv

START = date(2024, 1, 1)  # a Monday
WEEKLY = [1.0, 0.95, 0.95, 1.0, 1.1, 1.5, 1.6]  # weekends 50-60% above weekdays


def seasonal_traffic(days: int, drops: dict[tuple[str, int], float], seed: int = 7, noise: float = 0.04,
                     bounce_days: dict[int, float] | None = None) -> str:
    rng = np.random.default_rng(seed)
    lines = ["date,channel,uv,bounce_rate"]
    for day in range(days):
        for channel, level in (("search", 1000), ("social", 400)):
            uv = level * WEEKLY[day % 7] * (1 + rng.normal(0, noise)) * drops.get((channel, day), 1.0)
            bounce = (bounce_days or {}).get(day, 0.5)
            lines.append(f"{START + timedelta(days=day)},{channel},{round(uv)},{bounce}")
    return "\n".join(lines)


def test_weekly_seasonality_raises_no_alarm(workspace, tmp_path):
    # a plain trailing 14-day median would flag every Monday after a busy weekend; weekday baselines do not
    ingest.load(workspace, write_csv(tmp_path / "t.csv", seasonal_traffic(120, {})))
    assert traffic.anomalies(workspace).empty


def test_injected_drops_are_found_with_few_false_alarms(workspace, tmp_path):
    drops = {("search", 60): 0.7, ("search", 61): 0.65, ("social", 90): 0.75, ("social", 100): 0.5}
    ingest.load(workspace, write_csv(tmp_path / "t.csv", seasonal_traffic(120, drops, noise=0.06)))
    found = traffic.anomalies(workspace)
    flagged = {(row.channel, (row.date.date() - START).days) for row in found.itertuples()}
    assert set(drops) <= flagged
    assert len(flagged - set(drops)) <= 2  # 240 channel-days of 6% noise
    row = found[(found["channel"] == "social") & (found["date"].dt.date == START + timedelta(days=100))].iloc[0]
    assert row["metric"] == "uv_drop" and row["value"] / row["baseline"] == pytest.approx(0.5, abs=0.1)


def test_a_drop_just_under_20_percent_is_not_flagged(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "t.csv", seasonal_traffic(60, {("search", 50): 0.85}, noise=0.0)))
    assert traffic.anomalies(workspace).empty
    ingest.load(workspace, write_csv(tmp_path / "t.csv", seasonal_traffic(60, {("search", 50): 0.8}, noise=0.0)), mode="replace")
    assert traffic.anomalies(workspace)[["channel", "metric"]].values.tolist() == [["search", "uv_drop"]]


def test_high_bounce_days_are_flagged_above_70_percent(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "t.csv", seasonal_traffic(30, {}, noise=0.0, bounce_days={10: 0.70, 11: 0.71})))
    found = traffic.anomalies(workspace)
    # day 11: every channel at 71%, so the day and each of its channels; day 10 at 70% exactly is not above
    assert found["date"].dt.date.tolist() == [START + timedelta(days=11)] * 3
    assert found[["channel", "metric"]].values.tolist() == [
        ["all", "high_bounce"], ["search", "high_bounce_channel"], ["social", "high_bounce_channel"]]
    assert found["value"].tolist() == pytest.approx([0.71] * 3)


def test_a_bouncing_channel_inside_a_normal_day_is_flagged(workspace, tmp_path):
    # May 2: search 1000 UV at 40%, social 200 UV at 78%: the day is (400 + 156) / 1200 = 46.3%, under the
    # line, but social is above it. May 1: both channels at 50%, nothing. Exactly 70% is not above.
    ingest.load(workspace, write_csv(tmp_path / "t.csv", """
        date,channel,uv,bounce_rate
        2024-05-01,search,1000,0.5
        2024-05-01,social,200,0.5
        2024-05-02,search,1000,0.4
        2024-05-02,social,200,0.78
        2024-05-03,search,1000,0.4
        2024-05-03,social,200,0.70
    """))
    found = traffic.anomalies(workspace)
    assert found[["channel", "metric"]].values.tolist() == [["social", "high_bounce_channel"]]
    assert found["date"].dt.date.tolist() == [date(2024, 5, 2)]
    assert (found["value"].iloc[0], found["baseline"].iloc[0]) == pytest.approx((0.78, 0.70))
    assert found["change"].iloc[0] == pytest.approx(0.08)
    assert traffic.anomalies(workspace, date(2024, 5, 3), None).empty  # the period limits it too


def test_channel_summary_shares_and_weighted_rates(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "t.csv", """
        date,channel,uv,bounce_rate,add_to_cart_rate
        2024-05-01,a,300,0.5,0.1
        2024-05-02,a,100,0.9,0.2
        2024-05-01,b,100,0.2,0.3
    """))
    summary = traffic.channel_summary(workspace).set_index("channel")
    assert summary.loc["a", "share_of_uv"] == pytest.approx(0.8)
    assert summary.loc["a", "bounce_rate"] == pytest.approx((300 * 0.5 + 100 * 0.9) / 400)
    assert summary.loc["b", "add_to_cart_rate"] == pytest.approx(0.3)
