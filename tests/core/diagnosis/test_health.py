"""The health scorecard: the playbook's example, the cut-offs at their edges, missing metrics."""

from __future__ import annotations

from datetime import date

import pytest

from core.data import ingest
from core.diagnosis import health
from core.diagnosis.health import Evidence, build_scorecard, score
from core.platform.i18n import catalog
from tests.conftest import write_csv

PLAYBOOK_ORDER = ["first_screen_load_seconds", "server_error_rate", "sku_sell_through", "inventory_turnover",
                  "bounce_rate", "service_first_response_seconds", "return_rate"]


def value_scoring(metric: str, points: int) -> float:
    """A value that lands exactly on the cut-off for `points` (or just past the last for 1)."""
    bands = health.BY_KEY[metric].bands
    if points > 1:
        return bands[5 - points]
    return bands[-1] * (1.5 if health.BY_KEY[metric].lower_is_better else 0.5)


def test_the_playbook_example_scores_2_85():
    # scores 3, 4, 2, 3, 2, 4, 3 with weights 15, 10, 20, 15, 15, 10, 15 %
    evidence = {m: Evidence(value_scoring(m, s), "x") for m, s in zip(PLAYBOOK_ORDER, [3, 4, 2, 3, 2, 4, 3])}
    card = build_scorecard(evidence)
    assert [r.score for r in card.rows] == [3, 4, 2, 3, 2, 4, 3]
    assert card.total == pytest.approx(2.85)


def test_default_weights_sum_to_one():
    assert sum(health.DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.35, 5), (0.3501, 4), (0.45, 4), (0.55, 3), (0.5501, 2), (0.65, 2), (0.6501, 1), (0.0, 5)],
)
def test_bounce_rate_cut_offs_at_their_edges(value, expected):
    # lower is better: at the cut-off still earns the better score; 65% scores 2 as in the playbook
    assert score(value, health.BY_KEY["bounce_rate"].bands, lower_is_better=True) == expected


@pytest.mark.parametrize(("value", "expected"), [(0.90, 5), (0.8999, 4), (0.80, 4), (0.70, 3), (0.50, 2), (0.4999, 1)])
def test_sell_through_cut_offs_at_their_edges(value, expected):
    assert score(value, health.BY_KEY["sku_sell_through"].bands, lower_is_better=False) == expected


def test_a_missing_metric_is_left_out_and_weights_renormalised():
    # only bounce (15%) and returns (15%) known: each counts 50% among the scored, but they cover 30% of
    # the weight, below the 50% floor, so there is no total
    card = build_scorecard({"bounce_rate": Evidence(0.60, "x"), "return_rate": Evidence(0.01, "x")})
    known = {r.metric: r for r in card.rows if r.score is not None}
    assert set(known) == {"bounce_rate", "return_rate"}
    assert known["bounce_rate"].effective_weight == pytest.approx(0.5)
    assert card.coverage == pytest.approx(0.30) and card.total is None
    missing = next(r for r in card.rows if r.metric == "server_error_rate")
    assert missing.score is None and missing.evidence.detail == "health.evidence.missing"


def test_at_half_the_weight_the_total_is_given_renormalised():
    # bounce 60% scores 2, returns 1% scores 5, sell-through 90% scores 5; weights 15 + 15 + 20 = 50% of the
    # weight, right at the floor: (2 x 15 + 5 x 15 + 5 x 20) / 50 = 205 / 50 = 4.1
    card = build_scorecard({"bounce_rate": Evidence(0.60, "x"), "return_rate": Evidence(0.01, "x"),
                            "sku_sell_through": Evidence(0.90, "x")})
    assert card.coverage == pytest.approx(0.50) and health.COVERAGE_FLOOR == 0.5
    assert card.total == pytest.approx(4.1)
    assert [r.metric for r in card.scored] == ["sku_sell_through", "bounce_rate", "return_rate"]


def test_returns_alone_cover_15_percent_of_the_weight_and_give_no_total():
    # what an orders-only shop can score: the return rate, weight 15 of 100
    card = build_scorecard({"return_rate": Evidence(0.01, "x")})
    assert card.coverage == pytest.approx(0.15) and card.total is None
    assert (len(card.scored), len(card.weighed)) == (1, 7)
    assert card.dimension_scores() == {"technical": None, "product": None, "experience": None, "operations": 5}
    # what would complete it, in the order the metrics come
    assert card.to_complete() == (
        ("inputs", ("first_screen_load_seconds", "server_error_rate", "service_first_response_seconds")),
        ("inventory", ("sku_sell_through", "inventory_turnover")),
        ("traffic_daily", ("bounce_rate",)),
    )


