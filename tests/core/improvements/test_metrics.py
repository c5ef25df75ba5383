"""Each register metric on a tiny shop whose figures are worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from core.data import ingest
from core.improvements import metrics
from tests.conftest import write_csv

D = date  # short dates in the tables below

ORDERS = """
    order_id,customer_id,order_time,order_total,status,sku,quantity,unit_price,channel
    o1,c1,2026-03-01 10:00,100,paid,s1,1,100,search
    o2,c2,2026-03-02 10:00,200,paid,s1,2,100,social
    o3,c1,2026-03-02 11:00,60,paid,s1,1,60,search
    o4,c3,2026-03-03 10:00,500,cancelled,s1,5,100,search
    o5,c2,2026-03-10 10:00,80,paid,s1,1,80,search
    o6,c4,2026-03-10 11:00,90,refunded,s1,1,90,search
"""
TRAFFIC = """
    date,channel,device,uv,bounce_rate
    2026-03-01,search,mobile,100,0.5
    2026-03-01,social,mobile,300,0.1
    2026-03-02,search,mobile,100,0.7
    2026-03-03,search,mobile,200,
    2026-03-10,search,mobile,400,0.25
"""


@pytest.fixture
def shop(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", ORDERS), kind="orders")
    ingest.load(workspace, write_csv(tmp_path / "traffic.csv", TRAFFIC), kind="traffic_daily")
    return workspace


def test_sales_totals_and_aov_leave_cancelled_orders_out(shop):
    march_1_to_3 = (D(2026, 3, 1), D(2026, 3, 3))
    # o1 100 + o2 200 + o3 60 = 360; o4 (500) is cancelled
    assert metrics.measure(shop, "gmv", None, *march_1_to_3).value == 360
    assert metrics.measure(shop, "orders", None, *march_1_to_3).value == 3
    assert metrics.measure(shop, "customers", None, *march_1_to_3).value == 2  # c1 twice is one customer
    aov = metrics.measure(shop, "aov", None, *march_1_to_3)
    # mean 360 / 3 = 120; sample variance ((-20)^2 + 80^2 + (-60)^2) / 2 = (400 + 6400 + 3600) / 2 = 5200
    assert (aov.value, aov.n, aov.mean) == (120, 3, 120) and aov.variance == pytest.approx(5200)
    # a channel narrows the orders: search has o1 and o3 only, 100 + 60
    assert metrics.measure(shop, "gmv", "search", *march_1_to_3).value == 160


def test_return_rate_counts_refunded_orders(shop):
    found = metrics.measure(shop, "return_rate", None, D(2026, 3, 10), D(2026, 3, 10))
    # o5 kept, o6 refunded: 1 of 2 orders
    assert (found.numerator, found.denominator) == (1, 2)
    empty = metrics.measure(shop, "return_rate", None, D(2026, 3, 5), D(2026, 3, 6))
    assert empty.value is None and empty.missing == "improvements.reason.no_orders_in_window"  # no orders: not 0%


def test_conversion_is_ordering_customers_over_visitors(shop):
    found = metrics.measure(shop, "conversion_rate", None, D(2026, 3, 1), D(2026, 3, 3))
    # c1 and c2 ordered; visitors 100 + 300 + 100 + 200 = 700
    assert (found.numerator, found.denominator) == (2, 700) and found.value == pytest.approx(2 / 700)
    social = metrics.measure(shop, "conversion_rate", "social", D(2026, 3, 1), D(2026, 3, 3))
    assert (social.numerator, social.denominator) == (1, 300)  # c2's o2 came from social


def test_bounce_rate_is_weighted_by_visitors_that_report_one(shop):
    found = metrics.measure(shop, "bounce_rate", None, D(2026, 3, 1), D(2026, 3, 3))
    # bounced 100 x 0.5 + 300 x 0.1 + 100 x 0.7 = 150 of 500 visitors (the 200 on 3 March report no rate)
    assert found.numerator == pytest.approx(150) and found.denominator == 500 and found.value == pytest.approx(0.3)
    assert metrics.measure(shop, "uv", None, D(2026, 3, 1), D(2026, 3, 3)).value == 700


def test_repurchase_counts_earlier_customers_who_came_back(shop):
    found = metrics.measure(shop, "repurchase_rate", None, D(2026, 3, 3), D(2026, 3, 10))
    # before 3 March c1 and c2 had ordered (c3's only order, on the 3rd, is cancelled); c2 came back on the 10th
    assert (found.numerator, found.denominator) == (1, 2)
    first_day = metrics.measure(shop, "repurchase_rate", None, D(2026, 3, 1), D(2026, 3, 1))
    assert first_day.value is None and first_day.missing == "improvements.reason.no_earlier_customers"


def test_missing_data_is_a_reason_never_zero(shop, workspace, tmp_path):
    # the days exist in no dataset
    outside = metrics.measure(shop, "gmv", None, D(2025, 1, 1), D(2025, 1, 28))
    assert outside.value is None and outside.missing == "improvements.reason.no_data_in_window"
    # inside the data but no traffic row for the days: conversion is not measured (not 0%)
    gap = metrics.measure(shop, "conversion_rate", None, D(2026, 3, 5), D(2026, 3, 6))
    assert gap.value is None and gap.missing == "improvements.reason.no_traffic_in_window"
    # no spend uploaded at all
    assert metrics.measure(shop, "channel_roi", "social", D(2026, 3, 1), D(2026, 3, 3)).missing == "improvements.reason.no_marketing_spend"
    # a metric that needs its detail
    assert metrics.measure(shop, "channel_roi", None, D(2026, 3, 1), D(2026, 3, 3)).missing == "improvements.reason.needs_channel"
    with pytest.raises(metrics.UnknownMetric):
        metrics.measure(shop, "happiness", None, D(2026, 3, 1), D(2026, 3, 3))


def test_the_days_a_metric_covers_follow_a_load(shop, tmp_path):
    # the days each dataset covers are kept per data version (every entry's windows ask): a load makes new ones
    assert metrics.data_range(shop, "gmv") == (D(2026, 3, 1), D(2026, 3, 10))
    later = "order_id,customer_id,order_time,order_total,status,sku,quantity,unit_price,channel\n" \
            "o7,c5,2026-03-20 10:00,70,paid,s1,1,70,search\n"
    ingest.load(shop, write_csv(tmp_path / "later.csv", later), kind="orders", mode="append")
    assert metrics.data_range(shop, "gmv") == (D(2026, 3, 1), D(2026, 3, 20))
    # edge: traffic stops on 10 March, so conversion still ends there
    assert metrics.data_range(shop, "conversion_rate") == (D(2026, 3, 1), D(2026, 3, 10))


def test_funnel_loss_uses_dated_rows_and_refuses_an_undated_funnel(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "funnel.csv", """
        step,stage,users,date,segment
        1,checkout,100,2026-03-01,all
        2,payment,45,2026-03-01,all
        1,checkout,300,2026-03-02,all
        2,payment,150,2026-03-02,all
        1,checkout,999,2026-03-02,mobile
        2,payment,1,2026-03-02,mobile
    """), kind="funnel_stages")
    found = metrics.measure(workspace, "funnel_loss_rate", "checkout", D(2026, 3, 1), D(2026, 3, 2))
    # the 'all' segment only: entered 100 + 300 = 400, reached payment 45 + 150 = 195, lost 205
    assert (found.numerator, found.denominator) == (205, 400) and found.value == pytest.approx(0.5125)
    assert metrics.measure(workspace, "funnel_loss_rate", "payment", D(2026, 3, 1), D(2026, 3, 2)).missing == "improvements.reason.last_stage"
    assert metrics.measure(workspace, "funnel_loss_rate", "cart", D(2026, 3, 1), D(2026, 3, 2)).missing == "improvements.reason.no_stage"


def test_undated_funnel(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "funnel.csv", "step,stage,users\n1,checkout,100\n2,payment,45\n"),
                kind="funnel_stages")
    # a snapshot without dates cannot be placed before or after a start
    assert metrics.measure(workspace, "funnel_loss_rate", "checkout", D(2026, 3, 1), D(2026, 3, 2)).missing == "improvements.reason.undated_funnel"


def test_channel_roi_counts_each_month_by_its_days_in_the_window(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "spend.csv", """
        month,channel,spend,attributed_revenue
        2026-03-01,social,3100,6200
        2026-04-01,social,3000,1500
        2026-04-01,search,100,900
    """), kind="marketing_spend")
    march = metrics.measure(workspace, "channel_roi", "social", D(2026, 3, 1), D(2026, 3, 31))
    assert march.value == pytest.approx(2.0)  # 6200 / 3100, the whole month
    # 22-31 March (10 of 31 days) and 1-10 April (10 of 30): spend 1000 + 1000, revenue 2000 + 500 -> 2500 / 2000
    straddling = metrics.measure(workspace, "channel_roi", "social", D(2026, 3, 22), D(2026, 4, 10))
    assert straddling.denominator == pytest.approx(2000) and straddling.value == pytest.approx(1.25)
