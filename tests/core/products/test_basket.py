"""Bought-together rules, checked by hand on eight orders, by brute force on a few hundred random ones and
against a one-hot matrix product (pandas, X.T @ X) on the demo shop's orders.

The hand-made orders (products: PHONE "Phone", CASE "Case", CHRG "Charger", MUG "Mug"):

    O1  PHONE, CASE
    O2  PHONE, CASE, CHRG
    O3  PHONE, CHRG
    O4  CASE                     one product: in the base, in no pair
    O5  PHONE, CASE, CASE        CASE on two lines: counts once
    O6  MUG                      one line: in the base
    O7  CHRG, MUG
    O8  PHONE, CASE              cancelled: counts nowhere

Base: O1-O7 = 7 orders; 5 of them (O1, O2, O3, O5, O7) hold two or more products.
Orders per product: PHONE 4 (O1 O2 O3 O5), CASE 4 (O1 O2 O4 O5), CHRG 3 (O2 O3 O7), MUG 2 (O6 O7).
Orders per pair: PHONE+CASE 3 (O1 O2 O5), PHONE+CHRG 2 (O2 O3), CASE+CHRG 1 (O2), CHRG+MUG 1 (O7).
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction as F

import pandas as pd
import pytest

from core.data import ingest
from core.data.sample import generate
from core.products import basket
from tests.conftest import write_csv

HAND_ORDERS = """
    order_id,customer_id,order_time,order_total,status,sku,product_name,quantity,unit_price
    O1,c1,2024-05-01 10:00,60,completed,PHONE,Phone,1,50
    O1,c1,2024-05-01 10:00,60,completed,CASE,Case,1,10
    O2,c2,2024-05-02 10:00,80,completed,PHONE,Phone,1,50
    O2,c2,2024-05-02 10:00,80,completed,CASE,Case,1,10
    O2,c2,2024-05-02 10:00,80,completed,CHRG,Charger,1,20
    O3,c3,2024-05-03 10:00,70,completed,PHONE,Phone,1,50
    O3,c3,2024-05-03 10:00,70,completed,CHRG,Charger,1,20
    O4,c4,2024-05-04 10:00,10,completed,CASE,Case,1,10
    O5,c5,2024-05-05 10:00,70,refunded,PHONE,Phone,1,50
    O5,c5,2024-05-05 10:00,70,refunded,CASE,Case,1,10
    O5,c5,2024-05-05 10:00,70,refunded,CASE,Case,1,10
    O6,c6,2024-05-06 10:00,8,completed,MUG,Mug,1,8
    O7,c7,2024-05-07 10:00,28,completed,CHRG,Charger,1,20
    O7,c7,2024-05-07 10:00,28,completed,MUG,Mug,1,8
    O8,c8,2024-05-08 10:00,60,cancelled,PHONE,Phone,1,50
    O8,c8,2024-05-08 10:00,60,cancelled,CASE,Case,1,10
