"""The register as the page and the report see it: entries judged before/after, the quarterly review
(done, moved, not moved, open), the download in the reader's words, and the register in the report."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from core.data import ingest
from core.improvements import service
from core.report import service as report
from tests.conftest import write_csv

START = date(2026, 3, 15)  # before: 8-14 March, after: 15-21 March (7-day windows)
DAYS_BEFORE = [date(2026, 3, 8) + timedelta(days=i) for i in range(7)]
DAYS_AFTER = [START + timedelta(days=i) for i in range(7)]


@pytest.fixture
def shop(workspace, tmp_path):
    """140 orders of 90/110 before (AOV 100), 210 of 100/140 after (AOV 120): a real rise, as Welch sees it."""
    rows = [f"b{i},bc{i},{DAYS_BEFORE[i % 7]} 12:00,{v}" for i, v in enumerate([90, 110] * 70)]
    rows += [f"a{i},ac{i},{DAYS_AFTER[i % 7]} 12:00,{v}" for i, v in enumerate([100, 140] * 105)]
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", "\n".join(
        ["order_id,customer_id,order_time,order_total", *rows])), kind="orders")
    return workspace


def _judged(shop, today):
    table = service.entries(shop, today)
    return service.judged(table, service.compare_all(shop, service.measured(table), 7))


def test_the_register_judged_and_reviewed_by_quarter(shop):
    aov = service.add(shop, title="Raise order value", metric="aov", impact=3, urgency=3, owner="Ann", start=START,
                      due=date(2026, 3, 31), status="done")
    gmv = service.add(shop, title="Grow sales", metric="gmv", impact=5, urgency=4, owner="Bo", start=START,
                      due=date(2026, 3, 20))
    judged = _judged(shop, date(2026, 4, 1))
    # priority 5 x 4 = 20 before 3 x 3 = 9
    assert judged["id"].tolist() == [gmv, aov]
    rows = judged.set_index("id")
    assert rows.loc[aov, ["before", "after"]].tolist() == [100, 120] and rows.loc[aov, "change"] == pytest.approx(0.2)
    # GMV 14,000 -> 25,200 (+80%) is a total: measured, never tested
    assert rows.loc[gmv, "change"] == pytest.approx(0.8) and pd.isna(rows.loc[gmv, "p_value"])
    # edge case: the GMV entry was due 20 March and is not done: overdue on 1 April; the done one is not
    assert rows["overdue"].tolist() == [True, False]

    assert service.quarters(judged) == ["2026-Q1"]
    review = service.review(judged, "2026-Q1")
    # AOV: significant and up -> moved; GMV: measured but untested -> not moved; done: AOV; open: GMV
    assert review.moved["id"].tolist() == [aov] and review.not_moved["id"].tolist() == [gmv]
    assert review.done["id"].tolist() == [aov] and review.open["id"].tolist() == [gmv]


def test_the_quarter_spans():
    assert service.quarter_span("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert service.quarter_span("2024-Q1") == (date(2024, 1, 1), date(2024, 3, 31))  # edge case: a leap year


def test_the_download_speaks_the_readers_language(shop):
    service.add(shop, title="=cmd|' /C calc'!A0", metric="aov", impact=2, urgency=2, owner="", start=START)
    rows = service.register_file(_judged(shop, date(2026, 4, 1)), "zh")
    first = rows.iloc[0]
    # no due date: never overdue
    assert (first["指标"], first["状态"], first["变化"], first["已逾期"]) == ("笔单价", "计划", "+20.0%", "否")
    assert first["之前"] == 100 and first["之后"] == 120


def test_the_report_carries_the_register(shop):
    service.add(shop, title="Raise order value", metric="aov", impact=3, urgency=3, owner="Ann", start=START,
                due=date(2026, 3, 18))
    html = report.shop_report(shop, date(2026, 3, 8), date(2026, 3, 21), "en")
    # the report's end (21 March) is past the due date: the row is marked overdue
    assert "Improvement register" in html and "Raise order value" in html and '<tr class="bad">' in html
