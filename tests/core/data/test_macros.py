"""The parsing rules in sql/macros.sql, value by value: the fast path must give what the general path gives."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from core.platform.paths import read_sql


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    connection.execute(read_sql("macros.sql"))
    yield connection
    connection.close()


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-05-01 10:00:00", datetime(2024, 5, 1, 10, 0)),
    ("2024-05-01 10:00:00 +0000", datetime(2024, 5, 1, 10, 0)),       # Shopify: the wall clock, offset dropped
    ("2024-05-01T10:00:00+08:00", datetime(2024, 5, 1, 10, 0)),       # WooCommerce
    ("2024-05-01T23:30:00.250Z", datetime(2024, 5, 1, 23, 30, 0, 250_000)),
    ("2024-05-01 10:00-0500", datetime(2024, 5, 1, 10, 0)),
    ("2024-05-01", datetime(2024, 5, 1)),
    ("2024-05-01 10:00:00 UTC", datetime(2024, 5, 1, 10, 0)),          # a zone name: the general path
    ("2024-02-30 10:00:00 +0000", None),                              # no such day, fast path or not
    ("2024-05-01 25:00:00 +0000", None),                              # no such hour
])
def test_iso_timestamps_with_and_without_an_offset(con, text, expected):
    fast, general = con.execute(
        "select parse_timestamp($1, false), try_cast(timestamp_text($1) as timestamp)", [text]).fetchone()
    assert fast == expected
    assert general == expected  # the general path, which strips offsets by itself, agrees


@pytest.mark.parametrize("text", [
    "2024-05-01 10:00:00+08", "2024-05-01 10:00:00 -0500", "2024-05-01 10:00:00 GMT", "2024-05-01 10:00:00 EST",
    "2024-05-01 10:00:00 America/New_York", " 2024-05-01 10:00 ", "2024-5-1", "2024-05-01 24:00:00", "2024/05/01",
    "2024-05-01T10:00", "2024-05-01 10:00:00.123456789", "2024-05-01 10:00:00 +08:00:00", "2024-05-01 10:00:00 +2500",
    "2024-05-01 1:2:3", "24-05-01", "2024-05-01 10:00:00.5 +0800", "2024-05-01 10:00:00 PM",
])
def test_text_that_casts_casts_to_what_the_general_path_gives(con, text):
    # the fast path (a cast of the text as it is) may only answer where the general path, which drops offsets and
    # zone names first, gives the same wall clock
    cast, general = con.execute("select try_cast($1 as timestamp), try_cast(timestamp_text($1) as timestamp)", [text]).fetchone()
    assert cast is not None and cast == general


@pytest.mark.parametrize(("text", "month_first", "day_first"), [
    ("01/02/2024", datetime(2024, 1, 2), datetime(2024, 2, 1)),
    ("05/01/2024 10:00", datetime(2024, 5, 1, 10, 0), datetime(2024, 1, 5, 10, 0)),
    ("01.02.2024", None, datetime(2024, 2, 1)),
    ("2024年5月1日", datetime(2024, 5, 1), datetime(2024, 5, 1)),
    ("20240501", datetime(2024, 5, 1), datetime(2024, 5, 1)),
])
def test_text_the_cast_refuses_still_reads_by_the_shop_s_day_order(con, text, month_first, day_first):
    # edge: the cast must not claim these (it would read 01/02 one way for every shop)
    assert con.execute("select try_cast($1 as timestamp)", [text]).fetchone()[0] is None
    assert con.execute("select parse_timestamp($1, false), parse_timestamp($1, true)", [text]).fetchone() == (month_first, day_first)
