"""Budget curve fitting benchmark: the bounded fit against the fit it replaced, on the lockstep shop and the demo.

    .venv/bin/python bench/budget.py [--repeat 5] [--old-channels 12] [--ordinary 300]
    .venv/bin/python bench/budget.py --cli new|old --workspace W --total X   # one CLI run, for whole-process timing

Two spend sheets, each loaded into a fresh workspace: the lockstep shop of issue 16 (12 channels, spend
2,000 + 500 x channel rising 10 a month for a year, revenue ROI 2.00-4.75 times spend) and the demo shop's
sheet (5 channels, 12 months, varied). On each: the curve fits alone (`channel_returns.channel_curves`) and the
whole overview (`service.overview`), median of `--repeat`; the optimiser (last month's total) and the ROI target on top. The
reference measured in the same run is the fit as it was before (kept below as `old_fit_curve`: three starting
shapes, scipy's `curve_fit` with maxfev=20,000 each), run once on the first `--old-channels` channels of the
lockstep shop (about 15 s a channel) and `--repeat` times on the demo. Besides seconds it counts curve
evaluations, which do not depend on how busy the machine is. Then `--ordinary` noisy channels drawn from
known Hill curves, fitted both ways, to show the bound costs ordinary data nothing. It prints figures and
checks nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeWarning, curve_fit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SHOPLENS_DATA_DIR", tempfile.mkdtemp(prefix="shoplens-bench-budget-"))

from core.budget import allocation, channel_returns, response_curves, service  # noqa: E402
from core.budget.response_curves import Curve, _hill, _log, _r2  # noqa: E402
from core.data import ingest  # noqa: E402
from core.platform.workspace import Workspace  # noqa: E402

CHANNELS = ["search", "social", "feed", "email", "affiliate", "video", "display", "kol", "marketplace", "retarget",
            "shopping", "app"]
OLD_WORK = [0]  # curve evaluations of the old fit (each call of its model, or of its model for a finite difference)


def _old_hill(s, top, half, h):
    OLD_WORK[0] += 1
    return _hill(s, top, half, h)


def _old_log(s, a, b):
    OLD_WORK[0] += 1
    return _log(s, a, b)


def old_fit_curve(spend, revenue) -> Curve:
    """The fit before the bound (core/budget/response_curves.py as of f1a0922), unchanged but for counting."""
    s, y = np.asarray(spend, dtype=float), np.asarray(revenue, dtype=float)
    keep = np.isfinite(s) & np.isfinite(y) & (s >= 0)
    s, y = s[keep], y[keep]
    s_max, y_max = max(float(s.max()), 1e-12), max(float(y.max()), 1e-12)
    kind, params = "log", None
    if len(s) >= 4:
        best = None
        lower, upper = (y_max * 0.5, s_max * 1e-3, 0.3), (y_max * 50, s_max * 20, 5.0)
        for h0 in (1.0, 2.0, 3.0):
            p0 = (y_max * 1.5, max(float(np.median(s)), s_max * 1e-2), h0)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", OptimizeWarning)
                    found, _ = curve_fit(_old_hill, s, y, p0=p0, bounds=(lower, upper), maxfev=20_000)
            except (RuntimeError, ValueError):
                continue
            sse = float(np.sum((y - _hill(s, *found)) ** 2))
            if np.all(np.isfinite(found)) and (best is None or sse < best[0]):
                best = (sse, tuple(float(v) for v in found))
        if best is not None:
            kind, params = "hill", best[1]
    if params is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OptimizeWarning)
            found, _ = curve_fit(_old_log, s, y, p0=(y_max, s_max), bounds=((1e-12, s_max * 1e-4), (np.inf, s_max * 1e3)),
                                 maxfev=20_000)
        params = (float(found[0]), float(found[1]))
    fitted = _hill(s, *params) if kind == "hill" else _log(s, *params)
    dof = max(len(s) - len(params), 1)
    return Curve(kind, params, _r2(y, fitted), int(len(s)), float(s.min()), float(s.max()),
                 float(np.sqrt(np.sum((y - fitted) ** 2) / dof)))


def lockstep_sheet(path: Path) -> Path:
    lines = ["month,channel,spend,attributed_revenue"]
    for i, channel in enumerate(CHANNELS):
        spend = 2_000.0 + 500 * i + 10 * np.arange(12)
        revenue = np.round((2 + 0.25 * i) * spend, 2)
        lines += [f"2024-{m + 1:02d},{channel},{s:.2f},{r:.2f}" for m, (s, r) in enumerate(zip(spend, revenue))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class NewWork:
    """Counts the bounded fit's curve evaluations as the tests do (a grid of curves counts each curve)."""

    def __init__(self):
        self.count = 0
        self.saved = {name: getattr(response_curves, name) for name in ("_hill", "_log", "_hill_slopes", "_log_slopes")}

    def __enter__(self):
        for name, function in self.saved.items():
            setattr(response_curves, name, self._counted(function, not name.endswith("_slopes")))
        return self

    def __exit__(self, *exc):
        for name, function in self.saved.items():
            setattr(response_curves, name, function)

    def _counted(self, function, per_curve):
        def wrapper(s, *params):
            out = function(s, *params)
            self.count += np.size(out) // max(np.shape(s)[-1] if np.ndim(s) else 1, 1) if per_curve else 1
            return out
        return wrapper


