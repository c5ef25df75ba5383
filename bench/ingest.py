"""Ingest benchmark: our orders load against a bare DuckDB read of the same CSV.

    .venv/bin/python bench/ingest.py [--sizes 10000,100000,1000000] [--repeat 3] [--preview-size 1000000] [--zoned]

Orders files come from the demo generator (`core.sample.generate`) and are written once into
`bench/out/<size>/orders.csv` (gitignored), then reused. Every measurement runs in a fresh Python
process, so the peak RSS it reports (read inside that process) belongs to that run alone; each figure
is the median of `--repeat` runs, ours and bare taking turns. It prints figures and checks nothing.

    ours     ingest.load(Workspace(new.duckdb), orders.csv, kind="orders", mode="replace")
    bare     duckdb.connect(new.duckdb).execute("create table t as select * from read_csv(?)", [path])
    preview  ingest.preview(Workspace(new.duckdb), orders.csv, kind="orders")

Seconds cover the work itself, from opening the new database file to closing it (the checkpoint on
close included; for ours, creating the workspace's schema and views too, shown apart), not the
interpreter start or the imports. Peak RSS is the process's high-water mark
(VmHWM), interpreter and imports included (ours imports pandas, bare only duckdb). The goal from the issue:
1M order lines within 2x the bare read and under 1 GB peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
GOAL_RATIO = 2.0
GOAL_RSS_MB = 1024


def _peak_rss_mb() -> float:
    """This process's peak resident set. On Linux ru_maxrss survives fork + exec, so a child started by
    a big parent would report the parent's peak: VmHWM in /proc belongs to the process image alone."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


# --- child side: one measurement, printed as one JSON line -----------------------------------------------


def _child(what: str, csv_path: str, db_path: str) -> None:
    sys.path.insert(0, str(ROOT))
    import duckdb

    opened = 0.0
    if what == "bare":
        start = time.perf_counter()
        con = duckdb.connect(db_path, config={"autoinstall_known_extensions": False})
        con.execute("create table t as select * from read_csv(?)", [csv_path])
        rows = con.execute("select count(*) from t").fetchone()[0]
        con.close()
        seconds = time.perf_counter() - start
    else:
        from core.data import ingest
        from core.platform.workspace import Workspace, close_connection

        workspace = Workspace(db_path)
        start = time.perf_counter()
        workspace.open()  # creating the new workspace (schema, views) is part of the figure; timed apart too
        opened = time.perf_counter() - start
        if what == "ours":
            report = ingest.load(workspace, csv_path, kind="orders", mode="replace")
            rows = report.loaded_rows
        else:
            report = ingest.preview(workspace, csv_path, kind="orders")
            rows = report.total_rows
        close_connection(workspace.path)
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rows": rows, "rss_mb": _peak_rss_mb(), "open_seconds": opened}))


# --- parent side ----------------------------------------------------------------------------------------


