"""Every write goes through one transaction helper: all or nothing, and never into the demo."""

from __future__ import annotations

import pandas as pd
import pytest

from core.data import ingest
from core.data import service as data_service
from core.diagnosis import health
from core.experiments import register
from core.platform import settings
from core.platform.errors import WorkspaceReadOnly
from core.platform.transactions import transaction
from core.platform.workspace import Workspace, delete_workspace
from tests.conftest import table, write_csv

ORDERS = """
    order_id,customer_id,order_time,order_total
    A1,c1,2024-05-01 10:00,100
"""


def test_a_block_that_raises_leaves_nothing_behind(workspace):
    with pytest.raises(RuntimeError), transaction(workspace) as cur:
        cur.execute("insert into settings (key, value) values ('half', '1')")
        raise RuntimeError("stopped half way")
    assert table(workspace, "select count(*) from settings") == [(0,)]
    with transaction(workspace) as cur:
        cur.execute("insert into settings (key, value) values ('whole', '1')")
    assert table(workspace, "select key from settings") == [("whole",)]


@pytest.fixture
def demo_like(data_dir, tmp_path) -> Workspace:
    """A tiny workspace marked as the demo, the way the demo build marks it."""
    shop = Workspace(data_dir / "tiny_demo.duckdb")
    ingest.load(shop, write_csv(tmp_path / "orders.csv", ORDERS))
    with transaction(shop) as cur:
        shop.set_meta(cur, "is_demo", "true")
    return shop


def test_the_demo_refuses_every_write(demo_like, tmp_path):
    before = demo_like.data_version
    writes = [
        lambda: ingest.load(demo_like, write_csv(tmp_path / "more.csv", ORDERS)),
        lambda: settings.put(demo_like, "tiers.thresholds", {"vip_min_frequency": 3}),
        lambda: data_service.save_excludes_price_outliers(demo_like, True),
        lambda: health.save_inputs(demo_like, {"server_error_rate": 0.01}, "2024-05"),
        lambda: register.replace_all(demo_like, pd.DataFrame(columns=register.COLUMNS)),
        lambda: delete_workspace(demo_like.path),
    ]
    for write in writes:
        with pytest.raises(WorkspaceReadOnly, match="read-only"):
            write()
    assert demo_like.data_version == before
    assert table(demo_like, "select count(*) from settings") == [(0,)]
    assert table(demo_like, "select count(*) from orders") == [(1,)]
