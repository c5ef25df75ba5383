"""What the Data page and the sidebar ask of core: what a workspace holds, and uploads from a file on
disk to rows in the workspace (inspect, preview, load), with the cleaning choices the owner makes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from core.data import demo, ingest
from core.data.datasets import DATASETS, Dataset, suggest_mapping
from core.platform import queries, settings
from core.platform.errors import WorkspaceError
from core.platform.services import reads_settings
from core.platform.workspace import Workspace, delete_workspace, list_workspaces, slugify

EXCLUDE_PRICE_OUTLIERS = "exclude_price_outliers"  # settings key: outliers leave averages (sql/views/order_lines.sql)
# Settings every result built on the order lines depends on: services computing from orders list these.
ORDER_SETTINGS = (EXCLUDE_PRICE_OUTLIERS,)
KINDS = tuple(DATASETS)  # the datasets an upload can be
MODES = ingest.MODES  # append or replace
Report = ingest.Report


def demo_workspace() -> Workspace:
    """The built-in demo shop, built from sample_data/ on first use."""
    return demo.ensure_demo()


def dataset(kind: str) -> Dataset:
    """A dataset's fields, for the column-mapping form."""
    return DATASETS[kind]


def suggested_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Field -> header, guessed from the headers real exports use."""
    return suggest_mapping(DATASETS[kind], headers)


def summary(workspace: Workspace) -> list[dict]:
    """Per dataset: rows and date range (and orders, customers for orders), from `sql/views/dataset_summary.sql`."""
    with workspace.cursor() as cur:
        frame = cur.execute("select * from dataset_summary order by dataset_order").fetchdf()
    rows = []
    for row in frame.to_dict("records"):
        entry = {"name": row["dataset_name"], "rows": int(row["row_count"])}
        if row["dataset_name"] == "orders":
            entry["orders"] = int(row["order_count"])
            entry["customers"] = int(row["customer_count"])
        for key in ("min_date", "max_date"):
            value = row[key]
            entry[key] = None if value is None or value != value else str(value)[:10]
        rows.append(entry)
    return rows


def shop_currency(workspace: Workspace) -> str | None:
    """The currency most order lines are in: what every amount on every page is shown in."""
    value = queries.frame(workspace, "data/shop_currency")["currency"].iloc[0]
    return None if value is None or value != value else str(value)


def last_loaded(workspace: Workspace) -> dict[str, datetime]:
    """When each dataset was last loaded, for the sidebar's freshness line."""
    with workspace.cursor() as cur:
        return dict(cur.execute("select dataset, max(loaded_at) from load_log group by dataset").fetchall())


def new_workspace(name: str, root: Path | None = None) -> Workspace:
    """A workspace for a name the owner typed; refused when the name has no letter or digit or is taken."""
    slug = slugify(name)
    if not slug:
        raise WorkspaceError("error.workspace_name")
    if slug in list_workspaces(root):
        raise WorkspaceError("error.workspace_exists", name=slug)
    return Workspace.named(name, root)


def inspect(path: Path, file_name: str) -> tuple[list[str], str | None]:
    """The file's headers and the dataset they look like."""
    return ingest.inspect(path, file_name)


def preview(workspace: Workspace, path: Path, *, file_name: str, kind: str, mapping: dict[str, str],
            day_first: bool | None) -> ingest.Report:
    """What a load would do; nothing is written."""
    return ingest.preview(workspace, path, kind=kind, mapping=mapping, day_first=day_first, file_name=file_name)


def load(target: Workspace, path: Path, **options) -> ingest.Report:
    """Load a file; a failed first load into a new workspace leaves no empty workspace behind."""
    is_new = not target.path.exists()
    try:
        return ingest.load(target, path, **options)
    except BaseException:
        if is_new:
            delete_workspace(target.path)
        raise


@reads_settings(EXCLUDE_PRICE_OUTLIERS)
def write_rejected(report: ingest.Report, target: Path) -> None:
    """The rejected rows with their reasons, as a CSV safe to open in a spreadsheet."""
    ingest.write_rejected(report, target)


def write_sample(out_dir: Path, order_lines: int, seed: int) -> dict[str, Path]:
    """The demo shop's CSVs (or a bigger shop of the same kind, for benchmarks)."""
    from core.data.sample import generate

    return generate(out_dir, order_lines=order_lines, seed=seed)


@reads_settings(EXCLUDE_PRICE_OUTLIERS)
def excludes_price_outliers(workspace: Workspace) -> bool:
    return bool(settings.get(workspace, EXCLUDE_PRICE_OUTLIERS, False))


def save_excludes_price_outliers(workspace: Workspace, choice: bool) -> None:
    settings.put(workspace, EXCLUDE_PRICE_OUTLIERS, bool(choice))