def orders_file(size: int) -> Path:
    """bench/out/<size>/orders.csv, generated once by the demo generator."""
    folder = OUT / str(size)
    path = folder / "orders.csv"
    if not path.exists():
        print(f"generating {size:,} order lines into {folder} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        # In a child process, so this one stays small (pandas, numpy and the frames stay out of it).
        subprocess.run([sys.executable, __file__, "--generate", str(size), str(folder)], check=True, cwd=ROOT)
        print(f"  done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    return path


def zoned_file(size: int) -> Path:
    """The same orders with Shopify-style times (2025-11-01 00:10:46 +0000), written once beside them."""
    path = OUT / str(size) / "orders_zoned.csv"
    if not path.exists():
        import duckdb

        partial = path.with_suffix(".partial")
        duckdb.connect().execute(
            "copy (select * replace (order_time || ' +0000' as order_time) from read_csv(?, all_varchar = true))"
            " to '" + str(partial).replace("'", "''") + "' (header)", [str(orders_file(size))])
        partial.replace(path)
    return path


def _generate(size: int, folder: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from core.data import sample

    partial = folder / "partial"
    written = sample.generate(partial, order_lines=size)
    written["orders"].replace(folder / "orders.csv")  # only complete files get the final name
    for leftover in partial.iterdir():
        leftover.unlink()
    partial.rmdir()


def run_once(what: str, csv_path: Path) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="run-", dir=OUT) as tmp:
        db_path = Path(tmp) / "bench.duckdb"
        env = {**os.environ, "SHOPLENS_DATA_DIR": tmp, "PYTHONDONTWRITEBYTECODE": "1"}
        result = subprocess.run(
            [sys.executable, __file__, "--child", what, str(csv_path), str(db_path)],
            capture_output=True, text=True, env=env, cwd=ROOT,
        )
    if result.returncode != 0:
        raise SystemExit(f"{what} on {csv_path} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(kinds: tuple[str, ...], csv_path: Path, repeat: int) -> list[dict]:
    """Figures per kind; the kinds take turns, so a busy spell on the machine hits them alike."""
    runs = {what: [] for what in kinds}
    for _ in range(repeat):
        for what in kinds:
            runs[what].append(run_once(what, csv_path))
    return [_summary(runs[what]) for what in kinds]


def _summary(runs: list[dict]) -> dict:
    seconds = [r["seconds"] for r in runs]
    return {
        "seconds": statistics.median(seconds),
        "min": min(seconds),
        "max": max(seconds),
        "rows": runs[0]["rows"],
        "rss_mb": statistics.median(r["rss_mb"] for r in runs),
        "open_seconds": statistics.median(r["open_seconds"] for r in runs),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="order lines per file, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is shown")
    parser.add_argument("--preview-size", type=int, default=1_000_000, help="size for the preview timing (0: skip)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--zoned", action="store_true", help="order times with a UTC offset, as Shopify exports them")
    parser.add_argument("--child", nargs=3, metavar=("WHAT", "CSV", "DB"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, metavar=("SIZE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return
    if args.generate:
        _generate(int(args.generate[0]), Path(args.generate[1]))
        return

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    source = zoned_file if args.zoned else orders_file
    files = {size: source(size) for size in sorted(set(sizes + ([args.preview_size] if args.preview_size else [])))}
    print(f"DuckDB {_duckdb_version()}, {os.cpu_count()} CPUs, median of {args.repeat} fresh processes per figure"
          + (", order times with a +0000 offset" if args.zoned else "") + "\n")

    header = (f"{'lines':>10} {'ours s':>8} {'ours rows/s':>12} {'ours MB':>8}"
              f" {'bare s':>8} {'bare rows/s':>12} {'bare MB':>8} {'ours/bare':>9}")
    print(header)
    print("-" * len(header))
    results = []
    for size in sizes:
        ours, bare = measure(("ours", "bare"), files[size], args.repeat)
        ratio = ours["seconds"] / bare["seconds"]
        results.append({"size": size, "ours": ours, "bare": bare, "ratio": ratio})
        print(f"{size:>10,} {ours['seconds']:>8.2f} {ours['rows'] / ours['seconds']:>12,.0f} {ours['rss_mb']:>8.0f}"
              f" {bare['seconds']:>8.2f} {bare['rows'] / bare['seconds']:>12,.0f} {bare['rss_mb']:>8.0f} {ratio:>8.2f}x",
              flush=True)

    preview = None
    if args.preview_size:
        (preview,) = measure(("preview",), files[args.preview_size], args.repeat)
        print(f"\npreview of {args.preview_size:,} lines: {preview['seconds']:.2f} s"
              f" (min {preview['min']:.2f}, max {preview['max']:.2f}), peak RSS {preview['rss_mb']:.0f} MB")

    print("\nspread (min-max seconds), and the part of ours spent creating the new workspace:")
    for r in results:
        print(f"  {r['size']:>10,}  ours {r['ours']['min']:.2f}-{r['ours']['max']:.2f}"
              f"  bare {r['bare']['min']:.2f}-{r['bare']['max']:.2f}  workspace creation {r['ours']['open_seconds']:.2f}")
    goal = next((r for r in results if r["size"] == 1_000_000), None)
    if goal:
        print(f"\ngoal for 1M lines: within {GOAL_RATIO:.0f}x the bare read and under {GOAL_RSS_MB} MB peak RSS;"
              f" measured {goal['ratio']:.2f}x and {goal['ours']['rss_mb']:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "preview": preview}, indent=2))


def _duckdb_version() -> str:
    import duckdb

    return duckdb.__version__


if __name__ == "__main__":
    main()