def test_coverage_is_out_of_the_weights_as_given():
    # returns weigh 3, bounce 1, every other metric 0 (left out of the scorecard): returns alone cover 3 / 4
    weights = dict.fromkeys(health.DEFAULT_WEIGHTS, 0.0) | {"return_rate": 3.0, "bounce_rate": 1.0}
    card = build_scorecard({"return_rate": Evidence(0.01, "x")}, weights)
    assert card.coverage == pytest.approx(0.75) and card.total == 5
    assert (len(card.scored), len(card.weighed)) == (1, 2)
    assert card.to_complete() == (("traffic_daily", ("bounce_rate",)),)


def test_no_data_at_all_gives_no_total():
    card = build_scorecard({})
    assert card.total is None and card.coverage == 0 and card.scored == ()


def test_every_way_to_complete_the_scorecard_is_worded_in_both_languages():
    for lang in ("en", "zh"):
        keys = set(catalog(lang))
        assert {f"health.complete.{data}" for data in health.DATA_NEEDED.values()} <= keys
    assert set(health.DATA_NEEDED) == set(health.BY_KEY)


def test_problems_are_below_3_and_p0_first():
    evidence = {m: Evidence(value_scoring(m, s), "x") for m, s in zip(PLAYBOOK_ORDER, [3, 4, 2, 3, 1, 4, 2])}
    found = health.problems(build_scorecard(evidence))
    assert [(p.priority, p.metric) for p in found] == [("P0", "bounce_rate"), ("P1", "return_rate"), ("P2", "sku_sell_through")]
    assert found[0].action == "health.action.bounce_rate"


def test_presets_set_their_dimension_share_and_keep_the_total():
    new = health.preset_weights("new_platform")
    assert new["first_screen_load_seconds"] + new["server_error_rate"] == pytest.approx(0.30)
    assert new["first_screen_load_seconds"] / new["server_error_rate"] == pytest.approx(1.5)
    mature = health.preset_weights("mature_platform")
    assert mature["sku_sell_through"] + mature["inventory_turnover"] == pytest.approx(0.25)
    assert sum(new.values()) == pytest.approx(1) and sum(mature.values()) == pytest.approx(1)


def test_measured_metrics_from_a_tiny_shop(workspace, tmp_path):
    # 4 orders in May, one refunded; SKU s3 in stock but unsold; 10 days of traffic at 50% bounce
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,refunded_amount,sku,quantity,unit_price
        A1,c1,2024-05-01,100,0,s1,1,100
        A2,c2,2024-05-02,100,100,s1,1,100
        A3,c3,2024-05-03,50,0,s2,1,50
        A4,c1,2024-05-04,50,0,s2,1,50
    """))
    ingest.load(workspace, write_csv(tmp_path / "inventory.csv", """
        sku,stock_on_hand,unit_cost
        s1,10,40
        s2,10,20
        s3,5,10
    """))
    ingest.load(workspace, write_csv(tmp_path / "traffic.csv", "date,uv,bounce_rate\n" + "\n".join(
        f"2024-05-{d:02d},100,{0.4 if d % 2 else 0.6}" for d in range(1, 11))))
    evidence = health.measured_evidence(workspace, date(2024, 5, 1), date(2024, 5, 31))
    assert evidence["return_rate"].value == pytest.approx(1 / 4)
    assert evidence["sku_sell_through"].value == pytest.approx(2 / 3)
    assert evidence["bounce_rate"].value == pytest.approx(0.5)
    # COGS 2x40 + 2x20 = 120 over the 31 days since the first order, a year: 120 x 365 / 31;
    # inventory value 10x40 + 10x20 + 5x10 = 650
    assert evidence["inventory_turnover"].value == pytest.approx(120 * 365 / 31 / 650)


def test_hand_entered_inputs_are_saved_and_scored(workspace):
    health.save_inputs(workspace, {"first_screen_load_seconds": 2.5, "server_error_rate": None}, "2024-05")
    card = health.scorecard(workspace, date(2024, 5, 1), date(2024, 5, 31))
    row = next(r for r in card.rows if r.metric == "first_screen_load_seconds")
    assert (row.value, row.score, row.evidence.params) == (2.5, 4, {"period": "2024-05"})
    # the load time alone is 15% of the weight: scored, but no total
    assert [r.metric for r in card.scored] == ["first_screen_load_seconds"]
    assert card.coverage == pytest.approx(0.15) and card.total is None


def test_without_inventory_sell_through_and_turnover_are_not_scored(workspace, tmp_path):
    # orders name SKUs s1 and s2, but there is no inventory file: nothing says what is in stock
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,refunded_amount,sku,quantity,unit_price
        A1,c1,2024-05-01,100,0,s1,1,100
        A2,c2,2024-05-02,50,50,s2,1,50
    """))
    evidence = health.measured_evidence(workspace, date(2024, 5, 1), date(2024, 5, 31))
    assert set(evidence) == {"return_rate"} and evidence["return_rate"].value == pytest.approx(1 / 2)
    card = health.scorecard(workspace, date(2024, 5, 1), date(2024, 5, 31))
    unscored = {r.metric for r in card.rows if r.score is None}
    assert {"sku_sell_through", "inventory_turnover"} <= unscored
    # 1 of 2 orders refunded (50%, above 12%: score 1), 15% of the weight: no total
    assert [(r.metric, r.score) for r in card.scored] == [("return_rate", 1)]
    assert card.coverage == pytest.approx(0.15) and card.total is None


