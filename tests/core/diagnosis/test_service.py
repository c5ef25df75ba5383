"""The Diagnosis service on a tiny shop: what the page gets, and how the health settings are saved."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from core.data import ingest
from core.diagnosis import health, kpi, service
from core.diagnosis.service import DataRange
from core.platform import settings
from core.platform.errors import WorkspaceReadOnly
from core.platform.i18n import Message
from core.platform.services import settings_keys
from core.platform.transactions import transaction
from core.platform.workspace import Workspace
from tests.conftest import write_csv
from tests.core.diagnosis.tiny_shop import FUNNEL, TRAFFIC

MAY = (date(2024, 5, 1), date(2024, 5, 30))


@pytest.fixture
def tiny_shop(workspace, tmp_path):
    """April: 2 orders, GMV 200, 100 UV. May: 3 orders, GMV 450, 100 UV, none refunded.
    Funnel by device without an 'all' row: May mobile 600 -> 200, desktop 400 -> 300; April mobile 1000 -> 900."""
    ingest.load(workspace, write_csv(tmp_path / "o.csv", """
        order_id,customer_id,order_time,order_total
        A1,c1,2024-04-03,100
        A2,c2,2024-04-20,100
        A3,c3,2024-05-03,150
        A4,c1,2024-05-10,150
        A5,c4,2024-05-30,150
    """))
    ingest.load(workspace, write_csv(tmp_path / "t.csv", TRAFFIC))
    ingest.load(workspace, write_csv(tmp_path / "f.csv", FUNNEL))
    return workspace


def test_the_period_defaults_to_the_last_30_days_of_the_data(tiny_shop):
    span = service.date_range(tiny_shop)
    assert (span.first, span.last) == (date(2024, 4, 1), date(2024, 5, 30))
    assert span.period() == MAY  # 30 days up to the last day: May 1 .. May 30
    assert span.period(days=90) == (date(2024, 4, 1), date(2024, 5, 30))  # never before the first day
    assert span.period(date(2024, 4, 2), date(2024, 4, 9)) == (date(2024, 4, 2), date(2024, 4, 9))
    assert span.period(end=date(2024, 4, 10), days=7) == (date(2024, 4, 4), date(2024, 4, 10))


def test_no_data_has_no_period():
    with pytest.raises(Message) as raised:
        DataRange(None, None).period()
    assert raised.value.key == "error.no_data"


def test_an_orders_only_shop_has_no_uv_conversion_bridge_or_total(workspace, tmp_path):
    """What a real shop's first upload gives: one orders export, in CNY, nothing else."""
    ingest.load(workspace, write_csv(tmp_path / "o.csv", """
        order_id,customer_id,order_time,order_total,currency,sku
        A1,c1,2024-04-03,100,CNY,s1
        A2,c2,2024-05-03,150,CNY,s2
        A3,c1,2024-05-10,150,CNY,s1
    """))
    result = service.diagnose(workspace, *MAY)
    assert result.currency == "CNY"
    found = {c.kpi: c for c in result.changes}
    # May: 2 orders from 2 customers, GMV 300, AOV and revenue per buyer 150; April: 1 order, GMV 100, AOV 100;
    # no visitors measured in either
    assert {k: c.value for k, c in found.items()} == {
        "gmv": 300, "uv": None, "conversion_rate": None, "revenue_per_buyer": 150, "orders": 2, "customers": 2,
        "orders_per_customer": 1, "aov": 150}
    assert {k: c.missing for k, c in found.items()} == {
        **dict.fromkeys(found), "uv": "kpi.missing.traffic", "conversion_rate": "kpi.missing.traffic"}
    assert found["uv"].change is None and found["conversion_rate"].change is None and found["aov"].change == pytest.approx(0.5)
    assert found["revenue_per_buyer"].change == pytest.approx(0.5)
    assert result.gmv_bridge is None and result.bridge_missing == "kpi.bridge_missing.traffic"
    # the returns alone are scored (0 of 2 refunded: 5); SKUs in orders are no inventory: no sell-through
    assert [(r.metric, r.score) for r in result.card.scored] == [("return_rate", 5)]
    assert result.card.coverage == pytest.approx(0.15) and result.card.total is None
    assert [data for data, _ in result.card.to_complete()] == ["inputs", "inventory", "traffic_daily"]


