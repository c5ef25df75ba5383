"""Inventory's optional lead time: read under its English and Chinese headers, absent without breaking a load."""

from __future__ import annotations

import shutil

import duckdb

from core.data import ingest
from core.data.datasets import INVENTORY, suggest_mapping
from core.platform.paths import SQL_DIR
from core.platform.workspace import migrate
from tests.conftest import table, write_csv


def test_lead_time_headers_in_english_and_chinese_map_to_the_field():
    for header in ("Lead time (days)", "lead_time_days", "Lead Time", "交货期", "采购周期", "到货天数", "补货周期"):
        assert suggest_mapping(INVENTORY, ["SKU", "Stock", header]).get("lead_time_days") == header, header


def test_inventory_with_lead_times_loads_them(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "stock.csv", """
        商家编码,库存,交货期
        A-1,10,14
        A-2,0,
        A-3,5,30
    """), kind="inventory")
    # a blank lead time is unknown (the owner's default applies later), never 0 days
    assert table(workspace, "select sku, stock_on_hand, lead_time_days from inventory order by 1") == [
        ("A-1", 10, 14), ("A-2", 0, None), ("A-3", 5, 30)]


def test_inventory_without_lead_times_still_loads(workspace, tmp_path):
    report = ingest.load(workspace, write_csv(tmp_path / "stock.csv", """
        sku,stock_on_hand,unit_cost
        A-1,10,2.5
        A-2,3,4
    """), kind="inventory")
    assert report.accepted_rows == 2
    assert table(workspace, "select sku, stock_on_hand, lead_time_days from inventory order by 1") == [
        ("A-1", 10, None), ("A-2", 3, None)]


def test_a_workspace_made_before_lead_times_gains_the_column(tmp_path):
    # edge case: a file at version 7 that already holds stock keeps it; the new column starts empty
    old_sql = tmp_path / "sql"
    shutil.copytree(SQL_DIR, old_sql)
    for later in (old_sql / "migrations").glob("*.sql"):  # the file as version 7 left it
        if int(later.name[:3]) >= 8:
            later.unlink()
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    assert migrate(con, old_sql) == 7
    con.execute("insert into inventory (sku, stock_on_hand) values ('A-1', 4)")
    assert migrate(con) >= 8
    assert con.execute("select sku, stock_on_hand, lead_time_days from inventory").fetchall() == [("A-1", 4, None)]
    con.close()
