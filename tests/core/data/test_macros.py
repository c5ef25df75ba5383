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
