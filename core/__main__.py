"""Headless ShopLens: `python -m core COMMAND ...` runs the same logic as the app.

Exit status 0 on success, 2 with a one-line reason on stderr for input we cannot use.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core import ingest
from core.datasets import DATASETS
from core.i18n import Message
from core.workspace import Workspace


def cmd_ingest(args) -> int:
    workspace = Workspace(args.workspace)
    report = ingest.load(workspace, Path(args.file), kind=args.kind, mode=args.mode, skip_bad_rows=args.skip_bad_rows)
    for note in report.cleaning:
        print(note.text(), file=sys.stderr)
    if report.rejected_count:
        target = Path(args.file).with_name(Path(args.file).name + ".rejected.csv")
        ingest.write_rejected(report, target)
        print(f"{report.rejected_count} rejected row(s) written to {target}", file=sys.stderr)
    print(f"{report.loaded_rows} {report.kind} row(s) loaded ({report.mode}) from {report.file_name}")
    return 0


def cmd_datasets(args) -> int:
    summary = Workspace(args.workspace).dataset_summary()
    if args.json:
        print(json.dumps({"datasets": summary}, indent=2))
    else:
        for entry in summary:
            span = f"{entry['min_date']} .. {entry['max_date']}" if entry["min_date"] else "-"
            print(f"{entry['name']:<16} {entry['rows']:>10,} rows  {span}")
    return 0


def cmd_sample(args) -> int:
    from core.sample import generate

    written = generate(Path(args.out), order_lines=args.rows, seed=args.seed)
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0


def cmd_demo(args) -> int:
    from core.demo import ensure_demo

    workspace = ensure_demo()
    print(f"demo workspace ready: {workspace.path}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m core", description="ShopLens from the command line.")
    commands = root.add_subparsers(dest="command", required=True)

    load = commands.add_parser("ingest", help="load a CSV or XLSX export into a workspace")
    load.add_argument("--workspace", required=True, help="DuckDB file (created if missing)")
    load.add_argument("file")
    load.add_argument("--kind", choices=sorted(DATASETS), help="dataset kind (recognised from the headers if omitted)")
    load.add_argument("--mode", choices=ingest.MODES, default="append")
    load.add_argument("--skip-bad-rows", action="store_true", help="load the good rows, write the rejected ones beside the file")
    load.set_defaults(run=cmd_ingest)

    datasets = commands.add_parser("datasets", help="rows and date range per dataset")
    datasets.add_argument("--workspace", required=True)
    datasets.add_argument("--json", action="store_true")
    datasets.set_defaults(run=cmd_datasets)

    sample = commands.add_parser("sample", help="generate the demo shop's CSVs")
    sample.add_argument("--rows", type=int, default=60_000, help="order lines")
    sample.add_argument("--out", required=True)
    sample.add_argument("--seed", type=int, default=20261123)
    sample.set_defaults(run=cmd_sample)

    demo = commands.add_parser("demo", help="build the demo workspace from sample_data/ if it is missing")
    demo.set_defaults(run=cmd_demo)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except Message as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {error.filename or ''} {error.strerror or error}".strip(), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
