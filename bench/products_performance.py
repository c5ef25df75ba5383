"""Product performance benchmark: products/product_performance.sql + category_performance.sql (through
`core.products.performance.performance`) against the Sales page's top-products query on the same lines.

    .venv/bin/python bench/products_performance.py [--lines 1000000] [--repeat 3]

The demo generator writes the orders (and the inventory) once into bench/out/<lines>/, then they load into a
fresh workspace in a temporary folder. Each figure is the median of --repeat runs over the last 90 days of
the demo against the 90 days before; the reference, sales/top_products.sql, scans the same order lines and
joins the same order summary, so the ratio says what the extra measures (refund shares, distinct orders and
customers, the ABC window, the inventory join) cost. It prints figures and checks nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    folder = OUT / str(args.lines)
    from core.data import ingest, sample

    if not (folder / "orders.csv").exists() or not (folder / "inventory.csv").exists():
        sample.generate(folder, order_lines=args.lines)
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["SHOPLENS_DATA_DIR"] = scratch
        from core.platform import queries
        from core.platform.workspace import Workspace
        from core.products import performance

        workspace = Workspace(Path(scratch) / "bench.duckdb")
        ingest.load(workspace, folder / "orders.csv", kind="orders", mode="replace")
        ingest.load(workspace, folder / "inventory.csv", kind="inventory", mode="replace")
        start, end = date(2026, 8, 3), date(2026, 10, 31)
        previous = performance.previous_period(start, end)

        def ours():
            return performance.performance(workspace, start, end)

        def reference():
            return queries.frame(workspace, "sales/top_products", start=start, end=end, previous_start=previous[0],
                                 previous_end=previous[1], top=10_000)

        timings = {"ours": [], "reference": []}
        for _ in range(args.repeat):
            for name, run in (("ours", ours), ("reference", reference)):
                began = time.perf_counter()
                run()
                timings[name].append(time.perf_counter() - began)
        ours_s, ref_s = statistics.median(timings["ours"]), statistics.median(timings["reference"])
        print(f"{args.lines:,} order lines, {len(ours().products):,} products")
        print(f"  performance (products + categories + coverage + stock): {ours_s:.3f} s")
        print(f"  reference sales/top_products:                          {ref_s:.3f} s")
        print(f"  ratio: {ours_s / ref_s:.2f}x")


if __name__ == "__main__":
    main()
