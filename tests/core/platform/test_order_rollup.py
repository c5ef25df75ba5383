"""The order rollup (issue 16, docs/decisions/0015): one row per order, kept in step with the lines."""

from __future__ import annotations

from core.data import service
from core.platform import order_rollup
from core.platform.workspace import Workspace, close_connection
from tests.conftest import table, write_csv

# A1: two lines, 2 x 10 and 1 x 5, paid 25 with 5 refunded. A2: one line. 20 more cheap lines keep the mean
# price low, so A3's 1,000 a unit is more than 10x the mean: a price outlier.
LINES = ["order_id,customer_id,order_time,order_total,refunded_amount,sku,quantity,unit_price",
         "A1,c1,2024-05-01 10:00,25,5,p1,2,10", "A1,c1,2024-05-01 10:00,25,5,p2,1,5",
         "A2,c2,2024-05-02 11:00,8,0,p1,1,8",
         "A3,c3,2024-05-03 12:00,1004,0,p9,1,1000", "A3,c3,2024-05-03 12:00,1004,0,p1,1,4",
         *[f"B{i},c{i + 10},2024-05-04 09:00,3,0,p1,1,3" for i in range(20)]]


def summary(workspace, ids=("A1", "A2", "A3")):
    return table(workspace, "select order_id, order_revenue, revenue_for_averages from order_summary "
                            "where order_id in (select unnest(?)) order by order_id", [list(ids)])


def test_orders_are_rolled_up_from_their_lines(workspace, tmp_path):
    service.load(workspace, write_csv(tmp_path / "orders.csv", "\n".join(LINES) + "\n"))
    # by hand: revenue = total - refund; A3's outlier line (1,000) stays in revenue
    assert summary(workspace) == [("A1", 20.0, 20.0), ("A2", 8.0, 8.0), ("A3", 1004.0, 1004.0)]
    version = workspace.meta(order_rollup.VERSION_META)
    service.save_excludes_price_outliers(workspace, True)
    # edge: the owner's choice applies at once without a rebuild: A3 without its outlier line is 4
    assert summary(workspace) == [("A1", 20.0, 20.0), ("A2", 8.0, 8.0), ("A3", 1004.0, 4.0)]
    assert workspace.meta(order_rollup.VERSION_META) == version


def test_a_load_brings_its_orders_and_an_old_rollup_is_rebuilt_when_opened(workspace, tmp_path, data_dir):
    service.load(workspace, write_csv(tmp_path / "orders.csv", "\n".join(LINES[:4]) + "\n"))
    assert [row[0] for row in summary(workspace)] == ["A1", "A2"]
    service.load(workspace, write_csv(tmp_path / "more.csv", LINES[0] + "\nA4,c4,2024-05-05 10:00,7,0,p1,1,7\n"))
    assert table(workspace, "select count(*) from order_summary") == [(3,)]
    with workspace.cursor() as cur:  # as a workspace of an older ShopLens: rollup empty, no version
        cur.execute("delete from order_rollup")
        cur.execute("delete from workspace_meta where key = ?", [order_rollup.VERSION_META])
    close_connection(workspace.path)
    reopened = Workspace(workspace.path)
    assert table(reopened, "select count(*) from order_summary") == [(3,)]


def test_a_new_earliest_plausible_date_rolls_the_orders_up_again(workspace, tmp_path):
    from core.platform import settings

    service.load(workspace, write_csv(tmp_path / "orders.csv", "\n".join(LINES[:4]) + "\n"))
    settings.put(workspace, "plausible_earliest_date", "2024-05-02")
    # edge: A1 (1 May) is no longer a usable date, so its order leaves the rollup with its lines
    assert [row[0] for row in summary(workspace)] == ["A2"]
    with workspace.cursor() as cur:
        assert order_rollup.is_fresh(cur)


def test_a_file_of_another_dataset_leaves_the_rollup_alone(workspace, tmp_path, monkeypatch):
    service.load(workspace, write_csv(tmp_path / "orders.csv", "\n".join(LINES) + "\n"))
    version, data = workspace.meta(order_rollup.VERSION_META), workspace.data_version
    rebuilds = []
    monkeypatch.setattr(order_rollup, "rebuild", lambda cur: rebuilds.append(cur))
    service.load(workspace, write_csv(tmp_path / "traffic.csv", "date,channel,visitors\n2024-05-01,search,120\n"))
    # edge case: the data changed (pages recompute), the orders did not: no rebuild, now or when opened again
    assert workspace.data_version == data + 1
    close_connection(workspace.path)
    reopened = Workspace(workspace.path)
    assert table(reopened, "select count(*) from order_summary") == [(23,)]
    assert (rebuilds, reopened.meta(order_rollup.VERSION_META)) == ([], version)
