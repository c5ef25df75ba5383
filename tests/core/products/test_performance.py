"""Product and category performance on a tiny shop worked out by hand.

Period 2024-05-08..05-14 (7 days), so the period before is 05-01..05-07; slow movers at 60 days look for a
sale on 03-16..05-14 (05-14 minus 60 days is 03-15).

    order  customer  day     total  refund  status     lines (sku category qty x price)
    O0     c5        01-15    20    0       completed  H Home 1 x 20
    O1     c6        03-15    10    0       completed  K Home 1 x 10
    O2     c6        03-16    10    0       completed  M Home 1 x 10
    P1     c1        05-02   100    0       completed  A Shoes 2 x 50
    P2     c2        05-03    30    0       completed  B Shoes 1 x 30
    N1     c1        05-08   180    0       completed  A Shoes 3 x 50, B Shoes 1 x 30
    N2     c2        05-09    60   30       refunded   A Shoes 1 x 50 (+10 shipping): half the order refunded
    N3     c3        05-10    30    0       completed  C Home 2 x 10, F Home 1 x 10
    N4     c1        05-12    80    0       cancelled  D Beauty 1 x 100 - 20 discount
    N5     c3        05-14    40    0       completed  E Beauty 1 x 40
    N6     c4        05-15   250    0       completed  A Shoes 5 x 50 (after the period)

Revenue in the period, net of refunds: N2 refunded 30 of 60, so half of A's 50 there: A = 150 + 25 = 175,
E = 40, B = 30, C = 20, F = 10; total 275.
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from core.data import ingest
from core.products import performance
from tests.conftest import write_csv

START, END = date(2024, 5, 8), date(2024, 5, 14)

HEADER = "order_id,customer_id,order_time,order_total,refunded_amount,status,sku,product_name,category,quantity,unit_price,line_discount"
LINES = """
    O0,c5,2024-01-15 10:00,20,0,completed,H,Vase,Home,1,20,0
    O1,c6,2024-03-15 10:00,10,0,completed,K,Cup,Home,1,10,0
    O2,c6,2024-03-16 10:00,10,0,completed,M,Bowl,Home,1,10,0
    P1,c1,2024-05-02 10:00,100,0,completed,A,Runner,Shoes,2,50,0
    P2,c2,2024-05-03 10:00,30,0,completed,B,Socks,Shoes,1,30,0
    N1,c1,2024-05-08 10:00,180,0,completed,A,Runner,Shoes,3,50,0
    N1,c1,2024-05-08 10:00,180,0,completed,B,Socks,Shoes,1,30,0
    N2,c2,2024-05-09 10:00,60,30,refunded,A,Runner,Shoes,1,50,0
    N3,c3,2024-05-10 10:00,30,0,completed,C,Candle,Home,2,10,0
    N3,c3,2024-05-10 10:00,30,0,completed,F,Match,Home,1,10,0
    N4,c1,2024-05-12 10:00,80,0,cancelled,D,Serum,Beauty,1,100,20
    N5,c3,2024-05-14 10:00,40,0,completed,E,Cream,Beauty,1,40,0
    N6,c4,2024-05-15 10:00,250,0,completed,A,Runner,Shoes,5,50,0
"""
INVENTORY = """
    sku,stock_on_hand,unit_cost,listed_date
    A,10,20,2023-01-01
    B,0,10,2023-01-01
    D,5,40,2024-01-01
    G,7,5,2024-05-10
    H,3,8,2023-06-01
    K,2,4,2023-06-01
    M,2,4,2023-06-01
