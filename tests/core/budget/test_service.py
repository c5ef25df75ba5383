"""The Budget page's service: the overview of a tiny shop, the what-if, the optimiser, targets, roles and
the matrix, each a frozen result with figures checked by hand."""

from __future__ import annotations

import dataclasses

import pytest

from core.budget import allocation, service
from core.budget.response_curves import Curve
from core.customers import service as customers
from core.data import ingest
from core.platform.errors import WorkspaceReadOnly
from core.platform.i18n import Message
from core.platform.services import settings_keys
from core.platform.transactions import transaction
from tests.conftest import write_csv
from tests.core.budget.test_analysis_matrix import MATRIX_ORDERS

# search: ROI 3, 2, 2; social: ROI 0.5, 0.8, 0.9 (below 1 three months running: a drop candidate)
SPEND = """
    month,channel,spend,attributed_revenue,clicks,orders
    2024-01,search,100,300,50,5
    2024-02,search,100,200,40,4
    2024-03,search,200,400,80,8
    2024-01,social,100,50,10,1
    2024-02,social,100,80,10,1
    2024-03,social,100,90,10,1
"""

# Hill curves at their knee predict half their top: search 30,000 at 8,000, feed 20,000 at 5,000
SEARCH = Curve("hill", (60_000.0, 8_000.0, 1.2), 1, 10, 1_000, 30_000, 1000)
FEED = Curve("hill", (40_000.0, 5_000.0, 2.0), 1, 10, 1_000, 30_000, 1000)
PERIOD = service.Period(months_ahead=1, curves={"search": SEARCH, "feed": FEED}, current={"search": 8_000.0, "feed": 5_000.0},
                        current_total=13_000.0, revenue_per_order={"search": 50.0, "feed": float("nan")})
ROLES = {"search": "search", "feed": "feed"}


@pytest.fixture
def shop(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "spend.csv", SPEND), kind="marketing_spend")
    return workspace


def test_overview_of_a_tiny_shop(shop):
    overview = service.overview(shop)
    assert overview.roi_by_month.loc["search"].tolist() == pytest.approx([3.0, 2.0, 2.0])
    assert overview.roi_by_month.loc["social"].tolist() == pytest.approx([0.5, 0.8, 0.9])
    assert list(overview.roi_by_month.columns) == ["2024-01", "2024-02", "2024-03"]
    assert overview.losing_money.loc["social"].all() and not overview.losing_money.loc["search"].any()
    assert overview.drop_candidates == ("social",) and overview.latest_month == "2024-03"
    latest = overview.latest.set_index("channel")
    assert latest.loc["search", ["spend", "roi", "cpc", "cpa", "conversion_rate"]].tolist() == pytest.approx(
        [200, 2.0, 2.5, 25.0, 0.1])  # 200 / 80 clicks, 200 / 8 orders, 8 / 80
    assert latest["action"].to_dict() == {"search": "budget.action.keep_or_grow", "social": "budget.action.drop"}
    assert not overview.has_shop_figures  # no traffic report, no order export
    assert overview.current == {"search": 200.0, "social": 100.0}
    assert overview.revenue_per_order["search"] == pytest.approx(900 / 17)  # last 3 months: 300+200+400 over 5+4+8
    assert overview.roi_last_3["social"] == pytest.approx(220 / 300)
    assert overview.channels == ["search", "social"] and len(overview.curve_points["search"]) == 3
    assert overview.saved_roles == {"search": "search", "social": "social"}  # guessed from the names
    with pytest.raises(dataclasses.FrozenInstanceError):
        overview.current = {}


def test_overview_needs_a_spend_sheet(workspace):
    with pytest.raises(Message, match="no marketing spend"):
        service.overview(workspace)


def test_roles_are_a_setting_of_the_overview(shop):
    assert settings_keys(service.overview) == ("budget.roles",)
    data_version, settings_version = shop.data_version, shop.settings_version(("budget.roles",))
    service.save_roles(shop, {"search": "search", "social": "testing"})
    assert service.overview(shop).saved_roles == {"search": "search", "social": "testing"}
    assert shop.settings_version(("budget.roles",)) > settings_version and shop.data_version == data_version
    with pytest.raises(ValueError):
        service.save_roles(shop, {"social": "newsletter"})
    with transaction(shop) as cur:
        shop.set_meta(cur, "is_demo", "true")
    with pytest.raises(WorkspaceReadOnly):
        service.save_roles(shop, {"social": "other"})
    assert service.overview(shop).saved_roles["social"] == "testing"


