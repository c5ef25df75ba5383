"""RFM, cohorts and bought-together on one workspace, warm, against a bare aggregate of the same lines.

    .venv/bin/python bench/rfm.py [--rows 1000000] [--repeat 5] [--workspace PATH]

The orders file comes from the demo generator and is reused from `bench/out/<rows>/orders.csv` if it is
already there (as `bench/ingest.py` leaves it); it is loaded into a fresh workspace in a temporary folder,
unless `--workspace` names one already built (bench/pages.py leaves one). Each analysis is timed once cold
(first call on a freshly opened workspace) and `--repeat` times warm (median). The reference, timed the
same way in the same run, is the least any RFM must do: one pass over the order lines grouping by
customer (distinct orders, spend, last order). The goal from issue 16: each analysis within 0.5 s warm on
1M order lines. It prints figures and checks nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
sys.path.insert(0, str(ROOT))

from core.customers import rfm  # noqa: E402
from core.data import ingest  # noqa: E402
from core.data.sample import generate  # noqa: E402
from core.platform import workspace as workspace_module  # noqa: E402
from core.platform.workspace import Workspace  # noqa: E402
from core.products import basket  # noqa: E402
from core.sales import service as sales  # noqa: E402

BARE = """select customer_id, count(distinct order_id) as orders, sum(quantity * unit_price) as spend,
                 max(order_time) as last_order
          from orders group by customer_id"""


def orders_file(rows: int) -> Path:
    path = OUT / str(rows) / "orders.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as folder:
            generate(Path(folder), order_lines=rows)["orders"].replace(path)
    return path


def bare(workspace: Workspace) -> int:
    with workspace.cursor() as cur:
        return len(cur.execute(BARE).fetchall())


ANALYSES = {
    "bare aggregate": bare,
    "rfm.customers": lambda w: len(rfm.customers(w)),
    "sales.cohorts": lambda w: len(sales.cohorts(w).grid),
    "basket.rules": lambda w: len(basket.rules(w).table),
}


def measure(path: Path, repeat: int) -> dict[str, tuple[float, float, float, float]]:
    """name -> (cold, warm median, warm min, warm max) seconds, the analyses taking turns in each round."""
    workspace_module.close_connection(path)
    workspace = Workspace(path)
    cold = {}
    for name, run in ANALYSES.items():
        started = time.perf_counter()
        run(workspace)
        cold[name] = time.perf_counter() - started
    warm = {name: [] for name in ANALYSES}
    for _ in range(repeat):
        for name, run in ANALYSES.items():
            started = time.perf_counter()
            run(workspace)
            warm[name].append(time.perf_counter() - started)
    workspace_module.close_connection(path)
    return {name: (cold[name], statistics.median(w), min(w), max(w)) for name, w in warm.items()}


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rows", type=int, default=1_000_000)
    options.add_argument("--repeat", type=int, default=5)
    options.add_argument("--workspace", help="an existing workspace to measure instead of loading a new one")
    args = options.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        if args.workspace:
            path = Path(args.workspace)
        else:
            path = Path(folder) / "bench.duckdb"
            ingest.load(Workspace(path), orders_file(args.rows), kind="orders", mode="replace")
        with Workspace(path).cursor() as cur:
            lines = cur.execute("select count(*) from orders").fetchone()[0]
        figures = measure(path, args.repeat)

    reference = figures["bare aggregate"][1]
    print(f"{lines:,} order lines; warm = median of {args.repeat}; ratio = warm / bare aggregate warm")
    print(f"{'analysis':16} {'cold s':>8} {'warm s':>8} {'min':>7} {'max':>7} {'ratio':>7}  goal 0.5 s warm")
    for name, (cold, warm, low, high) in figures.items():
        print(f"{name:16} {cold:8.3f} {warm:8.3f} {low:7.3f} {high:7.3f} {warm / reference:6.2f}x"
              f"  {'' if name == 'bare aggregate' else ('met' if warm <= 0.5 else 'NOT met')}")


if __name__ == "__main__":
    main()