def timed(call, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def per_channel(months: pd.DataFrame, fit, channels) -> dict[str, Curve]:
    return {c: fit(g["spend"].to_numpy(float), g["attributed_revenue"].to_numpy(float))
            for c, g in months.groupby("channel") if c in channels}


def shop(name: str, sheet: Path, repeat: int, old_channels: int) -> None:
    workspace = Workspace(Path(os.environ["SHOPLENS_DATA_DIR"]) / f"{name}.duckdb")
    ingest.load(workspace, sheet, kind="marketing_spend", mode="replace")
    months = channel_returns.channel_months(workspace)
    channels = sorted(months["channel"].unique())
    with NewWork() as work:
        channel_returns.channel_curves(months)
    new_fit, curves = timed(lambda: channel_returns.channel_curves(months), repeat)
    overview_s, overview = timed(lambda: service.overview(workspace), repeat)
    old_set = channels[:max(old_channels, 1)]
    OLD_WORK[0] = 0
    old_rounds = repeat if name == "demo" else 1
    old_fit, old_curves = timed(lambda: per_channel(months, old_fit_curve, old_set), old_rounds)
    old_work = OLD_WORK[0] // old_rounds
    new_on_old_set = new_fit * len(old_set) / len(channels)  # the same channels as the reference
    print(f"\n{name}: {len(channels)} channels x {months['month'].nunique()} months")
    print(f"  fits, bounded:        {new_fit:8.3f} s  (median of {repeat}), {work.count:>9,} curve evaluations,"
          f" {sum(c.stopped_early for c in curves.values())} stopped early")
    print(f"  fits, as before:      {old_fit:8.3f} s  ({len(old_set)} of {len(channels)} channels, {old_rounds} round(s)),"
          f" {old_work:>9,} curve evaluations")
    print(f"  before / bounded on the same channels: {old_fit / new_on_old_set:,.0f}x in time, "
          f"{old_work / (work.count * len(old_set) / len(channels)):,.1f}x in evaluations")
    print(f"  overview (fits + queries), bounded: {overview_s:.3f} s (median of {repeat})")
    changes = [curves[c].r2 - old_curves[c].r2 for c in old_set]
    print(f"  R² bounded minus before, over {len(old_set)} channels: {min(changes):+.1e} to {max(changes):+.1e}")
    period = service.plan_period(overview, 1)
    total = period.current_total  # last month's total, split anew
    iterations, solve = [], allocation.minimize

    def counted(*args, **kwargs):
        result = solve(*args, **kwargs)
        iterations.append(result.nit)
        return result

    allocation.minimize = counted
    try:
        optimise_s, _ = timed(lambda: service.optimise(period, overview.saved_roles, total), repeat)
        runs = len(iterations) // repeat
        iterations.clear()
        roi_s, _ = timed(lambda: service.budget_for_roi(period, overview.saved_roles, service.DEFAULT_ROI_TARGET), 1)
    finally:
        allocation.minimize = solve
    print(f"  optimiser at {total:,.0f}: {optimise_s:.3f} s, {runs} SLSQP runs; ROI target 3: {roi_s:.3f} s,"
          f" {len(iterations)} SLSQP runs, {sum(iterations):,} iterations")


def ordinary(count: int, seed: int = 0) -> None:
    """Noisy channels from known Hill curves (4-24 months, noise 1-50%, a fifth unrelated to spend)."""
    rng = np.random.default_rng(seed)
    worse, better, loss, gain, old_s, new_s = 0, 0, 0.0, 0.0, 0.0, 0.0
    stopped = 0
    for _ in range(count):
        n = int(rng.choice([4, 5, 6, 8, 12, 24]))
        top, half, h = 10 ** rng.uniform(3, 6), 10 ** rng.uniform(2, 5), rng.uniform(0.4, 4.5)
        s = rng.uniform(0.1, 3, n) * half
        y = _hill(s, top, half, h) * (1 + rng.normal(0, rng.choice([0.01, 0.05, 0.2, 0.5]), n))
        if rng.random() < 0.2:
            y = rng.uniform(0.2, 1, n) * top
        y = np.maximum(y, 0)
        start = time.perf_counter()
        before = old_fit_curve(s, y)
        middle = time.perf_counter()
        after = response_curves.fit_curve(s, y)
        old_s, new_s = old_s + middle - start, new_s + time.perf_counter() - middle
        stopped += after.stopped_early
        spread = float(np.sum((y - y.mean()) ** 2)) or 1.0
        change = (float(np.sum((y - after.predict(s)) ** 2)) - float(np.sum((y - before.predict(s)) ** 2))) / spread
        worse, better = worse + (change > 1e-9), better + (change < -1e-9)
        loss, gain = max(loss, change), max(gain, -change)
    print(f"\nordinary data: {count} noisy channels from known Hill curves, fitted both ways")
    print(f"  bounded fit better (R² up by more than 1e-9): {better}, worse: {worse}; largest R² gain {gain:.1e},"
          f" largest loss {loss:.1e}; stopped early: {stopped}")
    print(f"  time: before {old_s:.2f} s, bounded {new_s:.2f} s ({old_s / new_s:.1f}x)")


def cli(which: str, workspace: str, total: str) -> int:
    """One `python -m core budget` run with the bounded fit or the fit as before, for whole-process timing."""
    if which == "old":
        channel_returns.fit_curve = old_fit_curve
    from core.__main__ import main as run

    return run(["budget", "--workspace", workspace, "--total", total, "--json"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--old-channels", type=int, default=12, help="lockstep channels the old fit runs on (~15 s each)")
    parser.add_argument("--ordinary", type=int, default=300)
    parser.add_argument("--cli", choices=("new", "old"))
    parser.add_argument("--workspace")
    parser.add_argument("--total")
    args = parser.parse_args()
    if args.cli:
        sys.exit(cli(args.cli, args.workspace, args.total))
    folder = Path(os.environ["SHOPLENS_DATA_DIR"])
    shop("lockstep", lockstep_sheet(folder / "lockstep.csv"), args.repeat, args.old_channels)
    shop("demo", ROOT / "sample_data" / "marketing_spend.csv", args.repeat, 99)
    ordinary(args.ordinary)


if __name__ == "__main__":
    main()
