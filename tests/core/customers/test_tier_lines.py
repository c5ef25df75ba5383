"""Which tier lines are in force: money lines scaled to the shop by hand and against numpy/pandas, the presets,
the friendly amounts the texts quote, and shares on a shop in USD with small orders."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from core.customers import rfm, tier_lines
from core.data import ingest, sample
from core.platform import settings
from core.platform.workspace import Workspace
from tests.conftest import write_csv

AS_OF = date(2024, 7, 1)  # the day after the last order (c24's and c25's on 06-30)


def twenty_five_customers(currency: str = "USD") -> str:
    """c01..c25 spend 10, 20, ..., 250 (customer i spends 10 x i); everyone ordered in June 2024.

    c01..c23 one order each on 06-20 (R 11, F 1); c24 four orders of 60 and c25 five of 50, the last on 06-30
    (R 1). Sorted spends x[0..24] = 10..250. Percentiles by linear interpolation (numpy's default), index
    (n - 1) p over the 0-based sorted list:
      92nd: 24 x 0.92 = 22.08 -> x[22] + 0.08 (x[23] - x[22]) = 230 + 0.8 = 230.8  (VIP: the top 8%, c24 and c25)
      70th: 24 x 0.70 = 16.8  -> x[16] + 0.8 (x[17] - x[16])  = 170 + 8   = 178    (Potential: the top 30%)
    """
    rows = ["order_id,customer_id,order_time,order_total,status,currency"]
    rows += [f"o{i:02d},c{i:02d},2024-06-20 10:00,{10 * i},paid,{currency}" for i in range(1, 24)]
    rows += [f"v{k},c24,2024-06-{day} 10:00,60,paid,{currency}" for k, day in enumerate(("01", "10", "20", "30"))]
    rows += [f"w{k},c25,2024-06-{day} 11:00,50,paid,{currency}" for k, day in enumerate(("02", "09", "16", "23", "30"))]
    return "\n".join(rows)


@pytest.fixture
def shop(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", twenty_five_customers()), kind="orders")
    return workspace


def tier_counts(frame: pd.DataFrame) -> dict:
    """Customers per tier, of the tiers someone is in."""
    return dict(Counter(frame["tier"]))


def test_money_lines_scaled_by_hand(shop):
    lines = tier_lines.in_force(shop)
    assert (lines.choice, lines.in_force, lines.has_custom) == ("scaled", "scaled", False)  # nothing saved: scaled
    assert lines.thresholds.vip_min_monetary == pytest.approx(230.8)
    assert lines.thresholds.potential_min_monetary == pytest.approx(178)
    # recency and frequency stay the playbook's
    assert lines.thresholds == rfm.Thresholds(vip_min_monetary=lines.thresholds.vip_min_monetary,
                                              potential_min_monetary=lines.thresholds.potential_min_monetary)
    # VIP: R <= 30, F >= 4, M >= 230.8 -> c24 (240, F 4), c25 (250, F 5): 2 of 25 = 8%, the playbook's share.
    # Potential: M >= 178 -> c18..c23 (180..230): 6. Normal: c01..c17. Churned: nobody (R <= 11).
    assert tier_counts(rfm.customers(shop, AS_OF)) == {"Normal": 17, "Potential": 6, "VIP": 2}
    # the playbook's 2,000 and 500 are out of reach: nobody VIP, and only c24 and c25 Potential (F >= 2)
    assert (lines.spend.vip_reach, lines.spend.potential_reach) == (0, 0)
    assert tier_counts(rfm.customers(shop, AS_OF, thresholds=tier_lines.in_force(shop, "playbook").thresholds)) == {
        "Normal": 23, "Potential": 2}


def test_the_scaled_lines_are_numpy_and_pandas_percentiles_of_customer_spend(workspace, tmp_path):
    rng = np.random.default_rng(11)
    n = 300
    counts = 1 + rng.poisson(1.5, n)
    customers = np.repeat([f"u{i:03d}" for i in range(n)], counts)
    totals = np.round(rng.lognormal(3.4, 0.8, len(customers)), 2)
    days = rng.integers(0, 400, len(customers))
    cancelled = rng.random(len(customers)) < 0.05
    orders = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(len(customers))], "customer_id": customers,
        "order_time": [str(date(2024, 1, 1) + timedelta(days=int(d))) for d in days], "order_total": totals,
        "status": np.where(cancelled, "cancelled", "paid"), "currency": "USD"})
    orders.to_csv(tmp_path / "orders.csv", index=False)
    ingest.load(workspace, tmp_path / "orders.csv", kind="orders")
    spend = orders[orders["status"] == "paid"].groupby("customer_id")["order_total"].sum()
    measured = tier_lines.spend(workspace, 2000, 500)
    assert measured.customers == len(spend)
    assert measured.vip_cutoff == pytest.approx(np.quantile(spend, 0.92))
    assert measured.potential_cutoff == pytest.approx(spend.quantile(0.70))
    assert measured.vip_reach == pytest.approx((spend >= 2000).mean())
    assert measured.potential_reach == pytest.approx((spend >= 500).mean())
    lines = tier_lines.in_force(workspace).thresholds
    # (approx: DuckDB's parallel sums may differ in the last digit from one run to the next)
    assert (lines.vip_min_monetary, lines.potential_min_monetary) == pytest.approx((measured.vip_cutoff,
                                                                                   measured.potential_cutoff))


def test_shares_near_the_playbook_when_recency_and_frequency_allow(workspace, tmp_path):
    # 400 customers in USD whose orders average about 37, each with a last order in the 30 days before 2025-01-01,
    # spend growing with the number of orders: the top 8% by spend order often enough for VIP
    rng = np.random.default_rng(5)
    rows = []
    for i in range(400):
        count = 1 + rng.poisson(rng.lognormal(0.3, 0.8))
        days = sorted(rng.integers(31, 365, count - 1).tolist()) + [int(rng.integers(1, 30))]
        rows += [(f"c{i}-{k}", f"c{i}", str(date(2025, 1, 1) - timedelta(days=d)), round(float(rng.lognormal(3.45, 0.5)), 2))
                 for k, d in enumerate(days)]
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_time", "order_total"]).assign(currency="USD")
    frame.to_csv(tmp_path / "orders.csv", index=False)
    ingest.load(workspace, tmp_path / "orders.csv", kind="orders")
    assert 30 < frame["order_total"].mean() < 45

    playbook = rfm.tier_shares(rfm.customers(workspace, thresholds=tier_lines.PLAYBOOK)).set_index("tier")["share"]
    scaled = rfm.tier_shares(rfm.customers(workspace)).set_index("tier")["share"]
    assert playbook["VIP"] < 0.005  # 2,000 USD is out of reach for a shop of 37 USD orders
    # the top 8% by spend is exactly 32 customers (index 399 x 0.92 = 367.08: sorted spends 368..399); those with
    # 4+ orders are VIP, and here all of them have: 32 / 400
    assert scaled["VIP"] == pytest.approx(0.08)
    assert scaled["Churned"] == 0  # everyone ordered within 30 days


def test_a_shop_in_usd_with_small_orders_gets_the_tiers_it_would_get_in_cny(workspace, tmp_path, data_dir):
    # the demo generator's shop (orders of about 500 CNY), and the same shop with every amount x 0.08: about 40 USD
    source = sample.generate(tmp_path / "gen", order_lines=6_000)["orders"]
    cny = pd.read_csv(source)
    money_columns = ["order_total", "refunded_amount", "unit_price", "line_discount"]
    usd = cny.assign(**{c: cny[c] * 0.08 for c in money_columns}, currency="USD")
    usd.to_csv(tmp_path / "usd.csv", index=False)
    ingest.load(workspace, tmp_path / "usd.csv", kind="orders")
    other = Workspace(data_dir / "cny.duckdb")
    ingest.load(other, source, kind="orders")

    in_usd, in_cny = rfm.customers(workspace), rfm.customers(other)
    assert tier_lines.in_force(workspace).thresholds.vip_min_monetary == pytest.approx(
        0.08 * tier_lines.in_force(other).thresholds.vip_min_monetary)
    assert in_usd["tier"].tolist() == in_cny["tier"].tolist()  # the scaled lines do not care about the unit
    usd_playbook = rfm.customers(workspace, thresholds=tier_lines.PLAYBOOK)
    assert (usd_playbook["tier"] == "VIP").mean() == 0  # while the playbook's 2,000 leaves VIP empty in USD
    vip_share = (in_usd["tier"] == "VIP").mean()
    assert 0.02 < vip_share <= 0.08  # VIPs must also be recent and frequent: fewer than half of the top 8% are


def test_presets_switch_and_the_owners_values_stay_saved(shop):
    assert tier_lines.saved_choice(shop) == ("scaled", False)
    tier_lines.choose(shop, "playbook")
    assert tier_lines.in_force(shop).thresholds == rfm.Thresholds()
    assert settings.get(shop, rfm.SETTINGS_KEY) == {"lines": "playbook"}
    rfm.save_thresholds(shop, rfm.Thresholds(vip_min_monetary=200, potential_min_monetary=100))
    assert tier_lines.saved_choice(shop) == ("custom", True)  # saving values puts them in force
    assert tier_lines.in_force(shop).thresholds.vip_min_monetary == 200
    tier_lines.choose(shop, "scaled")
    assert tier_lines.in_force(shop).thresholds.vip_min_monetary == pytest.approx(230.8)
    assert tier_lines.in_force(shop, "custom").thresholds.vip_min_monetary == 200  # kept for switching back
    assert tier_lines.saved_choice(shop) == ("scaled", True)
    with pytest.raises(rfm.RfmError):
        tier_lines.choose(shop, "biggest")


def test_thresholds_saved_before_the_choice_existed_are_the_owners(shop):
    settings.put(shop, rfm.SETTINGS_KEY, {"vip_min_frequency": 3, "retired_key": 1})
    lines = tier_lines.in_force(shop)
    assert (lines.choice, lines.in_force) == ("custom", "custom")
    assert lines.thresholds == rfm.Thresholds(vip_min_frequency=3)


def test_too_few_customers_keep_the_playbooks_lines_and_say_why(workspace, tmp_path):
    text = "\n".join(twenty_five_customers().splitlines()[:25])  # c01..c24's first order: 24 customers
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", text), kind="orders")
    lines = tier_lines.in_force(workspace)
    assert (lines.choice, lines.in_force, lines.thresholds) == ("scaled", "playbook", rfm.Thresholds())
    key, params = tier_lines.explain(lines, "USD")
    assert key == "tiers.lines.too_few" and (params["customers"], params["needed"]) == ("24", 25)
    assert params["vip"] == "$2,000" and params["potential"] == "$500"


def test_a_shop_whose_customers_spent_nothing_keeps_the_playbooks_lines(workspace, tmp_path):
    rows = ["order_id,customer_id,order_time,order_total,refunded_amount"]
    rows += [f"o{i},c{i},2024-06-01,40,40" for i in range(30)]  # 30 customers, every order refunded
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", "\n".join(rows)), kind="orders")
    lines = tier_lines.in_force(workspace)
    assert lines.in_force == "playbook" and tier_lines.explain(lines, None)[0] == "tiers.lines.no_spend"


@pytest.mark.parametrize(("amount", "friendly"), [
    (0.3, 1), (7.25, 7), (9.6, 10), (17.8, 20), (43.5, 40), (49.6, 50), (106.8, 100), (130, 120), (288.5, 300),
    (297.6, 300), (477.6, 500), (2480, 2500), (36_000, 40_000)])
def test_friendly_amounts(amount, friendly):
    assert tier_lines.friendly(amount) == friendly


def test_texts_quote_amounts_scaled_like_their_line_in_the_shops_currency(shop):
    texts = tier_lines.money_texts(tier_lines.in_force(shop).thresholds, "USD")
    # Potential line 178 of the playbook's 500: x 0.356 -> spend 300 x 0.356 = 106.8 -> $100, save 17.8 -> $20
    assert texts["plan.potential.content"] == {"spend": "$100", "save": "$20"}
    # VIP line 230.8 of 2,000: x 0.1154 -> the goal of 2,500 becomes 288.5 -> $300
    assert texts["rfm.goal.vip"] == {"amount": "$300"}
    # the discount cap is 15% of a VIP's spend: $34.62 at the VIP line of $230.8
    assert texts["tiers.plan_vip_cap"] == {"cap": "15%", "line": "$231", "amount": "$35"}
    playbook = tier_lines.money_texts(tier_lines.PLAYBOOK, "CNY")
    assert playbook["plan.potential.content"] == {"spend": "¥300", "save": "¥50"}
    assert playbook["rfm.goal.vip"] == {"amount": "¥2,500"}


def test_the_note_says_which_lines_are_in_force_and_why(shop):
    key, params = tier_lines.explain(tier_lines.in_force(shop), "USD")
    assert key == "tiers.lines.scaled"
    assert (params["vip"], params["vip_top"], params["potential"], params["potential_top"]) == ("$231", "8%", "$178", "30%")
    assert (params["playbook_vip"], params["playbook_currency"], params["vip_reach"]) == ("2,000", "CNY", "0.0%")
    key, params = tier_lines.explain(tier_lines.in_force(shop, "playbook"), "USD")
    assert key == "tiers.lines.playbook" and (params["vip"], params["vip_reach"]) == ("$2,000", "0.0%")
