"""Validation, cleaning, atomicity and idempotency: each test one edge case on a tiny file."""

from __future__ import annotations

import pytest

from core.data import ingest
from core.platform.workspace import Workspace
from tests.conftest import table, write_csv

ORDERS = """
    order_id,customer_id,order_time,order_total,sku,quantity,unit_price
    A1,c1,2024-05-01 10:00,100,s1,1,100
    A2,c2,2024-05-02 11:00,50,s2,2,25
"""


def test_bad_values_are_located_by_file_row_and_column(workspace, tmp_path):
    path = write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,sku,quantity,unit_price
        A1,c1,2024-05-01 10:00,100,s1,1,100
        A2,c2,yesterday,50,s2,1,50
        A3,,2024-05-03 10:00,abc,s3,1,10
    """)
    report = ingest.preview(workspace, path)
    assert report.rejected_count == 2 and report.accepted_rows == 1
    texts = [p.text() for p in report.problems]
    assert texts == [
        "orders.csv, row 3, column 'order_time': expected a date and time such as 2024-05-01 10:00, got 'yesterday'.",
        "orders.csv, row 4, column 'customer_id': expected a value (this column is required), got ''.",
        "orders.csv, row 4, column 'order_total': expected a number such as 1234.50, got 'abc'.",
    ]
    # the rejected rows are listed with their original values, never dropped silently
    assert report.rejected["row"].tolist() == [3, 4]
    assert report.rejected["order_total"].tolist() == ["50", "abc"]


def test_rejected_rows_refuse_the_whole_file_unless_skipped(workspace, tmp_path):
    path = write_csv(tmp_path / "orders.csv", ORDERS + "A3,c3,2024-05-03,notanumber,s3,1,1\n")
    with pytest.raises(ingest.RejectedRows) as caught:
        ingest.load(workspace, path)
    assert "1 row(s) cannot be loaded" in str(caught.value) and "row 4" in str(caught.value)
    assert table(workspace, "select count(*) from orders") == [(0,)]
    report = ingest.load(workspace, path, skip_bad_rows=True)
    assert report.loaded_rows == 2 and report.rejected_count == 1


def test_malformed_rows_keep_their_line_numbers(workspace, tmp_path):
    # row 3 has an extra field; row 4 must still be called row 4
    path = write_csv(tmp_path / "traffic.csv", """
        date,channel,uv
        2024-05-01,a,10
        2024-05-02,a,11,99
        2024-05-03,a,oops
    """)
    report = ingest.preview(workspace, path)
    assert [(p.row, p.code) for p in report.problems] == [(3, "malformed_row"), (4, "not_integer")]
    assert report.accepted_rows == 1
    # rows, not DuckDB's reject entries: 3 rows, rows 3 and 4 rejected
    assert (report.total_rows, report.rejected_count) == (3, 2)


def test_missing_measure_is_filled_with_the_median_and_reported(workspace, tmp_path):
    path = write_csv(tmp_path / "traffic.csv", """
        date,channel,uv
        2024-05-01,a,10
        2024-05-02,a,
        2024-05-03,a,30
        2024-05-04,a,40
    """)
    report = ingest.load(workspace, path)
    assert [(n.code, n.column, n.count, n.value) for n in report.cleaning] == [("cleaning.median_filled", "uv", 1, 30.0)]
    assert table(workspace, "select uv from traffic_daily where date = '2024-05-02'") == [(30,)]


def test_price_above_ten_times_the_mean_is_flagged_not_dropped(workspace, tmp_path):
    lines = "\n".join(f"O{i},c{i},2024-05-01,10,s,1,10" for i in range(20))
    header = "order_id,customer_id,order_time,order_total,sku,quantity,unit_price\n"
    path = write_csv(tmp_path / "orders.csv", header + lines + "\nO99,c99,2024-05-01,2999,s,1,2999")
    report = ingest.load(workspace, path)
    # mean = (20*10 + 2999)/21 = 152.3; 2999 > 1523 and 10 is not
    assert [(n.code, n.count) for n in report.cleaning] == [("cleaning.price_outliers", 1)]
    assert table(workspace, "select order_id from orders where is_price_outlier") == [("O99",)]
    assert table(workspace, "select count(*) from orders") == [(21,)]


def test_day_first_dates_are_recognised_from_the_data(workspace, tmp_path):
    # 13/05/2024 cannot be month-first, so the column is read day-first and 01/05 is 1 May
    path = write_csv(tmp_path / "traffic.csv", """
        date,uv
        01/05/2024,10
        13/05/2024,12
    """)
    report = ingest.load(workspace, path)
    assert report.day_first is True
    assert table(workspace, "select date::varchar from traffic_daily order by 1") == [("2024-05-01",), ("2024-05-13",)]


def test_ambiguous_dates_default_to_month_first_and_can_be_overridden(workspace, tmp_path):
    path = write_csv(tmp_path / "traffic.csv", """
        date,uv
        01/02/2024,10
    """)
    assert ingest.preview(workspace, path).sample["date"].astype(str).tolist() == ["2024-01-02"]
    assert ingest.preview(workspace, path, day_first=True).sample["date"].astype(str).tolist() == ["2024-02-01"]


def test_duplicate_keys_in_one_file_are_rejected_with_the_first_row(workspace, tmp_path):
    path = write_csv(tmp_path / "traffic.csv", """
        date,channel,uv
        2024-05-01,a,10
        2024-05-01,a,12
    """)
    report = ingest.preview(workspace, path)
    assert [(p.row, p.code, p.detail) for p in report.problems] == [(3, "duplicate_key", "2")]


def test_conversions_above_users_are_rejected(workspace, tmp_path):
    path = write_csv(tmp_path / "exp.csv", """
        experiment,variant,users,conversions
        t,A,100,10
        t,B,100,101
    """)
    report = ingest.preview(workspace, path)
    assert [(p.row, p.code) for p in report.problems] == [(3, "conversions_above_users")]


def test_missing_required_columns_name_them(workspace, tmp_path):
    path = write_csv(tmp_path / "orders.csv", "order_id,customer_id\nA1,c1\n")
    with pytest.raises(ingest.IngestError) as caught:
        ingest.load(workspace, path, kind="orders")
    # issue 12: named as the mapping form labels them ("Order time *"), in the user's language
    assert str(caught.value) == "orders.csv: required columns for Orders are not mapped: Order time, Order total (paid)."
    assert caught.value.text("zh") == "orders.csv：订单的必填列未映射：下单时间、订单实付金额。"


def test_unrecognised_headers_ask_for_a_kind(workspace, tmp_path):
    path = write_csv(tmp_path / "misc.csv", "foo,bar\n1,2\n")
    with pytest.raises(ingest.IngestError, match="match no dataset"):
        ingest.preview(workspace, path)
    assert ingest.inspect(path) == (["foo", "bar"], None)


def test_a_malformed_row_among_the_first_lines_is_rejected_not_the_file(workspace, tmp_path):
    # edge case: the Data page inspects a file before it previews it; DuckDB's sniffer refused the whole file
    # over one short row near the top, so the owner never saw the rows a load would keep
    path = write_csv(tmp_path / "orders.csv", "order_id,customer_id,order_time,order_total\n"
                     "A1,c1,2024-05-01 10:00,10\nA2,c2\nA3,c3,2024-05-03 10:00,30,extra\nA4,c4,2024-05-04 10:00,40\n")
    assert ingest.inspect(path) == (["order_id", "customer_id", "order_time", "order_total"], "orders")
    report = ingest.preview(workspace, path)
    assert (report.total_rows, report.rejected_count, [p.row for p in report.problems]) == (4, 2, [3, 4])


def test_a_user_mapping_overrides_the_suggestion(workspace, tmp_path):
    path = write_csv(tmp_path / "t.csv", "day_of_visit,people\n2024-05-01,7\n")
    ingest.load(workspace, path, kind="traffic_daily", mapping={"date": "day_of_visit", "uv": "people"})
    assert table(workspace, "select date::varchar, uv from traffic_daily") == [("2024-05-01", 7)]


def test_same_file_twice_does_not_double_count(workspace, tmp_path):
    path = write_csv(tmp_path / "orders.csv", ORDERS)
    ingest.load(workspace, path)
    ingest.load(workspace, path)
    assert table(workspace, "select count(*), sum(order_total) from orders") == [(2, 150.0)]


def test_append_replaces_orders_present_in_the_new_file(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "may.csv", ORDERS))
    # A2 re-exported with one line less and a new total; A3 is new; A1 untouched
    ingest.load(workspace, write_csv(tmp_path / "june.csv", """
        order_id,customer_id,order_time,order_total,sku,quantity,unit_price
        A2,c2,2024-05-02 11:00,40,s2,1,40
        A3,c3,2024-06-01 09:00,70,s3,1,70
    """))
    assert table(workspace, "select order_id, order_total from orders order by 1") == [("A1", 100.0), ("A2", 40.0), ("A3", 70.0)]


def test_replace_mode_empties_the_dataset_first(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "may.csv", ORDERS))
    ingest.load(workspace, write_csv(tmp_path / "one.csv", "order_id,customer_id,order_time,order_total\nZ9,c9,2024-07-01,5\n"), mode="replace")
    assert table(workspace, "select order_id from orders") == [("Z9",)]


def test_a_failure_half_way_through_the_commit_changes_nothing(workspace, tmp_path, monkeypatch):
    ingest.load(workspace, write_csv(tmp_path / "may.csv", ORDERS))
    before = table(workspace, "select * from orders order by order_id")
    version = workspace.data_version

    def fail(self, cur, orders=True):
        raise RuntimeError("disk full")

    # the delete and insert have run when the version bump fails
    monkeypatch.setattr(Workspace, "bump_data_version", fail)
    with pytest.raises(RuntimeError):
        ingest.load(workspace, write_csv(tmp_path / "new.csv", ORDERS.replace("100", "999")), mode="replace")
    assert table(workspace, "select * from orders order by order_id") == before
    assert workspace.data_version == version
    assert table(workspace, "select count(*) from load_log") == [(1,)]


def test_the_demo_is_read_only(data_dir, tmp_path):
    from core.data.demo import ensure_demo
    from core.platform.errors import WorkspaceReadOnly

    demo = ensure_demo()
    with pytest.raises(WorkspaceReadOnly, match="read-only"):
        ingest.load(demo, write_csv(tmp_path / "orders.csv", ORDERS))


def test_data_version_moves_with_every_load(workspace, tmp_path):
    assert workspace.data_version == 0
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", ORDERS))
    assert workspace.data_version == 1


def test_outliers_leave_averages_only_when_the_owner_asks(workspace, tmp_path):
    from core.platform import settings

    lines = "\n".join(f"O{i},c{i},2024-05-01,10,s,1,10" for i in range(20))
    header = "order_id,customer_id,order_time,order_total,sku,quantity,unit_price\n"
    ingest.load(workspace, write_csv(tmp_path / "o.csv", header + lines + "\nO99,c99,2024-05-01,2999,s,1,2999"))
    average = "select avg(unit_price) filter (where counts_in_averages) from order_lines"
    assert table(workspace, average) == [(pytest.approx((200 + 2999) / 21),)]
    settings.put(workspace, "exclude_price_outliers", True)
    assert table(workspace, average) == [(10.0,)]


def test_counts_too_large_or_not_finite_are_reported_not_crashing(workspace, tmp_path):
    path = write_csv(tmp_path / "traffic.csv", """
        date,uv
        2024-05-01,10
        2024-05-02,inf
        2024-05-03,1e300
        2024-05-04,nan
    """)
    report = ingest.preview(workspace, path)
    assert [(p.row, p.code) for p in report.problems] == [(3, "not_integer"), (4, "not_integer"), (5, "not_integer")]
