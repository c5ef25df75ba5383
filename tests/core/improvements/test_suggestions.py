"""Findings become register entries with the playbook's urgency: each kind by hand, titles in both languages."""

from __future__ import annotations

from core.improvements import suggestions
from core.improvements.metrics import METRICS


def test_a_p0_problem_is_most_urgent_and_moves_a_measured_metric():
    found = suggestions.from_problem("first_screen_load_seconds", "P0", 1, "zh")
    # a slow first screen cannot be measured from uploads; its effect shows in bounce
    assert (found.metric, found.impact, found.urgency, found.source) == ("bounce_rate", 5, 5, "scorecard")
    assert found.title("zh") == "提升首屏加载时间（秒）（得分 1/5，P0）"
    assert suggestions.from_problem("return_rate", "P2", 2).urgency == 2  # edge case: P2 can wait


def test_a_traffic_drop_is_more_urgent_than_a_bounce_spike():
    drop = suggestions.from_anomaly("uv_drop", "feed_ads", "2026-10-12")
    bounce = suggestions.from_anomaly("high_bounce_channel", "social", "2026-10-19")
    assert (drop.metric, drop.detail, drop.urgency) == ("uv", "feed_ads", 5)
    assert (bounce.metric, bounce.urgency) == ("bounce_rate", 4)
    assert drop.title("en") == "Win back the visitors feed_ads lost on 2026-10-12"


def test_funnel_channel_ab_and_customers():
    # edge case: a stage losing exactly half is already "4"
    assert suggestions.from_funnel_stage("payment", 0.5).urgency == 4
    assert suggestions.from_funnel_stage("checkout", 0.42).urgency == 3
    assert suggestions.from_drop_candidate("social", 0.87).title("en") == "Fix or drop social (ROI 0.87)"
    assert suggestions.from_ab_winner("checkout_button_color", "B").title("en") == "Roll out B of checkout_button_color"
    assert suggestions.from_at_risk(1200).title("en") == "Win back the 1,200 customers most at risk of leaving"


def test_every_suggested_metric_is_one_the_register_can_measure():
    made = [suggestions.from_problem(m, "P1", 2) for m in suggestions.SCORECARD_METRICS] + [
        suggestions.from_funnel_stage("s", 0.6), suggestions.from_anomaly("uv_drop", "c", "d"),
        suggestions.from_anomaly("high_bounce", None, "d"), suggestions.from_ab_winner("t", "B"),
        suggestions.from_drop_candidate("c", 0.5), suggestions.from_at_risk(3)]
    assert {s.metric for s in made} - set(METRICS) == set()
