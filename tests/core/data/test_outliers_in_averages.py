"""The cleaning rule "price outliers leave averages": switched on, it moves every average and every
customer's spend by the outlier lines' revenue, and never GMV; every service built on it says it reads it."""

from __future__ import annotations

from datetime import date

import pytest

from core.customers import churn, tier_lines
from core.customers import service as customers
from core.data import service
from core.diagnosis import service as diagnosis
from core.platform import queries
from core.platform.services import settings_keys
from core.sales import service as sales
from tests.conftest import write_csv

# 20 one-line orders of 10 (c0..c19); O99 (c0) holds a 10 line and a 2,999 line; O98 (c1) is one 2,999 line.
# 23 lines, mean unit price (21 x 10 + 2 x 2,999) / 23 = 269.9: both 2,999 lines are above 10x the mean.
ORDERS = "order_id,customer_id,order_time,order_total,sku,quantity,unit_price\n" + "".join(
    f"O{i},c{i},2024-05-0{1 + i % 5} 10:00,10,s,1,10\n" for i in range(20)) + (
    "O99,c0,2024-05-06 10:00,3009,s,1,10\n"
    "O99,c0,2024-05-06 10:00,3009,big,1,2999\n"
    "O98,c1,2024-05-07 10:00,2999,big2,1,2999\n")
AS_OF = date(2024, 6, 1)


@pytest.fixture
def shop(workspace, tmp_path):
    service.load(workspace, write_csv(tmp_path / "orders.csv", ORDERS))
    return workspace


def _spend(shop) -> dict[str, float]:
    frame = customers.tiers(shop, AS_OF).customers
    return dict(zip(frame["customer_id"], frame["monetary"]))


def test_switching_the_rule_on_moves_aov_and_customer_spend_by_the_outlier_revenue(shop):
    # off: GMV 20 x 10 + 3,009 + 2,999 = 6,208 over 22 orders: AOV 282.18; c0 spent 10 + 3,009, c1 10 + 2,999
    month = sales.sales(shop, "month").periods.iloc[0]
    assert (month["gmv"], month["aov"]) == (6208, pytest.approx(6208 / 22))
    assert (_spend(shop)["c0"], _spend(shop)["c1"]) == (3019, 3009)

    service.save_excludes_price_outliers(shop, True)
    # on: GMV keeps 6,208; AOV = (200 + 3,009 - 2,999) / 21 orders = 10.00 (O98, made only of an outlier,
    # leaves the count too); c0 spent 10 + 10 = 20 and c1 10 + 0 = 10
    month = sales.sales(shop, "month").periods.iloc[0]
    assert (month["gmv"], month["aov"]) == (6208, pytest.approx(10.0))
    assert (_spend(shop)["c0"], _spend(shop)["c1"]) == (20, 10)


def test_the_period_figures_carry_what_averages_count(shop):
    def figures():
        row = queries.frame(shop, "sales/period_figures", start=date(2024, 5, 1), end=date(2024, 5, 31)).iloc[0]
        return row["gmv"], row["orders"], row["revenue_for_averages"], row["orders_for_averages"]

    assert figures() == (6208, 22, 6208, 22)
    service.save_excludes_price_outliers(shop, True)
    assert figures() == (6208, 22, 210, 21)  # 20 x 10 + (3,009 - 2,999), without O98


def test_revenue_per_customer_in_cohorts_leaves_outliers_out(shop):
    # one May cohort of 20 customers: 6,208 / 20 = 310.40 off, 210 / 20 = 10.50 on
    assert sales.cohorts(shop).cohorts[0].revenue_per_customer[0] == pytest.approx(310.4)
    service.save_excludes_price_outliers(shop, True)
    assert sales.cohorts(shop).cohorts[0].revenue_per_customer[0] == pytest.approx(10.5)


@pytest.mark.parametrize("reader", [
    sales.overview, sales.sales, sales.cohorts, diagnosis.diagnose, diagnosis.health_check,
    customers.tiers, customers.tiers_at, customers.movement, customers.clusters, customers.churn,
])
def test_every_service_built_on_averages_says_it_reads_the_rule(reader):
    assert service.EXCLUDE_PRICE_OUTLIERS in settings_keys(reader)


def test_the_sales_overview_aov_tile_follows_the_rule(shop):
    def aov():
        return {f.key: f.value for f in sales.overview(shop, date(2024, 5, 1), date(2024, 5, 31)).figures}["aov"]

    assert aov() == pytest.approx(6208 / 22)  # off: 282.18
    service.save_excludes_price_outliers(shop, True)
    assert aov() == pytest.approx(210 / 21)  # on: 10.00; GMV stays 6,208


def test_the_spread_of_customer_spend_behind_scaled_tier_lines_leaves_outliers_out(shop):
    # 20 customers; the top spend is c0's: 3,019 off, 20 on. The 100th percentile is the largest spend.
    def top_spend():
        return tier_lines.spend(shop, 2000, 500)

    off = top_spend()
    assert off.customers == 20 and off.potential_reach == pytest.approx(2 / 20)  # c0 (3,019), c1 (3,009) reach 500
    service.save_excludes_price_outliers(shop, True)
    on = top_spend()
    assert on.customers == 20 and on.potential_reach == 0  # c0 now 20, c1 10: nobody reaches 500


def test_churn_features_leave_outliers_out_of_spend_and_order_value(shop):
    def c0():
        frame = churn.features(shop, date(2024, 5, 10))
        return frame.set_index("customer_id").loc["c0", ["monetary", "avg_order_value", "revenue_last_90d"]].tolist()

    assert c0() == [3019, pytest.approx(3019 / 2), 3019]  # O0 (10) and O99 (3,009)
    service.save_excludes_price_outliers(shop, True)
    assert c0() == [20, 10, 20]  # O99 counts 3,009 - 2,999 = 10
