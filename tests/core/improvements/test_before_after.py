"""Before and after on a shop whose change is set by hand: order value 100 -> 120, conversion 2% -> 3%;
the tests checked against statsmodels and scipy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from core.data import ingest
from core.improvements import before_after
from tests.conftest import write_csv

START = date(2026, 3, 15)  # before: 8-14 March, after: 15-21 March (7-day windows)
BEFORE_DAYS = [date(2026, 3, 8) + timedelta(days=i) for i in range(7)]
AFTER_DAYS = [START + timedelta(days=i) for i in range(7)]
BEFORE_VALUES = [90, 110] * 70  # 140 buyers (2% of 7,000 visitors), mean 100
AFTER_VALUES = [100, 140] * 105  # 210 buyers (3% of 7,000 visitors), mean 120


def _orders(days, values, prefix):
    return [f"{prefix}{i},{prefix}c{i},{days[i % len(days)]} 12:00,{v},s1,1,{v}" for i, v in enumerate(values)]


@pytest.fixture
def shop(workspace, tmp_path):
    lines = _orders(BEFORE_DAYS, BEFORE_VALUES, "b") + _orders(AFTER_DAYS, AFTER_VALUES, "a")
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", "\n".join(
        ["order_id,customer_id,order_time,order_total,sku,quantity,unit_price", *lines])), kind="orders")
    traffic = [f"{day},search,mobile,1000" for day in BEFORE_DAYS + AFTER_DAYS]  # 1,000 visitors a day
    ingest.load(workspace, write_csv(tmp_path / "traffic.csv", "\n".join(["date,channel,device,uv", *traffic])),
                kind="traffic_daily")
    return workspace


def test_aov_100_to_120_with_welch_as_scipy_computes_it(shop):
    found = before_after.compare(shop, "aov", None, START, window_days=7)
    assert (found.before.value, found.after.value) == (100, 120)
    assert found.change == pytest.approx(0.2)  # 120 / 100 - 1
    reference = stats.ttest_ind(BEFORE_VALUES, AFTER_VALUES, equal_var=False).pvalue
    assert found.test == "welch_t" and found.p_value == pytest.approx(reference, rel=1e-9)
    assert found.significant and found.improved


def test_conversion_2_to_3_percent_with_the_z_test_as_statsmodels_computes_it(shop):
    found = before_after.compare(shop, "conversion_rate", None, START, window_days=7)
    # 140 / 7,000 = 2% and 210 / 7,000 = 3%
    assert found.before.value == pytest.approx(0.02) and found.after.value == pytest.approx(0.03)
    assert found.change == pytest.approx(0.5) and found.difference == pytest.approx(0.01)
    _, reference = proportions_ztest([140, 210], [7000, 7000])
    assert found.test == "two_proportion_z" and found.p_value == pytest.approx(reference, rel=1e-9)
    assert found.significant


def test_totals_have_no_test(shop):
    found = before_after.compare(shop, "gmv", None, START, window_days=7)
    # 140 x 100 = 14,000 before; 210 x 120 = 25,200 after: +80%
    assert (found.before.value, found.after.value) == (14_000, 25_200) and found.change == pytest.approx(0.8)
    assert found.test is None and found.p_value is None and found.significant is None


def test_both_sides_cover_the_same_days_when_the_data_ends_sooner(shop):
    # the data ends on 21 March: from 18 March only 4 days are left, so before is 14-17 March, not 11-17
    found = before_after.compare(shop, "orders", None, date(2026, 3, 18), window_days=7)
    assert (found.before_days, found.after_days) == (4, 4)
    assert found.before.first_day == date(2026, 3, 14) and found.after.last_day == date(2026, 3, 21)
    # 14 March: 20 before-orders a day (140 / 7); 15-17 March: 30 a day (210 / 7) -> 20 + 90 = 110; after 4 x 30 = 120
    assert (found.before.value, found.after.value) == (110, 120)
    # data_end cuts earlier still: 15-19 March after, 10-14 March before
    cut = before_after.compare(shop, "orders", None, START, window_days=7, data_end=date(2026, 3, 19))
    assert (cut.before_days, cut.after_days) == (5, 5) and cut.after.value == 150


def test_an_entry_not_started_yet_shows_its_baseline(shop):
    # starts the day after the data ends: no after, the whole window before as the baseline
    found = before_after.compare(shop, "gmv", None, date(2026, 3, 22), window_days=7)
    assert found.before_days == 7 and found.before.value == 25_200
    assert found.after.value is None and found.after.missing == "improvements.reason.no_data_in_window"
    assert found.change is None and found.improved is None


def test_change_is_none_when_before_is_zero(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,sku,quantity,unit_price,channel
        o1,c1,2026-03-01 10:00,50,s1,1,50,search
        o2,c2,2026-03-03 10:00,70,s1,1,70,email
    """), kind="orders")
    found = before_after.compare(workspace, "gmv", "email", date(2026, 3, 3), window_days=2)
    # email sold nothing on 1-2 March: 0 is a real total, but a change from 0 has no ratio
    assert found.before.value == 0 and found.after.value == 70
    assert found.change is None and found.difference == 70


def test_without_the_dataset_both_sides_say_why(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,sku,quantity,unit_price
        o1,c1,2026-03-01 10:00,50,s1,1,50
    """), kind="orders")
    found = before_after.compare(workspace, "bounce_rate", None, date(2026, 3, 1))
    assert found.missing == "improvements.reason.no_traffic_daily" and found.before.value is None
    assert (found.before_days, found.after_days) == (0, 0)


def test_lower_is_better_for_bounce(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "traffic.csv", """
        date,channel,device,uv,bounce_rate
        2026-03-01,search,mobile,1000,0.6
        2026-03-02,search,mobile,1000,0.4
    """), kind="traffic_daily")
    found = before_after.compare(workspace, "bounce_rate", None, date(2026, 3, 2), window_days=1)
    # 600 of 1,000 bounced, then 400 of 1,000: down is the good way for bounce
    _, reference = proportions_ztest([600, 400], [1000, 1000])
    assert found.improved and found.p_value == pytest.approx(reference, rel=1e-9)