"""

# (antecedent, consequent): (orders together, support, confidence, lift), from the counts above:
# support = together / 7, confidence = together / antecedent orders,
# lift = confidence / (consequent orders / 7).
HAND_RULES = {
    ("CASE", "PHONE"): (3, F(3, 7), F(3, 4), F(3, 4) / F(4, 7)),   # lift 21/16
    ("PHONE", "CASE"): (3, F(3, 7), F(3, 4), F(3, 4) / F(4, 7)),   # lift 21/16
    ("CHRG", "PHONE"): (2, F(2, 7), F(2, 3), F(2, 3) / F(4, 7)),   # lift 7/6
    ("PHONE", "CHRG"): (2, F(2, 7), F(2, 4), F(2, 4) / F(3, 7)),   # lift 7/6
    ("CHRG", "MUG"): (1, F(1, 7), F(1, 3), F(1, 3) / F(2, 7)),     # lift 7/6
    ("MUG", "CHRG"): (1, F(1, 7), F(1, 2), F(1, 2) / F(3, 7)),     # lift 7/6
    ("CASE", "CHRG"): (1, F(1, 7), F(1, 4), F(1, 4) / F(3, 7)),    # lift 7/12
    ("CHRG", "CASE"): (1, F(1, 7), F(1, 3), F(1, 3) / F(4, 7)),    # lift 7/12
}


@pytest.fixture
def hand_shop(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", HAND_ORDERS), kind="orders")
    return workspace


def _hand_rules(workspace, min_support=0.0, min_confidence=0.0):
    return basket.rules(workspace, min_support, min_confidence, min_multi_product_orders=1)


def test_every_rule_of_the_hand_made_orders(hand_shop):
    # edge case: O8 (PHONE + CASE) is cancelled; counted, PHONE+CASE would be 4 of 8 orders, not 3 of 7
    found = _hand_rules(hand_shop)
    assert (found.orders, found.multi_product_orders, found.missing) == (7, 5, None)
    got = {(r.antecedent, r.consequent): r for r in found.table.itertuples()}
    assert set(got) == set(HAND_RULES)
    for key, (together, support, confidence, lift) in HAND_RULES.items():
        rule = got[key]
        assert rule.count_orders_together == together
        assert rule.support == pytest.approx(float(support))
        assert rule.confidence == pytest.approx(float(confidence))
        assert rule.lift == pytest.approx(float(lift))
    # lift first (21/16, then 7/6, then 7/12), then orders together, then names (Case < Charger < Mug < Phone)
    assert list(zip(found.table["antecedent"], found.table["consequent"])) == [
        ("CASE", "PHONE"), ("PHONE", "CASE"), ("CHRG", "PHONE"), ("PHONE", "CHRG"),
        ("CHRG", "MUG"), ("MUG", "CHRG"), ("CASE", "CHRG"), ("CHRG", "CASE")]
    assert found.table.loc[0, "antecedent_name"] == "Case" and found.table.loc[0, "consequent_name"] == "Phone"


def test_a_product_on_two_lines_of_one_order_counts_once(hand_shop):
    # edge case: O5 has CASE twice; counted per line, CASE would be in 5 orders and PHONE+CASE in 4
    rule = _hand_rules(hand_shop).table.set_index(["antecedent", "consequent"]).loc[("CASE", "PHONE")]
    assert (rule["count_antecedent_orders"], rule["count_orders_together"]) == (4, 3)


def test_a_one_line_order_counts_in_the_base(hand_shop):
    # edge case: O6 is MUG alone; it makes MUG's orders 2, so MUG -> CHRG has confidence 1/2, not 1/1
    rule = _hand_rules(hand_shop).table.set_index(["antecedent", "consequent"]).loc[("MUG", "CHRG")]
    assert rule["confidence"] == pytest.approx(0.5)
    assert rule["lift"] == pytest.approx(7 / 6)  # (1/2) / (3/7): O6 is in the base of 7


def test_only_rules_meeting_both_minimums(hand_shop):
    # edge case: PHONE -> CHRG has the support (2/7 >= 0.25) but not the confidence (1/2 < 0.6);
    # MUG's pairs are 1/7 < 0.25
    found = _hand_rules(hand_shop, min_support=0.25, min_confidence=0.6)
    assert list(zip(found.table["antecedent"], found.table["consequent"])) == [
        ("CASE", "PHONE"), ("PHONE", "CASE"), ("CHRG", "PHONE")]
    assert found.orders == 7  # the base does not depend on the minimums


def test_a_minimum_no_rule_meets_still_gives_the_base(hand_shop):
    # edge case: no pair is in half the orders (the best is 3/7), so no rule, but the 7 orders are known
    found = _hand_rules(hand_shop, min_support=0.5)
    assert found.table.empty and found.orders == 7 and found.missing is None
    assert found.to_json() == {"orders": 7, "rules": []}


def test_the_cli_answer(hand_shop):
    # edge case: numbers are plain floats and ints, ready for json.dumps
    answer = _hand_rules(hand_shop, min_support=0.4).to_json()
    assert answer == {"orders": 7, "rules": [
        {"antecedent": "CASE", "consequent": "PHONE", "support": pytest.approx(3 / 7), "confidence": pytest.approx(0.75),
         "lift": pytest.approx(21 / 16), "orders_together": 3},
        {"antecedent": "PHONE", "consequent": "CASE", "support": pytest.approx(3 / 7), "confidence": pytest.approx(0.75),
         "lift": pytest.approx(21 / 16), "orders_together": 3}]}
    assert all(type(rule["orders_together"]) is int and type(rule["lift"]) is float for rule in answer["rules"])


def test_partners_of_a_product(hand_shop):
    # edge case: PHONE -> CHRG (lift 7/6) comes after PHONE -> CASE (21/16) even though CHRG is rarer
    partners = _hand_rules(hand_shop).partners("PHONE")
    assert list(partners["consequent"]) == ["CASE", "CHRG"]


def test_bundles_give_each_product_one_bundle(hand_shop):
    # edge case: PHONE+CHRG (lift 7/6) is left out because PHONE is already bundled with CASE (21/16);
    # CHRG+MUG (7/6) then takes CHRG; CASE+CHRG has lift 7/12 < 1 anyway
    bundles = _hand_rules(hand_shop).bundles(min_orders_together=1)
    assert list(zip(bundles["product_a"], bundles["product_b"])) == [("CASE", "PHONE"), ("CHRG", "MUG")]
    assert bundles.loc[1, "confidence_a_to_b"] == pytest.approx(1 / 3)  # CHRG -> MUG: 1 of CHRG's 3 orders
    assert bundles.loc[1, "confidence_b_to_a"] == pytest.approx(1 / 2)  # MUG -> CHRG: 1 of MUG's 2 orders


def test_cross_sell_reads_each_pair_the_likelier_way(hand_shop):
    # edge case: CHRG -> PHONE (2/3) is suggested, not PHONE -> CHRG (1/2); same for MUG -> CHRG (1/2 > 1/3)
    found = basket.cross_sell_suggestions(hand_shop, top=5, min_support=0, min_confidence=0, min_orders_together=1,
                                          min_multi_product_orders=1)
    assert [(s.product, s.partner) for s in found.suggestions] == [("CASE", "PHONE"), ("CHRG", "PHONE"), ("MUG", "CHRG")]
    assert found.suggestions[1].text() == "Customers who buy Charger often add Phone (67% of their orders)."


def test_too_few_orders_of_several_products_give_a_reason(hand_shop):
    # edge case: 5 orders hold two or more products, fewer than the 20 rules need to be more than chance
    found = basket.rules(hand_shop, 0, 0)
    assert found.missing == basket.TOO_FEW_BASKETS and found.table.empty
    assert found.missing_params == {"orders": 5, "needed": basket.MIN_MULTI_PRODUCT_ORDERS}
    assert found.to_json()["missing"] == basket.TOO_FEW_BASKETS


def test_orders_without_products_give_a_reason(workspace, tmp_path):
    # edge case: the export has no SKU or product name, so no order is in the base
    ingest.load(workspace, write_csv(tmp_path / "o.csv", """
        order_id,customer_id,order_time,order_total
        A1,c1,2024-05-01 10:00,100
        A2,c2,2024-05-02 10:00,50
    """), kind="orders")
    found = basket.rules(workspace)
    assert (found.orders, found.missing) == (0, basket.NEEDS_PRODUCTS)
    assert basket.cross_sell_suggestions(workspace).missing == basket.NEEDS_PRODUCTS


def _random_orders(seed: int, n_orders: int) -> tuple[str, list[tuple[str, bool, list[str | None]]]]:
    """A CSV of random orders over 12 products (some repeated in an order, some lines without a product,
    some orders cancelled) and the same orders as (order id, cancelled, products per line)."""
    rng = random.Random(seed)
    products = [f"P{i:02d}" for i in range(12)]
    weights = [12 - i for i in range(12)]  # popular and rare products
    rows, orders = ["order_id,customer_id,order_time,order_total,status,sku,product_name,quantity,unit_price"], []
    for number in range(n_orders):
        order_id, cancelled = f"R{number:04d}", rng.random() < 0.1
        lines = [rng.choices(products, weights)[0] if rng.random() > 0.05 else None
                 for _ in range(rng.choice([1, 1, 2, 2, 3, 4, 5]))]
        orders.append((order_id, cancelled, lines))
        for product in lines:
            rows.append(f"{order_id},c{number},2024-05-01 10:00,10,{'cancelled' if cancelled else 'completed'},"
                        f"{product or ''},{('Name ' + product) if product else ''},1,10")
    return "\n".join(rows) + "\n", orders


def test_every_rule_matches_a_brute_force_count(workspace, tmp_path):
    # edge case: ~5% of lines name no product; an order made only of such lines is not in the base
    text, orders = _random_orders(seed=7, n_orders=400)
    (tmp_path / "r.csv").write_text(text, encoding="utf-8")
    ingest.load(workspace, tmp_path / "r.csv", kind="orders")
    baskets = [sorted({p for p in lines if p}) for _, cancelled, lines in orders if not cancelled]
    baskets = [b for b in baskets if b]
    n = len(baskets)
    single = {p: sum(p in b for b in baskets) for p in {p for b in baskets for p in b}}
    together: dict[tuple[str, str], int] = {}
    for b in baskets:
        for a, c in itertools.combinations(b, 2):
            together[(a, c)] = together.get((a, c), 0) + 1
    min_support, min_confidence = 0.02, 0.15
    expected = {}
    for (a, c), count in together.items():
        for x, y in ((a, c), (c, a)):
            confidence = count / single[x]
            if count / n >= min_support and confidence >= min_confidence:
                expected[(x, y)] = (count, count / n, confidence, confidence / (single[y] / n))
    found = basket.rules(workspace, min_support, min_confidence)
    assert found.orders == n and found.missing is None
    got = {(r.antecedent, r.consequent): (r.count_orders_together, r.support, r.confidence, r.lift)
           for r in found.table.itertuples()}
    assert set(got) == set(expected) and len(got) > 20
    for key, (count, support, confidence, lift) in expected.items():
        assert got[key][0] == count
        assert got[key][1:] == pytest.approx((support, confidence, lift), rel=1e-12)
    assert list(found.table["lift"]) == sorted(found.table["lift"], reverse=True)


def test_rules_match_a_one_hot_matrix_product_on_the_demo_orders(workspace, tmp_path):
    # edge case: the demo has refunded orders (kept) and cancelled ones (left out) and repeated SKUs
    path = generate(tmp_path / "demo", order_lines=8_000)["orders"]
    ingest.load(workspace, path, kind="orders")
    lines = pd.read_csv(path, usecols=["order_id", "status", "sku"])
    cancelled = set(lines.loc[lines["status"].str.lower() == "cancelled", "order_id"])
    kept = lines[~lines["order_id"].isin(cancelled) & lines["sku"].notna()]
    x = (pd.crosstab(kept["order_id"], kept["sku"]) > 0).astype("int64")  # one row per order, one column per SKU
    n = len(x)
    both = x.T @ x  # both.loc[a, b]: orders holding a and b; the diagonal: orders holding a
    single = pd.Series(both.values.diagonal(), index=both.index)
    min_support, min_confidence = 0.002, 0.02
    pairs = both.rename_axis(index="antecedent", columns="consequent").stack().rename("together").reset_index()
    pairs = pairs[pairs["antecedent"] != pairs["consequent"]]
    pairs["support"] = pairs["together"] / n
    pairs["confidence"] = pairs["together"] / pairs["antecedent"].map(single)
    pairs["lift"] = pairs["confidence"] / (pairs["consequent"].map(single) / n)
    expected = pairs[(pairs["support"] >= min_support) & (pairs["confidence"] >= min_confidence)]
    expected = expected.set_index(["antecedent", "consequent"]).sort_index()
    found = basket.rules(workspace, min_support, min_confidence)
    got = found.table.set_index(["antecedent", "consequent"]).sort_index()
    assert found.orders == n and len(got) == len(expected) > 0
    assert list(got.index) == list(expected.index)
    assert list(got["count_orders_together"]) == list(expected["together"])
    for column in ("support", "confidence", "lift"):
        assert list(got[column]) == pytest.approx(list(expected[column]), rel=1e-12)


def test_a_product_that_only_follows_in_rules_is_named_too(workspace, tmp_path):
    # edge case: every order with the Lamp holds the Bulb, but most orders with the Bulb hold no Lamp, so the
    # only rule at 50% confidence is LAMP -> BULB: the Bulb starts no rule and was shown by its SKU alone
    path = write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,sku,product_name,quantity,unit_price
        A1,c1,2024-05-01 10:00,30,LAMP,Lamp,1,25
        A1,c1,2024-05-01 10:00,30,BULB,Bulb,1,5
        A2,c2,2024-05-02 10:00,5,BULB,Bulb,1,5
        A3,c3,2024-05-03 10:00,5,BULB,Bulb,1,5
        A4,c4,2024-05-04 10:00,5,BULB,Bulb,1,5
    """)
    ingest.load(workspace, path, kind="orders")
    found = basket.rules(workspace, 0.0, 0.5, min_multi_product_orders=1)
    assert found.table[["antecedent", "consequent", "antecedent_name", "consequent_name"]].values.tolist() == [
        ["LAMP", "BULB", "Lamp", "Bulb"]]  # confidence 1/1; BULB -> LAMP is 1/4
