"""Demand forecast benchmark: `forecast.forecast` on generated weekly series, and its backtest accuracy.

    .venv/bin/python bench/forecast.py [--skus 3000] [--weeks 104] [--repeat 5] [--seed 7]

The series are Poisson weekly units around a known mean, a quarter of each kind: flat, a yearly wave,
a steady rise, and rare sales (about 3 weeks in 10). Timed: a cold process (a fresh Python that imports
the module and forecasts, import included and shown apart) and warm (median of `--repeat` calls in this
process), for an 8-week horizon with the backtest. The reference measured in the same run is statsmodels'
SimpleExpSmoothing fitted per series on the first 100 series, scaled to all of them: the per-series library
fit that docs/decisions/0007-demand-forecast-library.md turned down. Then the backtest table by generated
kind: our total absolute error over the held-out 8 weeks against the last-value naive forecast and the mean
of the last 4 weeks. It prints figures and checks nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ("smooth", "seasonal", "trend", "intermittent")
AS_OF = date(2025, 1, 6)


def series(skus: int, weeks: int, seed: int) -> pd.DataFrame:
    """sku, week_start, units for `skus` generated SKUs (names start with their kind)."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    starts = [AS_OF - timedelta(days=7 * (weeks - i)) for i in range(weeks)]
    names, values = [], []
    for i in range(skus):
        kind = KINDS[i % 4]
        level = rng.uniform(5, 40)
        if kind == "smooth":
            mean = np.full(weeks, level)
        elif kind == "seasonal":
            mean = level * (1 + 0.5 * np.sin(2 * np.pi * t / 52 + rng.uniform(0, 2 * np.pi)))
        elif kind == "trend":
            mean = level * (1 + rng.uniform(0.005, 0.03) * t)
        else:
            mean = np.where(rng.random(weeks) < 0.3, rng.uniform(1, 8), 0.0)
        names.append(f"{kind}-{i:05d}")
        values.append(rng.poisson(mean).astype(float))
    return pd.DataFrame({"sku": np.repeat(names, weeks), "week_start": np.tile(np.array(starts, dtype=object), skus),
                         "units": np.concatenate(values)})


COLD = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from core.products import forecast
import forecast as bench_forecast
t1 = time.perf_counter()
history = bench_forecast.series({skus}, {weeks}, {seed})
t2 = time.perf_counter()
forecast.forecast(history, 8, bench_forecast.AS_OF)
t3 = time.perf_counter()
print(t1 - t0, t3 - t2)
"""


def cold(skus: int, weeks: int, seed: int) -> tuple[float, float, float]:
    """Wall time of a fresh process, its import time and its forecast time."""
    code = COLD.format(root=str(ROOT), bench=str(Path(__file__).parent), skus=skus, weeks=weeks, seed=seed)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - start
    imported, forecasting = (float(x) for x in out.split())
    return wall, imported, forecasting


def statsmodels_reference(history: pd.DataFrame, count: int = 100) -> float:
    """Seconds per series for statsmodels' SimpleExpSmoothing (alpha optimised), on the first `count`."""
    from statsmodels.tsa.holtwinters import SimpleExpSmoothing

    first = history[history["sku"].isin(history["sku"].unique()[:count])]
    groups = [g["units"].to_numpy() for _, g in first.groupby("sku", sort=False)]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for y in groups:
            SimpleExpSmoothing(y, initialization_method="estimated").fit().forecast(8)
    return (time.perf_counter() - start) / len(groups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=3000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from core.products import forecast

    wall, imported, cold_forecast = cold(args.skus, args.weeks, args.seed)
    history = series(args.skus, args.weeks, args.seed)
    times, result = [], None
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = forecast.forecast(history, 8, AS_OF)
        times.append(time.perf_counter() - start)
    warm = statistics.median(times)
    per_series = statsmodels_reference(history)
    reference = per_series * args.skus

    print(f"{args.skus:,} SKUs x {args.weeks} weeks, horizon 8 with the 8-week backtest")
    print(f"  cold process: {wall:.2f} s wall (import {imported:.2f} s, forecast {cold_forecast:.2f} s)")
    print(f"  warm: {warm:.3f} s (median of {args.repeat})")
    print(f"  statsmodels SimpleExpSmoothing per series: {per_series * 1000:.1f} ms -> {reference:.1f} s for "
          f"{args.skus:,} (no backtest); ours warm is {reference / warm:.0f}x faster")

    accuracy = result.accuracy.copy()
    accuracy["generated"] = accuracy["sku"].str.split("-").str[0]
    print("\nbacktest, last 8 weeks held out: total absolute error by generated kind")
    print(f"  {'kind':<13}{'skus':>6}{'classified as':>28}{'ours':>10}{'naive':>10}{'mean4':>10}"
          f"{'ours/naive':>12}{'ours/mean4':>12}")
    for kind in KINDS:
        rows = accuracy[accuracy["generated"] == kind]
        ours, naive, mean4 = (rows[c].sum() * 8 for c in ("mae", "naive_mae", "mean4_mae"))
        top = rows["kind"].value_counts()
        label = f"{top.index[0]} {top.iat[0] / len(rows):.0%}"
        print(f"  {kind:<13}{len(rows):>6}{label:>28}{ours:>10.0f}{naive:>10.0f}{mean4:>10.0f}"
              f"{ours / naive:>12.2f}{ours / mean4:>12.2f}")


if __name__ == "__main__":
    main()
