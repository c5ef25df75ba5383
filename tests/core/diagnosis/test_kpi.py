"""KPI overview and the GMV = UV x conversion x revenue per buyer bridge (the playbook's definitions)."""

from __future__ import annotations

from datetime import date

import pytest

from core.data import ingest
from core.data import service as data_service
from core.diagnosis import kpi
from core.diagnosis.kpi import Period, gmv_bridge
from core.platform.i18n import catalog
from tests.conftest import write_csv


def test_bridge_parts_are_hand_checkable_and_add_up():
    # before: 1000 UV, 20 orders from 20 customers (2%), GMV 2000 (100 per buyer);
    # after: 1200 UV, 30 orders from 30 customers (2.5%), GMV 2700 (90 per buyer)
    before = Period(date(2024, 4, 1), date(2024, 4, 30), 1000, 20, 2000, 20)
    after = Period(date(2024, 5, 1), date(2024, 5, 31), 1200, 30, 2700, 30)
    parts = dict(gmv_bridge(before, after))
    assert parts["uv"] == pytest.approx(200 * 0.02 * 100)  # 400
    assert parts["conversion_rate"] == pytest.approx(1200 * 0.005 * 100)  # 600
    assert parts["revenue_per_buyer"] == pytest.approx(1200 * 0.025 * -10)  # -300
    assert sum(parts.values()) == pytest.approx(after.gmv - before.gmv)


def test_conversion_counts_ordering_customers_and_the_identity_holds():
    # the playbook: conversion = ordering customers / UV, 客单价 = GMV / ordering customers.
    # 1000 UV, 30 orders from 20 customers, GMV 3000: conversion 20 / 1000 = 2% (orders / UV would say 3%),
    # revenue per buyer 3000 / 20 = 150, orders per customer 30 / 20 = 1.5, AOV 3000 / 30 = 100
    period = Period(date(2024, 5, 1), date(2024, 5, 31), 1000, 30, 3000, 20)
    assert period.conversion_rate == pytest.approx(0.02)
    assert period.revenue_per_buyer == pytest.approx(150) and period.orders_per_customer == pytest.approx(1.5)
    assert period.aov == pytest.approx(100)
    assert period.uv * period.conversion_rate * period.revenue_per_buyer == pytest.approx(period.gmv)  # 1000 x 2% x 150
    assert period.orders_per_customer * period.aov == pytest.approx(period.revenue_per_buyer)  # 1.5 x 100


def test_the_bridge_splits_repeat_buyers_by_customers():
    # before: 1000 UV, 20 customers placing 40 orders, GMV 4000 (2%, 200 per buyer);
    # after: 1000 UV, 30 customers placing 30 orders, GMV 4500 (3%, 150 per buyer).
    # Orders / UV would show conversion falling 4% -> 3%; by customers it rose 2% -> 3%.
    before = Period(date(2024, 4, 1), date(2024, 4, 30), 1000, 40, 4000, 20)
    after = Period(date(2024, 5, 1), date(2024, 5, 31), 1000, 30, 4500, 30)
    parts = dict(gmv_bridge(before, after))
    assert parts == pytest.approx({"uv": 0, "conversion_rate": 1000 * 0.01 * 200,  # 2,000
                                   "revenue_per_buyer": 1000 * 0.03 * -50})  # -1,500
    assert sum(parts.values()) == pytest.approx(500)
    found = {c.kpi: c.change for c in kpi.changes(before, after)}
    assert found["conversion_rate"] == pytest.approx(1.0)  # 3% - 2%, in points
    assert found["orders_per_customer"] == pytest.approx(-0.5)  # 1 / 2 - 1
    assert found["aov"] == pytest.approx(0.5)  # 150 / 100 - 1


def test_previous_period_has_the_same_length():
    assert kpi.previous(date(2024, 5, 1), date(2024, 5, 31)) == (date(2024, 3, 31), date(2024, 4, 30))


def test_period_totals_leave_cancelled_orders_out_and_net_refunds(workspace, tmp_path):
    # May: A1 (100) and A2 (80 - 30 refunded) by c1 and c2, A5 (60) by c1 again on another day; A3 cancelled
    ingest.load(workspace, write_csv(tmp_path / "o.csv", """
        order_id,customer_id,order_time,order_total,refunded_amount,status
        A1,c1,2024-05-01,100,0,paid
        A2,c2,2024-05-02,80,30,paid
        A3,c3,2024-05-03,500,0,cancelled
        A4,c4,2024-06-01,999,0,paid
        A5,c1,2024-05-04,60,0,paid
    """))
    ingest.load(workspace, write_csv(tmp_path / "t.csv", "date,uv\n2024-05-01,60\n2024-05-02,40\n"))
    may = kpi.period(workspace, date(2024, 5, 1), date(2024, 5, 31))
    # 3 orders, 2 ordering customers (c1 counted once over the period), GMV 100 + 50 + 60 = 210
    assert (may.uv, may.orders, may.customers, may.gmv) == (100, 3, 2, 210)
    assert may.conversion_rate == pytest.approx(0.02)  # 2 customers / 100 UV (orders / UV would say 3%)
    assert may.revenue_per_buyer == pytest.approx(105) and may.aov == pytest.approx(70)  # 210 / 2, 210 / 3