"""


@pytest.fixture
def shop(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", HEADER + LINES), kind="orders")
    ingest.load(workspace, write_csv(tmp_path / "inventory.csv", INVENTORY), kind="inventory")
    return workspace


def test_products_figures_against_the_period_before(shop):
    result = performance.performance(shop, START, END)
    assert (result.previous_start, result.previous_end) == (date(2024, 5, 1), date(2024, 5, 7))
    p = result.products.set_index("product_key")
    a = p.loc["A"]
    # A: N1 3 x 50 and N2 1 x 50 with half of N2 refunded (30 of 60): sales 200, refunded 25, revenue 175;
    # N6 (05-15) is after the period; before: P1 2 x 50 = 100
    assert (a["units"], a["sales"], a["refunded"], a["revenue"]) == (4, 200, pytest.approx(25), pytest.approx(175))
    assert (a["orders"], a["customers"]) == (2, 2)
    assert a["revenue_share"] == pytest.approx(175 / 275)
    assert a["revenue_growth"] == pytest.approx(175 / 100 - 1) and a["units_growth"] == pytest.approx(4 / 2 - 1)
    assert a["return_rate"] == pytest.approx(25 / 200)
    b = p.loc["B"]
    assert (b["revenue"], b["revenue_before"], b["revenue_growth"], b["return_rate"]) == (30, 30, 0, 0)
    # edge case: C did not sell in the period before, so its growth is missing, not 0 and not infinite
    assert p.loc["C", "revenue"] == 20 and math.isnan(p.loc["C", "revenue_growth"])
    # D's only order was cancelled: no sale at all, yet listed through the inventory file
    assert (p.loc["D", "units"], p.loc["D", "revenue"], p.loc["D", "orders"]) == (0, 0, 0)
    assert p["revenue_share"].sum() == pytest.approx(1.0)


def test_abc_classes_put_the_product_crossing_80_percent_in_a(shop):
    result = performance.performance(shop, START, END)
    classes = result.products.set_index("product_key")["abc_class"].to_dict()
    # ranked A 175, E 40, B 30, C 20, F 10 of 275; 80% is 220, 95% is 261.25. Revenue above each:
    # A 0, E 175, B 215 (< 220: B crosses 80% and is still A), C 245 (< 261.25: B), F 265 (C)
    assert [classes[k] for k in "AEBCF"] == ["A", "A", "A", "B", "C"]
    # products without revenue in the period are C
    assert {classes[k] for k in "DGHKM"} == {"C"}
    abc = result.abc.set_index("abc_class")
    assert abc["products"].to_dict() == {"A": 3, "B": 1, "C": 6}
    assert abc.loc["A", "revenue_share"] == pytest.approx(245 / 275)


def test_categories(shop):
    c = performance.performance(shop, START, END).categories.set_index("category")
    assert list(c.index) == ["Shoes", "Beauty", "Home"]  # by revenue: 205, 40, 30
    shoes = c.loc["Shoes"]
    # N1 holds two Shoes lines but is one order; before: P1 100 + P2 30
    assert (shoes["units"], shoes["sales"], shoes["revenue"], shoes["orders"], shoes["customers"]) == (
        5, 230, pytest.approx(205), 2, 2)
    assert shoes["revenue_growth"] == pytest.approx(205 / 130 - 1)
    assert shoes["return_rate"] == pytest.approx(25 / 230)
    assert c.loc["Home", "products_sold"] == 2
    # edge case: Home's earlier sales (H, K, M) fall before the period before, so no growth
    assert math.isnan(c.loc["Home", "revenue_growth"])
    # Beauty: N4 (D) was cancelled, only E's 40 counts
    assert (c.loc["Beauty", "revenue"], c.loc["Beauty", "revenue_share"]) == (40, pytest.approx(40 / 275))


def test_slow_movers_and_new_products(shop):
    result = performance.performance(shop, START, END, slow_days=60)
    slow = result.slow_movers
    # D never sold (its order was cancelled) and was listed in January; H last sold 120 days before 05-14;
    # edge case: K sold on 03-15, exactly 60 days before, so nothing in the last 60 days: slow; M sold on
    # 03-16, inside the 60 days: not slow. G is in stock and never sold but listed on 05-10: too new to judge.
    assert list(slow["product_key"]) == ["D", "H", "K"]
    assert list(slow["days_since_last_sale"].iloc[1:]) == [120, 60]
    assert slow["stock_value"].tolist() == [5 * 40, 3 * 8, 2 * 4]
    # first sold in the period (C, F, E) or listed in it (G); A and B sold before
    assert sorted(result.new_products["product_key"]) == ["C", "E", "F", "G"]
    # a shorter window: M (59 days) becomes slow too
    shorter = performance.performance(shop, START, END, slow_days=59).slow_movers
    assert list(shorter["product_key"]) == ["D", "H", "K", "M"]


def test_without_inventory_slow_movers_say_what_to_upload(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", HEADER + LINES), kind="orders")
    result = performance.performance(workspace, START, END)
    # no stock figures: not an empty list (which would claim there are no slow movers) but a reason
    assert result.slow_movers is None and result.slow_movers_missing == "products.missing.needs_inventory"
    assert set(result.products["product_key"]) == set("ABCEF")  # sold in either period; D was cancelled
    assert result.products["stock_on_hand"].isna().all()


def test_return_rate_is_missing_without_refund_amounts(workspace, tmp_path):
    # edge case: the export has no refunded_amount column, so 0 refunds would be a guess: missing instead
    text = "\n".join(",".join(f for i, f in enumerate(line.strip().split(",")) if i != 4)
                     for line in (HEADER + LINES).strip().splitlines())
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", text), kind="orders")
    result = performance.performance(workspace, START, END)
    assert result.return_rate_missing == "products.missing.needs_refunds"
    assert result.products["return_rate"].isna().all() and result.categories["return_rate"].isna().all()
    a = result.products.set_index("product_key").loc["A"]
    assert a["revenue"] == 200  # nothing refunded is known, so revenue is the line sales