def test_sell_through_counts_the_skus_in_the_inventory_file(workspace, tmp_path):
    # inventory holds s1 and s2; s1 sold in May, s2 did not; s9 sold but is not in the file: 1 of 2
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,sku,quantity,unit_price
        A1,c1,2024-05-01,100,s1,1,100
        A2,c2,2024-05-02,50,s9,1,50
    """))
    ingest.load(workspace, write_csv(tmp_path / "inventory.csv", "sku,stock_on_hand,unit_cost\ns1,10,40\ns2,10,20\n"))
    evidence = health.measured_evidence(workspace, date(2024, 5, 1), date(2024, 5, 31))
    assert evidence["sku_sell_through"].value == pytest.approx(1 / 2)
    assert evidence["sku_sell_through"].params["skus"] == 2


def test_typed_in_inputs_are_those_of_the_cards_period(workspace):
    # load time 2.5 s for March 2024, 4.0 s for May, 1.0 s for July; error rate 0.3% for April only;
    # first response 20 s entered without a period
    health.save_inputs(workspace, {"first_screen_load_seconds": 2.5}, "2024-03")
    health.save_inputs(workspace, {"first_screen_load_seconds": 4.0}, "2024-05")
    health.save_inputs(workspace, {"first_screen_load_seconds": 1.0}, "2024-07")
    health.save_inputs(workspace, {"server_error_rate": 0.003}, "2024-04")
    health.save_inputs(workspace, {"service_first_response_seconds": 20.0}, "")

    def used(end):
        card = health.scorecard(workspace, date(end.year, end.month, 1), end)
        return {r.metric: (r.value, r.score, r.evidence.detail, r.evidence.params) for r in card.rows if r.value is not None}

    # a May card: May's load time (4.0 s, score 2), not July's 1.0 s; April's error rate, said to be April's
    may = used(date(2024, 5, 31))
    assert may["first_screen_load_seconds"] == (4.0, 2, "health.evidence.input", {"period": "2024-05"})
    assert may["server_error_rate"] == (
        0.003, 4, "health.evidence.input_earlier", {"period": "2024-04", "card_period": "2024-05"})
    assert may["service_first_response_seconds"] == (20.0, 4, "health.evidence.input_undated", {"card_period": "2024-05"})
    # an April card: March's load time (2.5 s, score 4), the latest at or before April; April's own error rate
    april = used(date(2024, 4, 30))
    assert april["first_screen_load_seconds"][:3] == (2.5, 4, "health.evidence.input_earlier")
    assert april["server_error_rate"][2:] == ("health.evidence.input", {"period": "2024-04"})
    # a February card: no typed-in value at or before it but the undated one
    assert set(used(date(2024, 2, 29))) == {"service_first_response_seconds"}
    # a July card: July's 1.0 s, score 5
    assert used(date(2024, 7, 31))["first_screen_load_seconds"][:2] == (1.0, 5)


def test_an_uploaded_period_is_read_as_its_month():
    assert [health.month_of(p) for p in ("2024-05", "2024-05-17", "2024/5", "2024年5月", "202405", "", None, "Q2", "2024-13")] == [
        "2024-05", "2024-05", "2024-05", "2024-05", "2024-05", None, None, None, None]


def test_every_input_evidence_is_worded_in_both_languages():
    for lang in ("en", "zh"):
        words = catalog(lang)
        assert {health.EVIDENCE_INPUT, "health.evidence.input_earlier", "health.evidence.input_undated"} <= set(words)
