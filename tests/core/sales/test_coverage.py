"""A figure the export cannot give is missing, not 0; one it gives as none is 0."""

from __future__ import annotations

from datetime import date

from core.data import ingest
from core.sales import service as sales
from tests.conftest import write_csv

MAY = (date(2024, 5, 1), date(2024, 5, 31))


def _figures(workspace):
    return {f.key: f for f in sales.overview(workspace, *MAY).figures}


def test_a_status_column_saying_completed_everywhere_means_no_cancellations(workspace, tmp_path):
    # edge case: the column is there, every order completed, no refund column: 0 cancelled, refunds unknown
    ingest.load(workspace, write_csv(tmp_path / "o.csv", """
        order_id,customer_id,order_time,order_total,status
        A1,c1,2024-05-01 10:00,100,completed
        A2,c2,2024-05-02 10:00,50,completed
    """))
    figures = _figures(workspace)
    assert figures["cancelled_orders"].value == 0 and figures["cancelled_orders"].missing is None
    assert figures["refunded_orders"].value is None and figures["refunded_orders"].missing is not None


def test_without_a_status_column_cancellations_are_missing(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "o.csv", """
        order_id,customer_id,order_time,order_total,refunded_amount
        A1,c1,2024-05-01 10:00,100,0
    """))
    figures = _figures(workspace)
    assert figures["cancelled_orders"].value is None and figures["cancelled_orders"].missing is not None
    assert figures["refunded_orders"].value == 0 and figures["refunded_amount"].value == 0
