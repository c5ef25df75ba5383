"""The Products & stock page on a tiny shop whose every figure is worked out by hand below.

Twelve Mondays, 2024-04-01 (week 0) to 2024-06-17 (week 11), each with the same three orders, in USD:

    order    customer  lines (sku name qty x price)          total
    W{w}a    ca        PH Phone 1 x 120, CA Case 1 x 10      130
    W{w}b    cb        PH Phone 1 x 120, CH Charger 1 x 10   130
    W{w}c    cc        CA Case 2 x 10                         20

and one older order, L0 (cd, 2024-03-01): LA Lamp 1 x 50. A week sells PH 2 ($240), CA 3 ($30), CH 1 ($10).

The last order is on Jun 17, so the default period (30 days) is May 19 - Jun 17: the Mondays of weeks 7..11,
five weeks; the period before, Apr 19 - May 18, holds weeks 3..6, four weeks (Apr 15 is week 2, outside).
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pandas as pd
import pytest

from core.data import ingest
from core.platform.workspace import Workspace
from tests.conftest import ROOT, write_csv
from tests.pages.conftest import page_for

WEEKS = 12
FIRST_MONDAY = date(2024, 4, 1)
HEADER = "order_id,customer_id,order_time,order_total,sku,product_name,quantity,unit_price,currency"

# PH 2 a week with a lead time of 21 days in the file; CA 3 a week and CH 1 a week; the lamp sold once
# (Mar 1) and sits in stock. CA and LA have no lead time in the file: the page's default (14 days) applies.
INVENTORY = """
    sku,stock_on_hand,unit_cost,lead_time_days
    PH,4,80,21
    CA,300,3,
    CH,10,4,7
    LA,5,20,