def test_changes_are_relative_except_conversion_in_points():
    # before: 1000 UV, 20 orders from 20 customers (2%), GMV 2000 (AOV 100);
    # after: 1200 UV, 30 orders from 30 customers (2.5%), GMV 2700 (AOV 90)
    before = Period(date(2024, 4, 1), date(2024, 4, 30), 1000, 20, 2000, 20)
    after = Period(date(2024, 5, 1), date(2024, 5, 31), 1200, 30, 2700, 30)
    found = {c.kpi: c for c in kpi.changes(before, after)}
    assert list(found) == ["gmv", "uv", "conversion_rate", "revenue_per_buyer", "orders", "customers",
                           "orders_per_customer", "aov"]
    assert found["revenue_per_buyer"].change == pytest.approx(-0.1) and found["orders_per_customer"].change == 0
    assert found["gmv"].change == pytest.approx(0.35)  # 2700 / 2000 - 1
    assert found["orders"].change == pytest.approx(0.5) and found["uv"].change == pytest.approx(0.2)
    assert found["aov"].change == pytest.approx(-0.1)  # 90 / 100 - 1
    assert found["conversion_rate"].change == pytest.approx(0.5) and found["conversion_rate"].in_points  # 2.5% - 2.0%
    assert (found["gmv"].value, found["gmv"].before) == (2700, 2000)


def test_no_change_against_nothing():
    # the period before had visitors but no orders: GMV, orders, the averages and conversion have no change; UV has one
    before = Period(date(2024, 4, 1), date(2024, 4, 30), 100, 0, 0, 0)
    after = Period(date(2024, 5, 1), date(2024, 5, 31), 100, 2, 150, 2)
    found = {c.kpi: c.change for c in kpi.changes(before, after)}
    assert found == {"gmv": None, "uv": 0.0, "conversion_rate": None, "revenue_per_buyer": None, "orders": None,
                     "customers": None, "orders_per_customer": None, "aov": None}
    assert before.aov is None and before.conversion_rate == 0  # no orders: no average; 0 of 100 visitors: a true 0%
    assert not kpi.has_bridge(before, after) and kpi.has_bridge(after, after)


def test_a_period_without_traffic_has_no_uv_and_no_conversion(workspace, tmp_path):
    # orders only: May has A1 (100) and A2 (80 - 30 refunded = 50); no daily traffic at all
    ingest.load(workspace, write_csv(tmp_path / "o.csv", """
        order_id,customer_id,order_time,order_total,refunded_amount
        A1,c1,2024-05-01,100,0
        A2,c2,2024-05-02,80,30
    """))
    may = kpi.period(workspace, date(2024, 5, 1), date(2024, 5, 31))
    assert (may.uv, may.orders, may.customers, may.gmv) == (None, 2, 2, 150)
    assert may.conversion_rate is None and may.aov == pytest.approx(75) and may.revenue_per_buyer == pytest.approx(75)
    assert may.why_missing("uv") == may.why_missing("conversion_rate") == kpi.NEEDS_TRAFFIC
    assert may.why_missing("aov") is None and may.why_missing("gmv") is None
    april = kpi.period(workspace, date(2024, 4, 1), date(2024, 4, 30))  # nothing at all: GMV and orders are 0 sales
    assert (april.uv, april.orders, april.gmv, april.aov) == (None, 0, 0, None)
    assert april.why_missing("aov") == kpi.NO_ORDERS
    assert kpi.bridge_missing(april, may) == kpi.BRIDGE_NEEDS_TRAFFIC and not kpi.has_bridge(april, may)


def test_changes_carry_why_a_figure_is_missing():
    # before: 1000 UV, 20 orders from 20 customers, GMV 2000; after: no traffic, 30 orders from 30, GMV 2700 (AOV 90)
    before = Period(date(2024, 4, 1), date(2024, 4, 30), 1000, 20, 2000, 20)
    after = Period(date(2024, 5, 1), date(2024, 5, 31), None, 30, 2700, 30)
    found = {c.kpi: c for c in kpi.changes(before, after)}
    assert (found["uv"].value, found["uv"].change, found["uv"].missing) == (None, None, kpi.NEEDS_TRAFFIC)
    assert (found["conversion_rate"].value, found["conversion_rate"].change) == (None, None)
    assert found["conversion_rate"].missing == kpi.NEEDS_TRAFFIC and found["conversion_rate"].before == pytest.approx(0.02)
    assert found["aov"].change == pytest.approx(-0.1) and found["aov"].missing is None  # 90 / 100 - 1
    assert found["gmv"].missing is None


