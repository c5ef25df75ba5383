"""Customer tiers benchmark: `rfm.customers` on the demo shop's orders.

    .venv/bin/python bench/rfm.py [--rows 1000000] [--repeat 5]

The orders file comes from the demo generator and is reused from `bench/out/<rows>/orders.csv` if it is
already there (as `bench/ingest.py` leaves it). It is loaded into a fresh workspace in a temporary
folder, then `rfm.customers(workspace)` is timed once cold (first query on a freshly opened workspace)
and `--repeat` times warm; the warm figure is the median. The goal from the issue: 1M order lines well
under a second warm. It prints figures and checks nothing.
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


def orders_file(rows: int) -> Path:
    path = OUT / str(rows) / "orders.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as folder:
            generate(Path(folder), order_lines=rows)["orders"].replace(path)
    return path


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rows", type=int, default=1_000_000)
    options.add_argument("--repeat", type=int, default=5)
    args = options.parse_args()

    source = orders_file(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        started = time.perf_counter()
        report = ingest.load(Workspace(path), source, kind="orders", mode="replace")
        load_seconds = time.perf_counter() - started
        workspace_module.close_connection(path)  # the cold run opens the file again

        workspace = Workspace(path)
        started = time.perf_counter()
        table = rfm.customers(workspace)
        cold = time.perf_counter() - started
        warm = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            rfm.customers(workspace)
            warm.append(time.perf_counter() - started)
        shares = rfm.tier_shares(table)
        workspace_module.close_connection(path)

    print(f"orders file      {source} ({report.loaded_rows:,} order lines, loaded in {load_seconds:.2f} s)")
    print(f"customers        {len(table):,}")
    print(f"cold             {cold:.3f} s")
    print(f"warm (median/{args.repeat}) {statistics.median(warm):.3f} s   (min {min(warm):.3f}, max {max(warm):.3f})")
    print("tiers            " + ", ".join(f"{r.tier} {r.customers:,} ({r.share:.1%})" for r in shares.itertuples()))


if __name__ == "__main__":
    main()
