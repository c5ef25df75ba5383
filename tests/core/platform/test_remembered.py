"""Results kept in the process (issue 16): reused while the data and the settings named stay as they were."""

from __future__ import annotations

import pandas as pd

from core.data import ingest
from core.platform import settings
from core.platform.remembered import remembered
from tests.conftest import write_csv

calls: list = []


@remembered("tiers.thresholds", size=2)
def orders_counted(workspace, day: str) -> int:
    calls.append(day)
    with workspace.cursor() as cur:
        return cur.execute("select count(*) from orders where cast(order_time as date) < ?", [day]).fetchone()[0]


def load(workspace, tmp_path, rows: str) -> None:
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", "order_id,customer_id,order_time,order_total,status\n" + rows),
                kind="orders")


def test_a_result_is_reused_until_the_data_or_its_settings_change(workspace, tmp_path):
    calls.clear()
    load(workspace, tmp_path, "o1,c1,2024-05-01 10:00,10,paid\no2,c2,2024-05-03 10:00,20,paid")
    assert orders_counted(workspace, "2024-05-02") == 1 and orders_counted(workspace, "2024-05-02") == 1
    assert calls == ["2024-05-02"]
    # another setting leaves it; the setting it reads, or new data, asks again
    settings.put(workspace, "touch.plan", {"x": 1})
    orders_counted(workspace, "2024-05-02")
    assert calls == ["2024-05-02"]
    settings.put(workspace, "tiers.thresholds", {"lines": "playbook"})
    orders_counted(workspace, "2024-05-02")
    assert calls == ["2024-05-02"] * 2
    load(workspace, tmp_path, "o1,c1,2024-05-01 10:00,10,paid\no3,c3,2024-04-30 10:00,5,paid")  # a load: new data version
    assert orders_counted(workspace, "2024-05-02") == 2 and calls == ["2024-05-02"] * 3


def test_only_the_latest_results_are_kept(workspace, tmp_path):
    calls.clear()
    load(workspace, tmp_path, "o1,c1,2024-05-01 10:00,10,paid")
    for day in ["2024-05-02", "2024-05-03", "2024-05-04", "2024-05-03", "2024-05-02"]:
        orders_counted(workspace, day)
    # edge: two kept; 05-03 was still kept when asked again, 05-02 had made way for 05-04
    assert calls == ["2024-05-02", "2024-05-03", "2024-05-04", "2024-05-02"]


@remembered(size=4, max_bytes=12_000)
def numbers(workspace, start: int) -> pd.DataFrame:
    calls.append(start)
    return pd.DataFrame({"n": range(start, start + 1000)})  # 8,000 bytes of int64, and the index's 132


def test_results_too_big_to_keep_together_are_kept_one_at_a_time(workspace):
    calls.clear()
    workspace.open()
    for start in [1, 1, 2, 2, 1]:
        assert numbers(workspace, start)["n"].iloc[0] == start
    # edge: room for four results by count, for one by size: the second 1 found it, the last did not
    assert calls == [1, 2, 1]