def test_kpi_changes_come_computed(tiny_shop):
    result = service.diagnose(tiny_shop, *MAY)
    changes = {c.kpi: c.change for c in result.changes}
    # every order by its own customer in each period: April c1, c2; May c3, c1, c4.
    # GMV 450 / 200 - 1; orders and customers 3 / 2 - 1; UV 100 / 100 - 1; conversion 3 / 100 - 2 / 100 = 1 pt;
    # revenue per buyer and AOV 150 / 100 - 1; orders per customer 1 / 1 - 1
    assert changes == pytest.approx({"gmv": 1.25, "uv": 0.0, "conversion_rate": 1.0, "revenue_per_buyer": 0.5,
                                     "orders": 0.5, "customers": 0.5, "orders_per_customer": 0.0, "aov": 0.5})
    # the bridge: UV unchanged (0), conversion 100 x 1% x 100 = 100, revenue per buyer 100 x 3% x 50 = 150
    assert dict(result.gmv_bridge) == pytest.approx({"uv": 0, "conversion_rate": 100, "revenue_per_buyer": 150})
    assert (result.before.start, result.before.end) == (date(2024, 4, 1), date(2024, 4, 30))
    assert result.bridge_missing is None and result.currency is None  # the orders name no currency


def test_no_bridge_and_no_change_against_an_empty_period(tiny_shop):
    result = service.diagnose(tiny_shop, date(2024, 4, 1), date(2024, 4, 30))  # before: March, nothing at all
    assert result.gmv_bridge is None
    assert {c.kpi: c.change for c in result.changes} == dict.fromkeys(kpi.KPIS)


def test_the_funnel_for_the_default_and_a_chosen_segment(tiny_shop):
    result = service.diagnose(tiny_shop, *MAY)
    assert result.segments == ("all", "desktop", "mobile")
    # all: 1000 -> 500 loses 50%, a leak; April had mobile only: 1000 -> 900, 10%
    assert result.funnel["entered"].tolist() == [1000, 500] and bool(result.funnel["flagged"].iloc[0])
    assert result.funnel_before["loss_rate_before"].iloc[0] == pytest.approx(0.1)
    assert sorted(result.funnel_split["segment"].unique()) == ["desktop", "mobile"]
    mobile = service.diagnose(tiny_shop, *MAY, segment="mobile")
    assert mobile.funnel["entered"].tolist() == [600, 200]  # loses 400 / 600
    assert mobile.funnel_before["loss_rate"].iloc[0] == pytest.approx(2 / 3)
    unknown = service.diagnose(tiny_shop, *MAY, segment="tablet")
    assert unknown.funnel["entered"].tolist() == [1000, 500]


def test_a_period_without_funnel_data_has_an_empty_funnel(tiny_shop):
    result = service.diagnose(tiny_shop, date(2024, 5, 10), date(2024, 5, 30))
    assert result.funnel.empty and result.funnel_before.empty and result.funnel_split.empty


def test_health_and_traffic_for_the_period(tiny_shop):
    result = service.diagnose(tiny_shop, *MAY)
    scored = {r.metric: r.score for r in result.card.rows if r.score is not None}
    # May: 0 of 3 orders refunded (score 5); bounce 80% (above 65%: score 1); nothing else measured (no
    # inventory: no sell-through); 15% + 15% = 30% of the weight, below the 50% floor: no total
    assert scored == {"return_rate": 5, "bounce_rate": 1}
    assert result.card.coverage == pytest.approx(0.30) and result.card.total is None
    assert result.coverage_floor == 0.5
    assert [p.metric for p in result.problems] == ["bounce_rate"]
    # May 1st, 80% > 70%: the whole day, and seo, its one channel
    assert result.anomalies[["channel", "metric"]].values.tolist() == [["all", "high_bounce"], ["seo", "high_bounce_channel"]]
    assert (result.leak_threshold, result.uv_drop_threshold, result.bounce_threshold) == (0.40, 0.20, 0.70)
    assert result.channels["uv"].tolist() == [100]


