"""Bought-together benchmark: `basket.rules` on the demo shop's orders, against references in the same run.

    .venv/bin/python bench/basket.py [--sizes 10000,100000,1000000] [--repeat 5]

For each size the demo orders file (reused from `bench/out/<size>/orders.csv`, as `bench/ingest.py` leaves
it; delete it to regenerate after the demo data changes) is loaded into a fresh workspace, then timed at two
settings: the defaults (min support 0.2%, min confidence 10%) and no minimums at all (every pair, the worst
case: nothing can be pruned by support).

- **ours**: `basket.rules(workspace, s, c)`, once cold (first query on the freshly opened file; the
  first setting only), then
  `--repeat` times warm; the median is shown.
- **naive SQL**: the same rules by a plain self-join of every kept order's distinct products, without the
  pruning (no dropping of one-product orders or of products below the minimum support) - what the pruning
  buys.
- **pandas**: pull (order, SKU, cancelled) for every line into pandas, build the one-hot order x SKU matrix
  (scipy sparse: a dense one at 1M lines is 560k x 300) and count pairs with X.T @ X, then the same rules;
  pull included.

The goal from the brief: 1M order lines within 0.5 s warm. It prints figures and checks nothing beyond
that all three give the same number of rules.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
sys.path.insert(0, str(ROOT))

from core.data import ingest  # noqa: E402
from core.data.sample import generate  # noqa: E402
from core.platform import workspace as workspace_module  # noqa: E402
from core.platform.workspace import Workspace  # noqa: E402
from core.products import basket  # noqa: E402

SETTINGS = ((basket.DEFAULT_MIN_SUPPORT, basket.DEFAULT_MIN_CONFIDENCE), (0.0, 0.0))

NAIVE = """
with kept as (
    select order_id from order_lines group by order_id having not bool_or(is_cancelled)
),
order_products as (
    select distinct order_id, coalesce(sku, product_name) as product
    from order_lines semi join kept using (order_id)
    where coalesce(sku, product_name) is not null
),
n as (select count(distinct order_id) as orders from order_products),
single as (select product, count(*) as k from order_products group by product),
pairs as (
    select a.product as antecedent, b.product as consequent, count(*) as together
    from order_products a join order_products b on a.order_id = b.order_id and a.product <> b.product
    group by all
)
select pairs.*, together / n.orders as support, together / single.k as confidence,
    together::double * n.orders / (single.k::double * consequent_single.k) as lift
from pairs cross join n
join single on single.product = pairs.antecedent
join single as consequent_single on consequent_single.product = pairs.consequent
where together / n.orders >= $min_support and together / single.k >= $min_confidence
order by lift desc
"""


def orders_file(rows: int) -> Path:
    path = OUT / str(rows) / "orders.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as folder:
            generate(Path(folder), order_lines=rows)["orders"].replace(path)
    return path


def pandas_rules(workspace: Workspace, min_support: float, min_confidence: float) -> int:
    """The reference: pull every line, one-hot orders x products, X.T @ X; returns the number of rules."""
    with workspace.cursor() as cur:
        lines = cur.execute("select order_id, coalesce(sku, product_name) as product, is_cancelled "
                            "from order_lines").fetchdf()
    cancelled = lines.groupby("order_id", sort=False)["is_cancelled"].transform("any")
    kept = lines[~cancelled & lines["product"].notna()]
    order_codes, _ = pd.factorize(kept["order_id"])
    product_codes, products = pd.factorize(kept["product"])
    x = sparse.csr_matrix((np.ones(len(kept)), (order_codes, product_codes)),
                          shape=(order_codes.max() + 1, len(products)))
    x.data[:] = 1  # a product on two lines of an order counts once
    both = (x.T @ x).toarray()
    n = x.shape[0]
    single = both.diagonal().copy()
    np.fill_diagonal(both, 0)
    support = both / n
    confidence = both / single[:, None]
    lift = confidence / (single[None, :] / n)
    keep = (both > 0) & (support >= min_support) & (confidence >= min_confidence)
    return int(lift[keep].size)


def timed(run, repeat: int) -> tuple[float, float, object]:
    started = time.perf_counter()
    result = run()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        warm.append(time.perf_counter() - started)
    return cold, statistics.median(warm), result


def line(size: int, workspace: Workspace, min_support: float, min_confidence: float, repeat: int) -> str:
    """One row of the table: ours cold and warm, the naive SQL and pandas warm, for one setting."""
    def naive():
        with workspace.cursor() as cur:
            return len(cur.execute(NAIVE, {"min_support": min_support, "min_confidence": min_confidence}).fetchall())

    cold, warm, found = timed(lambda: basket.rules(workspace, min_support, min_confidence, 0), repeat)
    _, naive_warm, naive_count = timed(naive, repeat)
    _, pandas_warm, pandas_count = timed(lambda: pandas_rules(workspace, min_support, min_confidence),
                                         max(1, repeat // 2))
    rules = len(found.table)
    cold_text = f"{cold:>9.3f}" if (min_support, min_confidence) == SETTINGS[0] else f"{'-':>9}"
    agree = "" if rules == naive_count == pandas_count else f"  DIFFER: naive {naive_count}, pandas {pandas_count}"
    return (f"{size:>10,} {min_support:>5.3f}/{min_confidence:<5.2f} {rules:>7,} {cold_text} {warm:>9.3f}"
            f" {naive_warm:>7.3f} {pandas_warm:>7.3f} {naive_warm / warm:>9.2f}x {pandas_warm / warm:>10.2f}x{agree}")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--sizes", default="10000,100000,1000000")
    options.add_argument("--repeat", type=int, default=5)
    args = options.parse_args()

    print(f"{'lines':>10} {'min s/c':>11} {'rules':>7} {'ours cold':>9} {'ours warm':>9} {'naive':>7} {'pandas':>7}"
          f" {'naive/ours':>10} {'pandas/ours':>11}")
    for size in (int(s) for s in args.sizes.split(",")):
        source = orders_file(size)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.duckdb"
            ingest.load(Workspace(path), source, kind="orders", mode="replace")
            workspace_module.close_connection(path)  # the cold run opens the file again
            workspace = Workspace(path)
            for min_support, min_confidence in SETTINGS:
                print(line(size, workspace, min_support, min_confidence, args.repeat))
            workspace_module.close_connection(path)


if __name__ == "__main__":
    main()