"""


def orders_csv() -> str:
    rows = [HEADER, "L0,cd,2024-03-01 09:00,50,LA,Lamp,1,50,USD"]
    for week in range(WEEKS):
        day = FIRST_MONDAY + timedelta(days=7 * week)
        rows += [f"W{week}a,ca,{day} 09:00,130,PH,Phone,1,120,USD", f"W{week}a,ca,{day} 09:00,130,CA,Case,1,10,USD",
                 f"W{week}b,cb,{day} 10:00,130,PH,Phone,1,120,USD", f"W{week}b,cb,{day} 10:00,130,CH,Charger,1,10,USD",
                 f"W{week}c,cc,{day} 11:00,20,CA,Case,2,10,USD"]
    return "\n".join(rows)


@pytest.fixture
def shop(data_dir) -> Workspace:
    workspace = Workspace(data_dir / "tiny_products.duckdb")
    ingest.load(workspace, write_csv(data_dir / "orders.csv", orders_csv()), kind="orders")
    return workspace


@pytest.fixture
def stocked(shop, data_dir) -> Workspace:
    ingest.load(shop, write_csv(data_dir / "inventory.csv", INVENTORY), kind="inventory")
    return shop


def page(workspace: Workspace, lang: str = "en"):
    at = page_for(workspace.path, "pages.products")
    at.session_state["lang"] = lang
    return at.run()


def metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


def table_with(at, *columns: str) -> pd.DataFrame:
    (found,) = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    return found


def charts(at) -> list:
    return at.get("vega_lite_chart")


def test_orders_alone(shop):
    at = page(shop)
    assert not at.exception and not at.error
    assert at.title[0].value == "Products & stock"
    found = metrics(at)
    # period revenue: PH 5 x 240 = 1,200, CA 5 x 30 = 150, CH 5 x 10 = 50, total 1,400.
    # PH is first with nothing ranked above it: A, 1,200 / 1,400 = 85.7%; CA has 1,200 (85.7%) above it,
    # under 95%: B, 150 / 1,400 = 10.7%; CH has 1,350 (96.4%) above it: C, 50 / 1,400 = 3.6%.
    # Edge: the lamp sold before both periods and is in no inventory file, so it is in no class at all.
    assert found["A: the products making the first 80% of revenue"] == ("Products: 1", "85.7%")
    assert found["B: the next 15% of revenue"] == ("Products: 1", "10.7%")
    assert found["C: the rest"] == ("Products: 1", "3.6%")
    products = table_with(at, "Product", "Units", "Revenue")
    phone = products[products["SKU"] == "PH"].iloc[0]
    # Phone: 2 a week for 5 weeks = 10 units, $1,200, in 10 orders (a and b) of 2 customers (ca, cb);
    # before: 4 weeks x $240 = $960, so growth 1,200 / 960 - 1 = +25.0%; no refund column: return rate "–"
    assert phone[["Product", "Class", "Units", "Revenue", "Share of revenue", "Growth", "Orders", "Customers",
                  "Return rate"]].tolist() == ["Phone", "A", "10", "$1,200", "85.7%", "+25.0%", "10", "2", "–"]
    assert products["SKU"].tolist() == ["PH", "CA", "CH"]  # by revenue; the lamp sold in neither period
    captions = [c.value for c in at.caption]
    # orders: 36 weekly + L0 = 37; with two or more products: a and b each week, 24. Pairs: PH-CA in the 12
    # a orders, PH-CH in the 12 b orders; each read both ways = 4 rules (support 12 / 37 = 32% clears 0.2%,
    # the weakest confidence, PH -> CA 12 / 24 = 50%, clears 10%).
    assert "From 37 orders, 24 of them with two or more different products: 4 rules meet both minimums." in captions
    # the only bundle: CH-PH, lift 12 x 37 / (12 x 24) = 1.54 (PH-CA: 12 x 37 / (24 x 24) = 0.77, below 1);
    # Charger -> Phone 12 / 12 = 100%, Phone -> Charger 12 / 24 = 50%
    bundles = table_with(at, "Bundle")
    assert bundles.values.tolist() == [["Charger + Phone", "12", "1.54", "100.0%", "50.0%"]]
    # no stock figures: the reorder plan and the slow movers say what to upload instead of a table
    needs = ("The reorder plan and slow movers need the inventory file (stock on hand per SKU, lead times if you"
             " have them): upload it on the Data page.")
    assert [i.value for i in at.info].count(needs) == 2
    assert not [d for d in at.dataframe if "Reorder point" in d.value.columns]
    # PH, CA, CH sold in all 12 weeks; the lamp in 1 week only: too few sales. Backtests need 8 + 8 weeks: none.
    assert found["Products forecast"] == ("3", "") and found["Too little history"] == ("1", "")
    assert found['Beat "same as last week"'] == ("–", "")
    assert len(charts(at)) == 2  # the ABC curve and one product's demand; no stock chart without stock


def test_with_the_inventory_file(stocked):
    at = page(stocked)
    assert not at.exception and not at.error
    plan = table_with(at, "Reorder point")
    # Each weekly series is constant, so the forecast is that constant with a zero-width band: daily demand
    # = weekly / 7, no safety stock, reorder point = daily x lead time, order = point + 30 days - on hand.
    #   PH 2/7 = 0.29 a day, lead 21 (file): point 6; 4 on hand <= 6: risk; 4 / (2/7) = 14 days;
    #      order ceil(6 + 30 x 2/7 - 4) = ceil(10.57) = 11
    #   CH 1/7 = 0.14, lead 7 (file): point 1; 10 on hand, 70 days of cover: ok
    #   CA 3/7 = 0.43, lead 14 (default): point 6; 300 / (3/7) = 700 days > 90: overstock
    #   LA one sale in the 16 weeks from its first (Mar 1 -> as of Jun 18: (109 - 1) // 7 + 1 = 16): too few
    #      sales to forecast, so its average week, 1/16, i.e. 1/112 a day = 0.01; point 14/112 = 0.125 -> "0";
    #      5 x 112 = 560 days: overstock. Edge: CA and LA tie on order 0 and go by SKU.
    assert plan[["Product", "SKU", "Status", "On hand", "Daily demand", "Days of cover", "Lead time (days)",
                 "Reorder point", "Order now"]].values.tolist() == [
        ["Phone", "PH", "Stock-out risk", "4", "0.29", "14", "21", "6", "11"],
        ["Charger", "CH", "OK", "10", "0.14", "70", "7", "1", "0"],
        ["Case", "CA", "Overstock", "300", "0.43", "700", "14 (default)", "6", "0"],
        ["Lamp", "LA", "Overstock", "5", "0.01", "560", "14 (default)", "0", "0"],
    ]
    # the lamp: 5 in stock, last sold Mar 1, 108 days before Jun 17 (60+): a slow mover; 5 x $20 at cost
    slow = table_with(at, "Stock value (cost)")
    assert slow.values.tolist() == [["Lamp", "5", "$100", "2024-03-01"]]
    # with the inventory file the lamp joins the product table: no sale in the period, revenue $0, class C
    products = table_with(at, "Product", "Units", "Revenue")
    assert products.loc[products["SKU"] == "LA", ["Units", "Revenue", "Class"]].values.tolist() == [["0", "$0", "C"]]
    assert metrics(at)["C: the rest"] == ("Products: 2", "3.6%")
    assert len(charts(at)) == 3  # + the stock statuses


def test_in_chinese(stocked):
    at = page(stocked, "zh")
    assert not at.exception and not at.error
    assert at.title[0].value == "商品与库存"
    plan = table_with(at, "状态")
    assert plan["状态"].tolist() == ["缺货风险", "正常", "库存积压", "库存积压"]  # same order as in English
    assert plan["商品"].tolist() == ["Phone", "Charger", "Case", "Lamp"]  # the shop's own names stay
    assert "14（默认）" in plan.iloc[:, 6].tolist()
    # no catalog text in English: every English sentence of the products catalog is absent from the page
    english = json.loads((ROOT / "core/platform/locales/en.json").read_text(encoding="utf-8"))
    chinese = json.loads((ROOT / "core/platform/locales/zh.json").read_text(encoding="utf-8"))
    shown = [e.value for kind in ("title", "subheader", "caption", "info", "markdown") for e in getattr(at, kind)]
    shown += [m.label for m in at.metric] + [str(c) for d in at.dataframe for c in d.value.columns]
    shown += [str(v) for d in at.dataframe for v in d.value.to_numpy().ravel()]
    words = {v for k, v in english.items() if k.startswith("products.") and v != chinese[k] and "{" not in v}
    assert not [text for text in shown if text in words]
    # nor any English word but the shop's product names and codes (edge: "SKU" reads the same in Chinese)
    allowed = {"Phone", "Case", "Charger", "Lamp", "SKU", "PH", "CA", "CH", "LA"}
    assert {w for text in shown for w in re.findall(r"[A-Za-z]{2,}", text)} <= allowed
    assert len(charts(at)) == 3


def test_without_orders_the_page_says_what_it_needs(data_dir):
    # edge: a stock file alone is not enough; every part of the page starts from the orders
    workspace = Workspace(data_dir / "stock_only.duckdb")
    ingest.load(workspace, write_csv(data_dir / "inventory.csv", INVENTORY), kind="inventory")
    at = page(workspace)
    assert not at.exception and not at.error
    assert at.title[0].value == "Products & stock"
    assert [i.value for i in at.info] == [
        "This needs data that the workspace does not have yet: Orders. Add it on the Data page."]
    assert not charts(at) and not at.metric and not at.dataframe