def test_a_quarter_is_three_months_of_the_same_split(shop):
    overview = service.overview(shop)
    quarter = service.plan_period(overview, 3)
    assert quarter.current == {"search": 600.0, "social": 300.0} and quarter.current_total == 900.0
    assert quarter.curves["search"].predict(600.0) == pytest.approx(3 * overview.curves["search"].predict(200.0))


def test_playbook_split_by_role():
    # search 40 and feed 30 share the whole: 4/7 and 3/7 of 7,000
    playbook = service.playbook(PERIOD, ROLES, 7_000.0)
    assert playbook.shares == pytest.approx({"search": 4 / 7, "feed": 3 / 7})
    assert playbook.amounts == pytest.approx({"search": 4_000.0, "feed": 3_000.0})


def test_what_if_holding_the_total_scales_the_sliders():
    # 16,000 and 10,000 held to 13,000: halved, back to today's split, so nothing changes
    result = service.what_if(PERIOD, ROLES, {"search": 16_000.0, "feed": 10_000.0}, 13_000.0, hold=True, base=2_000.0)
    assert result.is_scaled and result.proposed == pytest.approx({"search": 8_000.0, "feed": 5_000.0})
    assert result.revenue_now == pytest.approx(50_000) and result.revenue_change == pytest.approx(0, abs=1e-6)
    assert result.roi_now == pytest.approx(50_000 / 13_000) and result.roi_change == pytest.approx(0, abs=1e-9)
    assert (result.base, result.campaign, result.period_total) == pytest.approx((2_000, 13_000, 15_000))


def test_what_if_without_holding_predicts_revenue_roi_and_orders():
    result = service.what_if(PERIOD, ROLES, {"search": 8_000.0, "feed": 0.0}, 13_000.0, hold=False)
    assert not result.is_scaled and result.campaign == 8_000
    # feed at 0 brings nothing: 30,000 from search alone, ROI 30,000 / 8,000
    assert result.revenue_new == pytest.approx(30_000) and result.revenue_change == pytest.approx(-20_000)
    assert result.roi_new == pytest.approx(3.75) and result.roi_change == pytest.approx(3.75 - 50_000 / 13_000)
    # orders only where revenue per order is known: search's 30,000 / 50 both times
    assert (result.orders_now, result.orders_new, result.orders_change) == pytest.approx((600, 600, 0))
    assert result.orders_partial
    # feed's 0 lies below the 1,000 it has ever spent
    assert result.table.set_index("channel")["is_outside_history"].to_dict() == {"search": False, "feed": True}
    assert result.table.set_index("channel").loc["feed", ["history_low", "history_high"]].tolist() == [1_000, 30_000]


def test_what_if_without_any_revenue_per_order_has_no_orders():
    period = dataclasses.replace(PERIOD, revenue_per_order={})
    result = service.what_if(period, ROLES, dict(PERIOD.current), 13_000.0)
    assert result.orders_new is None and result.orders_change is None and result.orders_partial


def test_what_if_flags_a_test_channel_over_its_cap():
    result = service.what_if(PERIOD, {"search": "search", "feed": "testing"}, dict(PERIOD.current), 13_000.0)
    # feed's 5,000 is 38% of 13,000, over the 10% cap
    assert result.table.set_index("channel")["is_over_test_cap"].to_dict() == {"search": False, "feed": True}


def test_optimise_against_todays_shares_of_the_same_total():
    best = service.optimise(PERIOD, ROLES, 13_000.0)
    assert sum(best.allocation.values()) == pytest.approx(13_000)
    assert best.revenue_today == pytest.approx(50_000)  # today's shares of today's total: today's split
    assert best.revenue >= 50_000 and best.revenue_gain == pytest.approx(best.revenue - 50_000)
    assert sum(move.revenue_gain for move in best.moves) == pytest.approx(best.revenue_gain, rel=1e-3)
    assert best.revenue_target == round(best.revenue * 1.1)
    table = best.table.set_index("channel")
    assert table.loc["search", "revenue_new"] == pytest.approx(SEARCH.predict(best.allocation["search"]))
    assert table.loc["feed", "marginal_roi"] == pytest.approx(FEED.marginal(best.allocation["feed"]))


