"""Campaigns measured against a holdout: the split, the lift on orders with a known effect (checked against pandas
counting and statsmodels), windows cut by the data, cancelled orders, the tier KPIs and the monthly tier rates."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from core.data import ingest
from core.improvements import campaigns
from core.platform.i18n import catalog
from tests.conftest import write_csv

HEADER = "order_id,customer_id,order_time,order_total,refunded_amount,status"


def load_orders(workspace, tmp_path, rows: list[tuple], name: str = "orders.csv") -> None:
    """rows: (order_id, customer_id, day, total, refund, status)."""
    lines = [HEADER] + [f"{o},{c},{d} 10:00,{t},{r},{s}" for o, c, d, t, r, s in rows]
    ingest.load(workspace, write_csv(tmp_path / name, "\n".join(lines)), kind="orders")


# ------------------------------------------------------------------------------------------- the split


def test_the_holdout_is_reproducible_and_its_size_is_round_share_times_n(workspace):
    ids = [f"c{i:02d}" for i in range(25)]
    first = campaigns.record(workspace, tier="VIP", channel="sms", sent_on=date(2026, 3, 1), customer_ids=ids)
    again = campaigns.record(workspace, tier="VIP", channel="sms", sent_on=date(2026, 3, 1),
                             customer_ids=list(reversed(ids)))
    # 0.1 x 25 = 2.5, halves up -> 3 held out, 22 contacted
    assert (len(first.holdout), len(first.contacted)) == (3, 22)
    assert set(first.holdout) | set(first.contacted) == set(ids) and not set(first.holdout) & set(first.contacted)
    # the same list (in any order) is split the same way; the stored campaign reads back the same
    assert first.holdout == again.holdout and (first.id, again.id) == (1, 2)
    stored = campaigns.load(workspace, 1)
    assert set(stored.holdout) == set(first.holdout) and set(stored.contacted) == set(first.contacted)
    # an explicit seed decides the draw
    assert campaigns.split(ids, 0.2, seed=7) == campaigns.split(ids, 0.2, seed=7)
    # 0.1 x 5 = 0.5 -> 1 held out; a one-customer list at 50% (0.5 -> 1) still contacts its one customer
    assert campaigns.holdout_size(5, 0.1) == 1 and campaigns.holdout_size(1, 0.5) == 0
    # repeats count once: 4 distinct customers at 50% -> 2 held out
    contacted, held = campaigns.split(["a", "b", "a", "c", "d"], 0.5)
    assert len(held) == 2 and len(contacted) == 2


@pytest.mark.parametrize("fields, key", [
    ({"holdout_share": 0.6}, "improvements.error.campaign_holdout_share"),
    ({"customer_ids": []}, "improvements.error.campaign_no_customers"),
    ({"sent_on": "2026-13-01"}, "improvements.error.campaign_date"),
    ({"tier": " "}, "improvements.error.campaign_tier"),
])
def test_a_wrong_field_is_refused_and_nothing_is_written(workspace, fields, key):
    good = {"tier": "VIP", "channel": "call", "sent_on": date(2026, 3, 1), "customer_ids": ["a", "b"]}
    with pytest.raises(campaigns.CampaignError) as raised:
        campaigns.record(workspace, **{**good, **fields})
    # the message exists in both languages; the edge case: a refused campaign leaves no row behind
    assert raised.value.key == key and key in catalog("en") and key in catalog("zh")
    assert campaigns.listing(workspace).empty


# ------------------------------------------------------------------------------------------- a known effect


SENT = date(2026, 3, 2)


def known_effect_orders(contacted, holdout, seed: int = 14) -> pd.DataFrame:
    """Contacted customers buy within 7 days with p = 0.30, held-out ones with p = 0.10; everybody also has an
    order before the send day (must not count), some a later one (counts in 30 days only), some non-buyers a
    cancelled order inside the window (must not count); a last order 45 days on closes both windows."""
    rng = np.random.default_rng(seed)
    rows = []

    def order(customer, day, status="completed"):
        rows.append((f"O{len(rows):05d}", customer, SENT + timedelta(days=int(day)),
                     round(float(rng.uniform(50, 300)), 2), 0, status))

    for group, p in ((contacted, 0.30), (holdout, 0.10)):
        for customer in group:
            order(customer, -20)
            if rng.random() < p:
                order(customer, rng.integers(0, 7))
                if rng.random() < 0.3:  # a second order in the same week: bought once, revenue twice
                    order(customer, rng.integers(0, 7))
            elif rng.random() < 0.05:
                order(customer, rng.integers(0, 7), "cancelled")
            if rng.random() < 0.10:
                order(customer, rng.integers(7, 30))
    order("someone_else", 45)
    return pd.DataFrame(rows, columns=["order_id", "customer_id", "day", "total", "refund", "status"])


def test_the_lift_on_orders_with_a_known_effect_matches_an_independent_count(workspace, tmp_path):
    ids = [f"k{i:04d}" for i in range(2000)]
    campaign = campaigns.record(workspace, tier="Potential", channel="sms", sent_on=SENT, customer_ids=ids)
    orders = known_effect_orders(campaign.contacted, campaign.holdout)
    load_orders(workspace, tmp_path, list(orders.itertuples(index=False, name=None)))
    table = campaigns.results(workspace).set_index("window_days")

    paid = orders[orders["status"] != "cancelled"]
    for window in (7, 30):
        inside = paid[(paid["day"] >= SENT) & (paid["day"] < SENT + timedelta(days=window))]
        x1 = inside.loc[inside["customer_id"].isin(campaign.contacted), "customer_id"].nunique()
        x2 = inside.loc[inside["customer_id"].isin(campaign.holdout), "customer_id"].nunique()
        r1 = inside.loc[inside["customer_id"].isin(campaign.contacted), "total"].sum()
        r2 = inside.loc[inside["customer_id"].isin(campaign.holdout), "total"].sum()
        n1, n2 = 1800, 200  # 0.1 x 2000 held out
        low, high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb")
        _, p_value = proportions_ztest([x1, x2], [n1, n2])
        row = table.loc[window]
        assert (row["contacted"], row["holdout"], row["bought_contacted"], row["bought_holdout"]) == (n1, n2, x1, x2)
        assert row["days_observed"] == window and row["window_complete"]
        assert row["rate_contacted"] == pytest.approx(x1 / n1) and row["rate_holdout"] == pytest.approx(x2 / n2)
        assert row["revenue_contacted"] == pytest.approx(r1) and row["revenue_holdout"] == pytest.approx(r2)
        assert row["revenue_per_contacted"] == pytest.approx(r1 / n1)
        assert row["lift"] == pytest.approx(x1 / n1 - x2 / n2)
        assert (row["lift_low"], row["lift_high"]) == pytest.approx((low, high), abs=1e-9)
        assert row["p_value"] == pytest.approx(p_value, rel=1e-6, abs=1e-12)
    # the planted effect is 0.30 - 0.10 = 0.20 in the first week: inside the interval, and the interval clear of 0
    week = table.loc[7]
    assert week["lift_low"] > 0 and week["lift_low"] < 0.20 < week["lift_high"] and week["p_value"] < 0.001


def test_a_window_the_data_has_not_reached_is_flagged_and_one_not_started_is_empty(workspace, tmp_path):
    # orders end 2026-03-11: a campaign sent 03-02 has 10 days of its 30 observed (03-02 .. 03-11)
    load_orders(workspace, tmp_path, [("A1", "a", "2026-03-05", 100, 0, "completed"),
                                      ("Z1", "z", "2026-03-11", 10, 0, "completed")])
    campaigns.record(workspace, tier="VIP", channel="call", sent_on=date(2026, 3, 2), customer_ids=["a", "b"],
                     holdout_share=0.5)
    campaigns.record(workspace, tier="VIP", channel="call", sent_on=date(2026, 3, 20), customer_ids=["a", "b"],
                     holdout_share=0.5)
    table = campaigns.results(workspace).set_index(["campaign_id", "window_days"])
    assert table.loc[(1, 7), "window_complete"] and table.loc[(1, 7), "days_observed"] == 7
    assert not table.loc[(1, 30), "window_complete"] and table.loc[(1, 30), "days_observed"] == 10
    # the edge case: sent after the last order day, nothing can be measured yet, so nothing is shown as 0
    late = table.loc[(2, 30)]
    assert late["days_observed"] == 0 and late["missing"] == "improvements.campaign.not_observed"
    assert pd.isna(late["rate_contacted"]) and pd.isna(late["lift"]) and pd.isna(late["bought_contacted"])


def test_cancelled_orders_do_not_count_and_revenue_is_net_of_refunds(workspace, tmp_path):
    campaign = campaigns.record(workspace, tier="Churned", channel="sms", sent_on=date(2026, 5, 1),
                                customer_ids=["a", "b", "c", "d"], holdout_share=0.25)
    buyer, other, *_ = campaign.contacted
    held = campaign.holdout[0]
    load_orders(workspace, tmp_path, [
        ("P1", buyer, "2026-05-03", 120, 20, "refunded"),  # counts, at 120 - 20 = 100
        ("X1", other, "2026-05-02", 500, 0, "cancelled"),  # cancelled: not a purchase
        ("X2", held, "2026-05-04", 80, 0, "cancelled"),
        ("Z1", "z", "2026-06-30", 10, 0, "completed"),
    ])
    week = campaigns.results(workspace).set_index("window_days").loc[7]
    # 1 of 3 contacted bought (100); 0 of 1 held out: lift 1/3 - 0
    assert (week["bought_contacted"], week["bought_holdout"]) == (1, 0)
    assert week["revenue_contacted"] == pytest.approx(100) and week["revenue_holdout"] == 0
    assert week["revenue_per_contacted"] == pytest.approx(100 / 3) and week["lift"] == pytest.approx(1 / 3)


def test_no_holdout_means_no_lift_and_no_variation_means_no_test(workspace, tmp_path):
    load_orders(workspace, tmp_path, [("Z1", "z", "2026-06-30", 10, 0, "completed")])
    campaigns.record(workspace, tier="Normal", channel="email", sent_on=date(2026, 5, 1),
                     customer_ids=["a", "b", "c"], holdout_share=0)
    campaigns.record(workspace, tier="Normal", channel="email", sent_on=date(2026, 5, 1),
                     customer_ids=["a", "b", "c", "d"], holdout_share=0.5)
    table = campaigns.results(workspace, windows=(30,)).set_index("campaign_id")
    # nobody held out: the contacted rate (0 of 3) is real, the lift cannot be measured
    assert table.loc[1, "rate_contacted"] == 0 and pd.isna(table.loc[1, "lift"])
    assert table.loc[1, "missing"] == "improvements.campaign.no_holdout"
    # nobody bought in either group: lift 0 - 0 = 0, but the z-test has no spread (pooled rate 0)
    assert table.loc[2, "lift"] == 0 and pd.isna(table.loc[2, "p_value"])
    assert table.loc[2, "missing"] == "improvements.campaign.no_variation"


# ------------------------------------------------------------------------------------------- tier KPIs


def test_tier_kpis_pool_complete_campaigns_against_the_playbook_targets(workspace, tmp_path):
    rows, sent = [], date(2026, 1, 5)

    def campaign(tier, size, buyers, sent_on=sent):
        made = campaigns.record(workspace, tier=tier, channel="sms", sent_on=sent_on, holdout_share=0,
                                customer_ids=[f"{tier}{sent_on:%m%d}_{i}" for i in range(size)])
        for customer in made.contacted[:buyers]:
            rows.append((f"O{len(rows)}", customer, sent_on + timedelta(days=3), 50, 0, "completed"))

    campaign("VIP", 10, 3)  # 3 / 10 = 0.30: meets the 30% target exactly
    campaign("Potential", 30, 1)
    campaign("Potential", 1, 1, date(2026, 1, 20))  # pooled (1 + 1) / (30 + 1) = 0.0645 < 0.08 (the mean, 0.52, would pass)
    campaign("Normal", 4, 2)  # 2 / 4 = 0.5, but the playbook sets Normal no target
    campaign("Churned", 5, 5, date(2026, 3, 1))  # its 30 days run past the data's end (03-10): not measured yet
    rows.append(("END", "z", date(2026, 3, 10), 10, 0, "completed"))
    load_orders(workspace, tmp_path, rows)

    kpis = campaigns.tier_kpis(workspace).set_index("tier")
    assert list(kpis.index) == ["VIP", "Potential", "Normal", "Churned"]
    assert kpis.loc["VIP", "conversion"] == pytest.approx(0.30) and kpis.loc["VIP", "target_met"] is True
    assert kpis.loc["Potential", "campaigns"] == 2 and kpis.loc["Potential", "contacted"] == 31
    assert kpis.loc["Potential", "conversion"] == pytest.approx(2 / 31) and kpis.loc["Potential", "target_met"] is False
    assert kpis.loc["Normal", "conversion"] == pytest.approx(0.5) and kpis.loc["Normal", "target_met"] is None
    assert kpis.loc["Normal", "missing"] == "improvements.campaign.no_target"
    # the edge case: Churned's only campaign is still inside its window, so there is no figure, not a 100%
    assert pd.isna(kpis.loc["Churned", "conversion"]) and kpis.loc["Churned", "campaigns"] == 0
    assert kpis.loc["Churned", "missing"] == "improvements.campaign.no_measured_campaign"
    assert kpis.loc["Churned", "target"] == pytest.approx(0.10)
    assert pd.isna(kpis.loc["VIP", "conversion_holdout"])  # held out nobody


# ------------------------------------------------------------------------------------------- tier months


TINY = [
    ("J1", "v1", "2026-01-05", 100, 0, "completed"), ("F1", "v1", "2026-02-03", 100, 0, "completed"),
    ("M1", "v1", "2026-03-10", 100, 0, "completed"), ("J2", "v2", "2026-01-20", 100, 0, "completed"),
    ("M2", "v2", "2026-03-02", 100, 0, "completed"), ("F3", "v3", "2026-02-14", 100, 0, "completed"),
    ("M3", "v3", "2026-03-05", 100, 0, "cancelled"), ("M4", "n1", "2026-03-01", 100, 0, "completed"),
    ("J5", "n2", "2026-01-03", 100, 0, "completed"), ("A5", "n2", "2026-04-10", 100, 0, "completed"),
    ("A6", "x1", "2026-04-20", 100, 0, "completed"),
]
TINY_TIERS = pd.DataFrame({"customer_id": ["v1", "v2", "v3", "n1", "n2", "c1"],
                           "tier": ["VIP", "VIP", "VIP", "Normal", "Normal", "Churned"]})


def test_tier_month_rates_on_a_tiny_shop(workspace, tmp_path):
    """v1 buys Jan, Feb, Mar; v2 Jan, Mar; v3 Feb (its March order cancelled); n1 first in Mar; n2 Jan, Apr;
    c1 never; x1 (no tier) Apr 20, the last order, so April is not complete."""
    load_orders(workspace, tmp_path, TINY)
    table = campaigns.tier_month_rates(workspace, TINY_TIERS, months=3)
    got = {(r.month.month, r.tier): r for r in table.itertuples()}
    assert sorted({m for m, _ in got}) == [2, 3, 4] and len(table) == 9
    expected = {  # (customers before the month, bought again, bought the month before, bought both months)
        (2, "VIP"): (2, 1, 2, 1),  # before Feb: v1, v2; Feb: v1; Jan buyers v1, v2, of whom v1 again
        (3, "VIP"): (3, 2, 2, 1),  # before Mar: v1-v3; Mar: v1, v2 (v3's cancelled); Feb buyers v1, v3 -> v1
        (4, "VIP"): (3, 0, 2, 0),  # Apr: nobody; Mar buyers v1, v2
        (2, "Normal"): (1, 0, 1, 0),  # before Feb: n2 only
        (3, "Normal"): (1, 0, 0, 0),  # n1's first order is not a repurchase; nobody bought in Feb
        (4, "Normal"): (2, 1, 1, 0),  # before Apr: n1, n2; Apr: n2; Mar buyer n1 did not come back
        (4, "Churned"): (0, 0, 0, 0),
    }
    for key, (base, again, previous, both) in expected.items():
        row = got[key]
        assert (row.customers_before_month, row.repeat_buyers, row.previous_month_buyers, row.retained_buyers) == \
            (base, again, previous, both), key
    assert got[(3, "VIP")].repurchase_rate == pytest.approx(2 / 3) and got[(3, "VIP")].retention_rate == 0.5
    assert got[(4, "Normal")].repurchase_rate == 0.5 and got[(4, "Normal")].retention_rate == 0
    assert got[(2, "VIP")].tier_customers == 3 and got[(2, "VIP")].month_complete
    assert not got[(4, "VIP")].month_complete  # data ends Apr 20
    # the edge case: with nobody to count, the rate is empty with a reason, never 0
    assert pd.isna(got[(3, "Normal")].retention_rate)
    assert got[(3, "Normal")].retention_missing == "improvements.campaign.no_previous_buyers"
    assert pd.isna(got[(4, "Churned")].repurchase_rate)
    assert got[(4, "Churned")].repurchase_missing == "improvements.campaign.no_base_customers"
    # more months than the data has: from the first order's month (January) on
    assert sorted({m.month for m in campaigns.tier_month_rates(workspace, TINY_TIERS, months=12)["month"]}) == [1, 2, 3, 4]


def test_demo_campaigns_pick_lists_by_rule(workspace, tmp_path):
    # z's last order (2026-03-01) is 156 days before the win-back send day (08-04); y bought too recently
    load_orders(workspace, tmp_path, [("Z1", "z", "2026-03-01", 100, 0, "completed"),
                                      ("Y1", "y", "2026-07-30", 100, 0, "completed")])
    found = {c["tier"]: c for c in campaigns.demo_campaigns(workspace)}
    assert found["Churned"]["customer_ids"] == ["z"] and found["Churned"]["sent_on"] == date(2026, 8, 4)
    # y spent most in the year before 09-01 and bought within its last 90 days; z's order is 184 days back
    assert found["VIP"]["customer_ids"] == ["y"]
    # y's one order falls 47 days before 09-15, inside the 60 days; z's one order is months older
    assert found["Potential"]["customer_ids"] == ["y"]