def test_the_result_is_frozen(tiny_shop):
    result = service.diagnose(tiny_shop, *MAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.start = date(2024, 1, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.card.rows[0].score = 5


def test_services_name_the_settings_they_read():
    expected = {"health.weights", "health.thresholds"}
    # issue 12: AOV follows the price-outlier choice
    assert set(settings_keys(service.diagnose)) == expected | {"exclude_price_outliers"}
    assert set(settings_keys(service.health_check)) == expected | {"exclude_price_outliers"}
    assert set(settings_keys(service.health_settings)) == expected


def test_the_editor_sees_weights_in_percent_and_typed_in_values(tiny_shop):
    service.save_health_inputs(tiny_shop, {"first_screen_load_seconds": 2.5}, "2024-05")
    shown = service.diagnose(tiny_shop, *MAY).health_settings
    assert shown.input_period == "2024-05"
    assert dict(shown.inputs) == {"first_screen_load_seconds": 2.5, "server_error_rate": None,
                                  "service_first_response_seconds": None}
    weights = {m.metric: m.weight_percent for m in shown.metrics}
    assert weights["sku_sell_through"] == 20.0 and weights["bounce_rate"] == 15.0  # the playbook's 20% and 15%
    assert dict(shown.presets) == {"default": None, "new_platform": 0.30, "mature_platform": 0.25}


def test_the_editor_and_the_card_take_the_inputs_of_the_period_shown(tiny_shop):
    # load time 2.5 s typed in for May, error rate 0.3% for April
    service.save_health_inputs(tiny_shop, {"first_screen_load_seconds": 2.5}, "2024-05")
    service.save_health_inputs(tiny_shop, {"server_error_rate": 0.003}, "2024-04")
    may = service.diagnose(tiny_shop, *MAY)
    assert dict(may.health_settings.inputs) == {"first_screen_load_seconds": 2.5, "server_error_rate": 0.003,
                                                "service_first_response_seconds": None}
    assert may.health_settings.inputs_from == (("server_error_rate", "2024-04"),)  # carried from April, and said so
    assert {r.metric: r.evidence.detail for r in may.card.scored}["server_error_rate"] == "health.evidence.input_earlier"
    # April's card: May's load time is later, so not used; April's error rate is its own
    april = service.diagnose(tiny_shop, date(2024, 4, 1), date(2024, 4, 30))
    assert april.health_settings.input_period == "2024-04" and april.health_settings.inputs_from == ()
    assert dict(april.health_settings.inputs) == {"first_screen_load_seconds": None, "server_error_rate": 0.003,
                                                  "service_first_response_seconds": None}
    assert "first_screen_load_seconds" not in {r.metric for r in april.card.scored}


def test_weights_are_saved_as_fractions_and_an_emptied_cell_keeps_its_value(tiny_shop):
    service.save_health_weights(
        tiny_shop, {"return_rate": 45, "bounce_rate": 15, "server_error_rate": float("nan")},
        {"bounce_rate": [0.35, 0.45, 0.55, 0.85], "return_rate": [0.02, None, 0.08, 0.12]})
    assert settings.get(tiny_shop, "health.weights") == pytest.approx(
        {"return_rate": 0.45, "bounce_rate": 0.15, "server_error_rate": 0.10})  # NaN: the saved (default) 10%
    assert settings.get(tiny_shop, "health.thresholds") == {
        "bounce_rate": [0.35, 0.45, 0.55, 0.85], "return_rate": [0.02, 0.05, 0.08, 0.12]}  # None: the default 0.05
    result = service.diagnose(tiny_shop, *MAY)
    # bounce 80% now scores 2 (at or below 85%); returns weigh 45 / 60 = 75% of the scored, bounce 15 / 60 = 25%;
    # the weights sum to 45 + 15 + 20 + 15 + 15 + 10 + 10 = 130%, so the two cover 60 / 130 = 46%: no total
    scored = {r.metric: (r.score, r.effective_weight) for r in result.card.scored}
    assert scored == {"return_rate": (5, pytest.approx(0.75)), "bounce_rate": (2, pytest.approx(0.25))}
    assert result.card.coverage == pytest.approx(0.4615) and result.card.total is None
    # one more saved weight lifts them over half: returns 65%, so 80 / 150 = 53%, (5 x 65 + 2 x 15) / 80 = 4.4375
    service.save_health_weights(tiny_shop, {"return_rate": 65}, {})
    card = service.diagnose(tiny_shop, *MAY).card
    assert card.coverage == pytest.approx(0.5333) and card.total == pytest.approx(4.4375)


def test_a_preset_replaces_the_weights_only(tiny_shop):
    service.save_health_weights(tiny_shop, {"return_rate": 45}, {"return_rate": [0.01, 0.02, 0.03, 0.04]})
    service.apply_health_preset(tiny_shop, "new_platform")
    assert settings.get(tiny_shop, "health.weights") == health.preset_weights("new_platform")
    assert settings.get(tiny_shop, "health.thresholds") == {"return_rate": [0.01, 0.02, 0.03, 0.04]}


def test_the_demo_refuses_every_health_write(data_dir):
    demo = Workspace(data_dir / "demo_like.duckdb")
    with transaction(demo) as cur:  # marked the way the demo build marks it
        demo.set_meta(cur, "is_demo", "true")
    for write in (lambda: service.save_health_inputs(demo, {"server_error_rate": 0.01}, "2024-05"),
                  lambda: service.save_health_weights(demo, {"return_rate": 50}, {}),
                  lambda: service.apply_health_preset(demo, "default")):
        with pytest.raises(WorkspaceReadOnly):
            write()
    assert settings.get(demo, "health.weights") is None
