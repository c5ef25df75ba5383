"""Sales tests share the tiny shop of tiny_shop.py, worked out by hand there."""

from __future__ import annotations

import pytest

from core.platform.workspace import Workspace
from tests.core.sales.tiny_shop import TINY_ORDERS, load_orders


@pytest.fixture
def tiny(workspace, tmp_path) -> Workspace:
    return load_orders(workspace, tmp_path, TINY_ORDERS)
