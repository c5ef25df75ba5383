"""Ingest benchmark: our orders load against a bare DuckDB read of the same CSV (and pandas).

    .venv/bin/python bench/ingest.py [--sizes 10000,100000,1000000] [--repeat 3] [--preview-size 1000000]
                                     [--style demo|zoned|shopify] [--whole] [--pandas-max 1000000] [--json out.json]

Files. Orders come from the demo generator (`core.data.sample.generate`), written once into
`bench/out/<size>/orders.csv` (gitignored) and reused. `--style zoned` gives the same orders Shopify's
times (`2025-11-01 00:10:46 +0000`); `--style shopify` a Shopify orders export made from them: the 79
columns of Shopify's export (tests/fixtures/shopify_orders_export.header.csv), `#` order names, e-mail
addresses as customer keys (so the personal-data step pseudonymises and encrypts them), consent, billing
and shipping names and addresses, and an order's later lines with the order-level fields left blank. Each
is written once beside orders.csv by DuckDB.

In-process figures (the default). Every measurement runs in a fresh Python process, so the peak RSS it
reports (read inside that process) belongs to that run alone; each figure is the median of `--repeat`
runs, ours and bare taking turns:

    ours     ingest.load(Workspace(new.duckdb), file, kind="orders", mode="replace")
    bare     duckdb.connect(new.duckdb).execute("create table t as select * from read_csv(?)", [path])
    preview  ingest.preview(Workspace(new.duckdb), file, kind="orders")

Seconds cover the work itself, from opening the new database file to closing it (the checkpoint on
close included; for ours, creating the workspace's schema and views too, shown apart), not the
interpreter start or the imports.

Whole processes (`--whole`), as an owner meets them: the command line, imports and start-up included.

    ours     python -m core ingest --workspace new.duckdb FILE --mode replace
    bare     python -c: import duckdb; create table t as select * from read_csv(FILE) into new.duckdb
    pandas   python -c: import pandas, duckdb; pandas.read_csv(FILE); create table t as select * from frame

Rounds run the three in turn (ours, bare, pandas, ours, ...); each ratio is taken within a round and the
median of the rounds' ratios is printed, so a busy spell hits all three alike. Wall and CPU seconds
(user + system, from the operating system's accounting of the finished child) and peak RSS (ru_maxrss
of the child; this parent stays small so its own peak never shows through) are medians too. pandas
needs about 1.8 GB at 1M lines: it is left out above `--pandas-max` lines.

Goals from issue 16: 1M order lines within 1.5x the bare read and faster than pandas, whole processes,
under 1 GB peak RSS; 10M lines within 1.5 GB (DuckDB spills to `data/.spill`). It prints figures and
checks nothing.
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
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
SHOPIFY_HEADER = ROOT / "tests" / "fixtures" / "shopify_orders_export.header.csv"
GOAL_RATIO = 1.5
GOAL_RSS_MB = 1024
GOAL_RSS_10M_MB = 1536
STYLES = ("demo", "zoned", "shopify")
WHOLE_KINDS = ("ours", "bare", "pandas")

BARE = """
import sys, duckdb
con = duckdb.connect(sys.argv[2], config={"autoinstall_known_extensions": False})
con.execute("create table t as select * from read_csv(?)", [sys.argv[1]])
print(con.execute("select count(*) from t").fetchone()[0])
con.close()
"""
PANDAS = """
import sys, duckdb, pandas
frame = pandas.read_csv(sys.argv[1])
con = duckdb.connect(sys.argv[2], config={"autoinstall_known_extensions": False})
con.execute("create table t as select * from frame")
print(con.execute("select count(*) from t").fetchone()[0])
con.close()
"""


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


# --- child side: one in-process measurement, printed as one JSON line ----------------------------------


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


# --- files ----------------------------------------------------------------------------------------------


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


def styled_file(size: int, style: str) -> Path:
    """The orders file of a style: demo as generated, or zoned / shopify written once beside it."""
    source = orders_file(size)
    if style == "demo":
        return source
    path = source.with_name(f"orders_{style}.csv")
    if not path.exists():
        print(f"writing the {style} file of {size:,} lines ...", file=sys.stderr, flush=True)
        partial = path.with_suffix(".partial")
        # DuckDB in a child process, so this one stays small (its peak would show in the children's ru_maxrss)
        subprocess.run([sys.executable, __file__, "--restyle", style, str(source), str(partial)], check=True, cwd=ROOT)
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


def _shopify_select() -> str:
    """The demo's order lines as Shopify exports them: every column of Shopify's header, the order-level
    ones on an order's first line only (`k = 1`), blank on its later lines."""
    def first(expression: str) -> str:
        return f"case when k = 1 then {expression} end"

    stamp = "strftime({t}, '%Y-%m-%d %H:%M:%S') || ' +0000'"
    status = ("case status when 'completed' then case when refunded_amount > 0 then 'partially_refunded' else 'paid' end "
              "when 'refunded' then 'refunded' else 'voided' end")
    sent = "status <> 'cancelled'"
    values = {
        "Name": "'#' || replace(order_id, 'SO', '')",
        "Email": first("lower(customer_id) || '@example.com'"),
        "Financial Status": first(status),
        "Paid at": first(f"case when {sent} then {stamp.format(t='order_time + interval 3 minute')} end"),
        "Fulfillment Status": first(f"case when {sent} then 'fulfilled' else 'unfulfilled' end"),
        "Fulfilled at": first(f"case when {sent} then {stamp.format(t='order_time + interval 2 day')} end"),
        "Accepts Marketing": first("case when hash(customer_id) % 3 = 0 then 'no' else 'yes' end"),
        "Currency": first("currency"),
        "Subtotal": first("order_total"), "Shipping": first("0.00"), "Taxes": first("0.00"), "Total": first("order_total"),
        "Discount Amount": first("0.00"), "Shipping Method": first("'Standard'"),
        "Created at": first(stamp.format(t="order_time")),
        "Lineitem quantity": "quantity", "Lineitem name": "product_name", "Lineitem price": "unit_price",
        "Lineitem sku": "sku", "Lineitem requires shipping": "'true'", "Lineitem taxable": "'true'",
        "Lineitem fulfillment status": f"case when {sent} then 'fulfilled' else 'pending' end",
        "Payment Method": first("'Shopify Payments'"), "Refunded Amount": first("refunded_amount"),
        "Vendor": "category", "Outstanding Balance": first("0.00"), "Id": first("5000000000000 + order_number"),
        "Risk Level": first("'Low'"), "Source": first("channel"), "Lineitem discount": "line_discount",
    }
    for side in ("Billing", "Shipping"):
        values |= {f"{side} Name": first("'Customer ' || customer_id"), f"{side} Street": first("'1 Example Road'"),
                   f"{side} Address1": first("'1 Example Road'"), f"{side} City": first("region"),
                   f"{side} Zip": first("'100000'"), f"{side} Province": first("region"), f"{side} Country": first("'CN'"),
                   f"{side} Province Name": first("region")}
    header = SHOPIFY_HEADER.read_text().strip().split(",")
    columns = ", ".join(f'{values.get(h, "null")} as "{h}"' for h in header)
    return f"""select {columns} from (
        select *, row_number() over (partition by order_id order by n) as k, dense_rank() over (order by order_id) as order_number
        from (select row_number() over () as n, * from read_csv($source))) order by n"""