def test_recorded_zero_visitors_give_no_rate():
    # traffic recorded 0 UV: UV is a true 0, the conversion rate has nothing to divide by
    empty = Period(date(2024, 5, 1), date(2024, 5, 31), 0, 3, 300, 3)
    assert empty.conversion_rate is None and empty.why_missing("conversion_rate") == kpi.NO_VISITORS
    assert empty.why_missing("uv") is None
    full = Period(date(2024, 4, 1), date(2024, 4, 30), 100, 3, 300, 3)
    assert kpi.bridge_missing(full, empty) == kpi.BRIDGE_NEEDS_VISITORS
    assert kpi.bridge_missing(Period(date(2024, 4, 1), date(2024, 4, 30), 100, 0, 0, 0), full) == kpi.BRIDGE_NEEDS_ORDERS
    nameless = Period(date(2024, 4, 1), date(2024, 4, 30), 100, 3, 300, 0)  # orders naming no customer
    assert kpi.bridge_missing(nameless, full) == kpi.BRIDGE_NEEDS_CUSTOMERS
    assert nameless.conversion_rate is None and nameless.why_missing("conversion_rate") == kpi.NO_CUSTOMERS
    assert nameless.aov == 100 and nameless.why_missing("revenue_per_buyer") == kpi.NO_CUSTOMERS
    assert kpi.bridge_missing(full, full) is None


def test_every_reason_is_worded_in_both_languages():
    reasons = {kpi.NEEDS_TRAFFIC, kpi.NO_VISITORS, kpi.NO_ORDERS, kpi.NO_CUSTOMERS, kpi.BRIDGE_NEEDS_TRAFFIC,
               kpi.BRIDGE_NEEDS_VISITORS, kpi.BRIDGE_NEEDS_ORDERS, kpi.BRIDGE_NEEDS_CUSTOMERS}
    names = {f"kpi.{k}" for k in kpi.KPIS} | {"kpi.factor.uv", "kpi.factor.conversion_rate", "kpi.factor.revenue_per_buyer"}
    for lang in ("en", "zh"):
        assert reasons | names <= set(catalog(lang))


def test_names_follow_the_playbook_in_both_languages():
    # 客单价 is GMV per ordering customer; GMV per order is the average order value, 笔单价
    en, zh = catalog("en"), catalog("zh")
    assert (zh["kpi.revenue_per_buyer"], zh["kpi.factor.revenue_per_buyer"], zh["kpi.aov"]) == ("客单价", "客单价", "笔单价")
    assert (en["kpi.revenue_per_buyer"], en["kpi.aov"], en["kpi.orders_per_customer"]) == (
        "Revenue per buyer", "Average order value", "Orders per customer")


def test_aov_leaves_price_outliers_out_when_the_owner_asks_and_gmv_keeps_them(workspace, tmp_path):
    # 11 one-line orders at 10 and one at 1,000: mean unit price 1,110 / 12 = 92.5, and 1,000 > 10 x 92.5,
    # so the last line is a price outlier (flagged at load, kept).
    rows = [f"O{i},c{i},2024-05-0{1 + i % 9},10,0,paid,S1,1,10" for i in range(1, 12)]
    rows.append("O12,c12,2024-05-10,1000,0,paid,S2,1,1000")
    ingest.load(workspace, write_csv(tmp_path / "o.csv", "order_id,customer_id,order_time,order_total,refunded_amount,status,"
                                     "sku,quantity,unit_price\n" + "\n".join(rows) + "\n"))
    may = (date(2024, 5, 1), date(2024, 5, 31))
    kept = kpi.period(workspace, *may)
    assert kept.gmv == 1110 and kept.aov == pytest.approx(92.5)  # 1,110 / 12 orders
    data_service.save_excludes_price_outliers(workspace, True)
    left_out = kpi.period(workspace, *may)
    assert left_out.aov == pytest.approx(10)  # 110 / 11: the outlier's order leaves the average
    # GMV and 客单价 (GMV per ordering customer) keep it, so GMV = UV x conversion x 客单价 still holds
    assert left_out.gmv == 1110 and left_out.revenue_per_buyer == pytest.approx(92.5)


def test_a_rate_s_change_is_in_points_in_english_and_in_chinese():
    # issue 12: "+1.00 pt" was left in English on the Chinese page
    change = kpi.Change("conversion_rate", 0.03, 0.02, 1.0, in_points=True)
    assert kpi.shown_change(change) == "+1.00 pt" and kpi.shown_change(change, "zh") == "+1.00 个百分点"