def test_optimise_keeps_the_test_cap_and_limits():
    best = service.optimise(PERIOD, {"search": "testing", "feed": "feed"}, 13_000.0)
    assert best.allocation["search"] <= 1_300 + 1e-6  # 10% of 13,000
    bounds = service.limits_from(service.blank_limits(["search", "feed"]).assign(maximum=[2_000.0, float("nan")]))
    assert bounds == {"search": (None, 2_000.0), "feed": (None, None)}
    assert service.optimise(PERIOD, ROLES, 13_000.0, bounds).allocation["search"] == pytest.approx(2_000)
    with pytest.raises(allocation.BudgetError):
        service.optimise(PERIOD, ROLES, 13_000.0, {"search": (20_000.0, None)})


def test_targets_within_limits_are_met_or_not_reachable():
    bounds = {"search": (None, 8_000.0), "feed": (None, 5_000.0)}
    # at most 8,000 + 5,000: the most revenue is today's 50,000
    assert service.budget_for_revenue(PERIOD, ROLES, 60_000.0, bounds) is None
    plan = service.budget_for_revenue(PERIOD, ROLES, 49_000.0, bounds)
    assert plan.revenue >= 49_000 and plan.total <= 13_000 + 1e-6
    plan = service.budget_for_roi(PERIOD, ROLES, 3.0, bounds)
    assert plan.roi >= 3.0 and plan.total <= 13_000 + 1e-6
    assert service.budget_for_roi(PERIOD, ROLES, 1e6, bounds) is None


def test_matrix_names_each_tier_by_its_catalog_key(workspace, tmp_path):
    # the split by tier reads the customers' tier settings, whatever they are, the tier lines among them
    assert settings_keys(service.matrix) == settings_keys(customers.tiers_at) and "tiers.thresholds" in settings_keys(service.matrix)
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", MATRIX_ORDERS), kind="orders")
    plain = service.matrix(workspace, days=10)
    assert "tier_key" not in plain.columns and len(plain) == 2
    tiered = service.matrix(workspace, days=10, by_tier=True)
    keys = dict(zip(tiered["customer_tier"], tiered["tier_key"]))
    assert keys == {"VIP": "rfm.tier.vip", "Normal": "rfm.tier.normal", "New": "budget.tier_new", "Churned": "rfm.tier.churned"}
    assert tiered["gmv"].sum() == pytest.approx(880)  # Bags by search 700, Shoes by feed 180, whatever the tiers


def test_matrix_of_a_shop_without_orders_is_empty(shop):
    assert service.matrix(shop).empty and service.matrix(shop, by_tier=True).empty


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_matrix_file_carries_words_not_keys_and_no_float_noise(workspace, tmp_path, lang):
    from core.platform.i18n import translate

    ingest.load(workspace, write_csv(tmp_path / "orders.csv", MATRIX_ORDERS), kind="orders")
    table = service.matrix_file(service.matrix(workspace, days=10), lang)
    actions = {translate(f"budget.action.{key}", lang) for key in ("invest", "keep", "review", "cut")}
    assert set(table[translate("budget.col.action", lang)]) <= actions
    flat = table.astype(str).to_numpy().ravel().tolist()
    assert not any(v.startswith("budget.") or v in ("nan", "None", "NaT") for v in flat)
    rows = table.set_index(translate("budget.col.category", lang))
    # share of GMV 700 / 880 = 0.795454... to 4 decimals; growth 700 / 350 - 1 = 1; Shoes had nothing before: "–"
    assert rows.loc["Bags", translate("budget.col.share_gmv", lang)] == 0.7955
    assert rows.loc["Bags", translate("budget.col.growth", lang)] == 1.0
    assert rows.loc["Shoes", translate("budget.col.growth", lang)] == "–"


def test_amount_steps_are_round():
    assert service.amount_step(1_523_190.0) == 10_000.0