def _restyle(style: str, source: Path, target: Path) -> None:
    import duckdb

    select = ("select * replace (order_time || ' +0000' as order_time) from read_csv($source, all_varchar = true)"
              if style == "zoned" else _shopify_select())
    # capped (the 10M Shopify file took 14 GB uncapped), spilling beside the file
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "memory_limit": "2GB",
                                 "temp_directory": str(target.parent / "restyle.spill")})
    con.execute(f"copy ({select}) to '{str(target).replace(chr(39), chr(39) * 2)}' (header)", {"source": str(source)})


# --- in-process figures ---------------------------------------------------------------------------------


def run_once(what: str, csv_path: Path) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="run-", dir=OUT) as tmp:
        db_path = Path(tmp) / "bench.duckdb"
        env = {**os.environ, "SHOPLENS_DATA_DIR": tmp, "SHOPLENS_KEY_DIR": str(Path(tmp) / "keys"),
               "PYTHONDONTWRITEBYTECODE": "1"}
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


def in_process(files: dict[int, Path], sizes: list[int], args) -> dict:
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
    return {"results": results, "preview": preview}


# --- whole processes ------------------------------------------------------------------------------------


def run_whole(what: str, csv_path: Path) -> dict:
    """One whole process in a fresh folder: wall seconds, CPU seconds and peak RSS of the finished child."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="whole-", dir=OUT) as tmp:
        db_path = Path(tmp) / "bench.duckdb"
        env = {**os.environ, "SHOPLENS_DATA_DIR": tmp, "SHOPLENS_KEY_DIR": str(Path(tmp) / "keys"),
               "PYTHONDONTWRITEBYTECODE": "1"}
        if what == "ours":
            command = [sys.executable, "-m", "core", "ingest", "--workspace", str(db_path), str(csv_path), "--mode", "replace"]
        else:
            command = [sys.executable, "-c", BARE if what == "bare" else PANDAS, str(csv_path), str(db_path)]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            child = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=ROOT)
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - start
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                err.seek(0)
                raise SystemExit(f"{what} on {csv_path} failed:\n{err.read().decode(errors='replace')}")
    peak = usage.ru_maxrss / (1 << 20) if sys.platform == "darwin" else usage.ru_maxrss / 1024
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": peak}


def whole(files: dict[int, Path], sizes: list[int], args) -> dict:
    print(f"{'lines':>10} {'ours s':>7} {'cpu':>6} {'MB':>6} {'bare s':>7} {'cpu':>6} {'MB':>6} {'pandas s':>8} {'cpu':>6} {'MB':>6}"
          f" {'ours/bare':>9} {'ours/pandas':>11}")
    results = []
    for size in sizes:
        kinds = WHOLE_KINDS if size <= args.pandas_max else WHOLE_KINDS[:2]
        rounds = [{what: run_whole(what, files[size]) for what in kinds} for _ in range(args.repeat)]
        figures = {what: {key: statistics.median(r[what][key] for r in rounds) for key in ("seconds", "cpu", "rss_mb")}
                   for what in kinds}
        ratios = {other: statistics.median(r["ours"]["seconds"] / r[other]["seconds"] for r in rounds) for other in kinds[1:]}
        cpu_ratios = {other: statistics.median(r["ours"]["cpu"] / r[other]["cpu"] for r in rounds) for other in kinds[1:]}
        results.append({"size": size, "rounds": rounds, "median": figures, "ratio": ratios, "cpu_ratio": cpu_ratios})
        cells = [f"{figures[w]['seconds']:>7.2f} {figures[w]['cpu']:>6.2f} {figures[w]['rss_mb']:>6.0f}" if w in figures
                 else f"{'-':>7} {'-':>6} {'-':>6}" for w in WHOLE_KINDS]
        cells[2] = " " + cells[2]
        pandas = f"{ratios['pandas']:>10.2f}x" if "pandas" in ratios else f"{'-':>11}"
        print(f"{size:>10,} {' '.join(cells)} {ratios['bare']:>8.2f}x {pandas}", flush=True)
    print("\nratios are medians of each round's ratio (wall); CPU ratios (user + system):")
    for r in results:
        print(f"  {r['size']:>10,}  " + "  ".join(f"ours/{k} {v:.2f}x" for k, v in r["cpu_ratio"].items()))
    base = next((r for r in results if r["size"] == 1_000_000), None)
    if base:
        print("\ngrowth (ours, seconds per million lines against the 1M file's):")
        per_million = base["median"]["ours"]["seconds"]
        for r in results:
            print(f"  {r['size']:>10,}  {r['median']['ours']['seconds'] / (r['size'] / 1e6) / per_million:.2f}")
        print(f"\ngoal for 1M lines: within {GOAL_RATIO}x the bare read, faster than pandas, under {GOAL_RSS_MB} MB; measured "
              f"{base['ratio']['bare']:.2f}x, {base['ratio'].get('pandas', float('nan')):.2f}x pandas, {base['median']['ours']['rss_mb']:.0f} MB")
    big = next((r for r in results if r["size"] == 10_000_000), None)
    if big:
        print(f"goal for 10M lines: under {GOAL_RSS_10M_MB} MB; measured {big['median']['ours']['rss_mb']:.0f} MB")
    return {"whole": results}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="order lines per file, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs (or rounds) per figure; the median is shown")
    parser.add_argument("--preview-size", type=int, default=1_000_000, help="size for the preview timing (0: skip)")
    parser.add_argument("--style", choices=STYLES, default="demo", help="the demo's orders, with zoned times, or a Shopify export")
    parser.add_argument("--zoned", action="store_true", help="same as --style zoned")
    parser.add_argument("--whole", action="store_true", help="whole processes: our CLI against bare DuckDB and pandas")
    parser.add_argument("--pandas-max", type=int, default=1_000_000, help="largest file pandas reads in --whole")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--child", nargs=3, metavar=("WHAT", "CSV", "DB"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, metavar=("SIZE", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--restyle", nargs=3, metavar=("STYLE", "SOURCE", "TARGET"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return
    if args.generate:
        _generate(int(args.generate[0]), Path(args.generate[1]))
        return
    if args.restyle:
        _restyle(args.restyle[0], Path(args.restyle[1]), Path(args.restyle[2]))
        return

    style = "zoned" if args.zoned else args.style
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    preview_sizes = [args.preview_size] if args.preview_size and not args.whole else []
    files = {size: styled_file(size, style) for size in sorted(set(sizes + preview_sizes))}
    print(f"{'whole processes' if args.whole else 'in process'}, {style} files, DuckDB {version('duckdb')}, {os.cpu_count()} CPUs, "
          f"median of {args.repeat} {'rounds' if args.whole else 'fresh processes per figure'}\n")
    figures = whole(files, sizes, args) if args.whole else in_process(files, sizes, args)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
