"""The Data page's service: what a workspace holds, names for new workspaces, loads that fail cleanly."""

from __future__ import annotations

import pytest

from core.data import service
from core.data.ingest import RejectedRows
from core.platform.errors import WorkspaceError
from core.platform.workspace import Workspace
from tests.conftest import write_csv

ORDERS = """
    order_id,customer_id,order_time,order_total
    A1,c1,2024-05-01 10:00,100
    A2,c1,2024-05-03 09:00,40
    A3,c2,2024-05-07 18:30,60
"""


def test_summary_counts_rows_orders_customers_and_the_date_span(workspace, tmp_path):
    service.load(workspace, write_csv(tmp_path / "orders.csv", ORDERS))
    orders = service.summary(workspace)[0]
    # three lines, three orders, two customers (c1 ordered twice), 1 to 7 May
    assert orders == {"name": "orders", "rows": 3, "orders": 3, "customers": 2, "min_date": "2024-05-01", "max_date": "2024-05-07"}
    assert set(service.last_loaded(workspace)) == {"orders"}


def test_a_new_workspace_needs_a_letter_or_digit_and_a_free_name(data_dir, tmp_path):
    assert service.new_workspace("Corner Shop").path == data_dir / "corner_shop.duckdb"
    with pytest.raises(WorkspaceError) as caught:
        service.new_workspace("!!!")
    assert caught.value.key == "error.workspace_name"
    service.load(Workspace(data_dir / "corner_shop.duckdb"), write_csv(tmp_path / "orders.csv", ORDERS))
    with pytest.raises(WorkspaceError) as caught:
        service.new_workspace("corner shop")  # same file name once slugged
    assert caught.value.key == "error.workspace_exists"


def test_a_failed_first_load_leaves_no_workspace_file(data_dir, tmp_path):
    # edge case: the file would create the workspace, but one row's time does not parse
    bad = write_csv(tmp_path / "orders.csv", ORDERS + "A4,c3,someday,10\n")
    target = Workspace(data_dir / "new_shop.duckdb")
    with pytest.raises(RejectedRows):
        service.load(target, bad)
    assert not target.path.exists()


def test_the_price_outlier_choice_is_a_setting_not_data(workspace, tmp_path):
    service.load(workspace, write_csv(tmp_path / "orders.csv", ORDERS))
    assert service.excludes_price_outliers(workspace) is False
    service.save_excludes_price_outliers(workspace, True)
    assert service.excludes_price_outliers(workspace) is True
    assert workspace.data_version == 1  # only the load moved it
