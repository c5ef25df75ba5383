"""The tiny shop every sales test works out by hand.

Eleven orders of five customers, Jan 5 - Apr 20, 2024, in USD. Cancelled orders (F2, A2) count nowhere but
in the cancellations; F1 was refunded 30 of its 80; c1 comes back in March after a gap in February, c5 in
April after one in March; c3's first order (F2) was cancelled, so c3 is new in March.

    order  customer  day     total  refund  status     lines (sku name category qty x price)
    J1     c1        01-05   100    0       completed  S1 Mug Kitchen 2 x 50
    J2     c2        01-20    50    0       completed  S2 Tea Food 1 x 50
    F1     c2        02-03    80   30       refunded   S1 Mug Kitchen 1 x 60, S2 Tea Food 1 x 20
    F2     c3        02-15   200    0       cancelled  S3 Lamp Home 1 x 200
    F3     c5        02-28    70    0       completed  S2 Tea Food 2 x 35
    M2     c3        03-02    40    0       completed  S4 Cocoa Food 1 x 40
    M1     c1        03-10    60    0       completed  S3 Lamp Home 1 x 60
    M3     c4        03-25   120    0       completed  S1 Mug Kitchen 2 x 60
    A1     c5        04-01    30    0       completed  S2 Tea Food 1 x 30
    A2     c4        04-12    90    0       cancelled  S1 Mug Kitchen 1 x 90
    A3     c2        04-20   110    0       completed  S3 Lamp Home 1 x 110
"""

from __future__ import annotations

import math

from core.data import ingest
from core.platform.workspace import Workspace
from tests.conftest import write_csv

TINY_ORDERS = """
    order_id,customer_id,order_time,order_total,refunded_amount,status,sku,product_name,category,quantity,unit_price,currency
    J1,c1,2024-01-05 10:00,100,0,completed,S1,Mug,Kitchen,2,50,USD
    J2,c2,2024-01-20 10:00,50,0,completed,S2,Tea,Food,1,50,USD
    F1,c2,2024-02-03 10:00,80,30,refunded,S1,Mug,Kitchen,1,60,USD
    F1,c2,2024-02-03 10:00,80,30,refunded,S2,Tea,Food,1,20,USD
    F2,c3,2024-02-15 10:00,200,0,cancelled,S3,Lamp,Home,1,200,USD
    F3,c5,2024-02-28 10:00,70,0,completed,S2,Tea,Food,2,35,USD
    M1,c1,2024-03-10 10:00,60,0,completed,S3,Lamp,Home,1,60,USD
    M2,c3,2024-03-02 10:00,40,0,completed,S4,Cocoa,Food,1,40,USD
    M3,c4,2024-03-25 10:00,120,0,completed,S1,Mug,Kitchen,2,60,USD
    A1,c5,2024-04-01 10:00,30,0,completed,S2,Tea,Food,1,30,USD
    A2,c4,2024-04-12 10:00,90,0,cancelled,S1,Mug,Kitchen,1,90,USD
    A3,c2,2024-04-20 10:00,110,0,completed,S3,Lamp,Home,1,110,USD
"""


def load_orders(workspace: Workspace, folder, text: str) -> Workspace:
    ingest.load(workspace, write_csv(folder / "orders.csv", text), kind="orders")
    return workspace


def same(actual, expected) -> bool:
    """Equal, numbers to 1e-9 relative (a sum of floats in SQL may differ from Python's in the last digit)."""
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and actual.keys() == expected.keys()
                and all(same(actual[k], expected[k]) for k in expected))
    if isinstance(expected, (list, tuple)):
        return len(actual) == len(expected) and all(same(a, e) for a, e in zip(actual, expected))
    if isinstance(expected, float) and expected == expected:
        return isinstance(actual, (int, float)) and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(expected, float):  # nan
        return actual != actual
    return actual == expected
