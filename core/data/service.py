"""What the Data page and the sidebar ask of core: what a workspace holds, and uploads from a file on
disk to rows in the workspace (inspect, preview, load), with the cleaning choices the owner makes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.data import ingest, personal
from core.data.datasets import DATASETS, Dataset, suggest_mapping
from core.platform import access, settings
from core.platform.errors import WorkspaceError
from core.platform.i18n import LANGUAGES, translate
from core.platform.paths import data_dir
from core.platform.remembered import remembered
from core.platform.services import reads_settings
from core.platform.workspace import DEMO_NAME, Workspace, clean_name, display_name_of, list_workspaces
from core.platform.workspace import delete_workspace as delete_file

if TYPE_CHECKING:  # pandas, the demo generator and the query runner are imported where used: the CLI's
    import pandas as pd  # `ingest` loads a file without them (tests/core/test_cli_imports.py)

EXCLUDE_PRICE_OUTLIERS = "exclude_price_outliers"  # settings key: outliers leave averages (sql/views/order_lines.sql)
# Settings every result built on the order lines depends on: services computing from orders list these.
ORDER_SETTINGS = (EXCLUDE_PRICE_OUTLIERS,)
DATE_RANGE_SETTINGS = (ingest.EARLIEST_DATE_SETTING, ingest.YEARS_AHEAD_SETTING)  # the days every page believes
KINDS = tuple(DATASETS)  # the datasets an upload can be
MODES = ingest.MODES  # append or replace
Report = ingest.Report


def demo_workspace() -> Workspace:
    """The built-in demo shop, built from sample_data/ on first use."""
    from core.data import demo

    return demo.ensure_demo()


def dataset(kind: str) -> Dataset:
    """A dataset's fields, for the column-mapping form."""
    return DATASETS[kind]


def suggested_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Field -> header, guessed from the headers real exports use."""
    return suggest_mapping(DATASETS[kind], headers)


def summary(workspace: Workspace) -> list[dict]:
    """Per dataset: usable rows, hidden rows and date range (and orders, customers for orders), from
    `sql/views/dataset_summary.sql`."""
    with workspace.cursor() as cur:
        frame = cur.execute("select * from dataset_summary order by dataset_order").fetchdf()
    rows = []
    for row in frame.to_dict("records"):
        # hidden: stored rows every page leaves out (a date outside the plausible range, an amount that is
        # no number), kept by a workspace from before uploads refused them
        entry = {"name": row["dataset_name"], "rows": int(row["row_count"]), "hidden_rows": int(row["hidden_count"])}
        if row["dataset_name"] == "orders":
            entry["orders"] = int(row["order_count"])
            entry["customers"] = int(row["customer_count"])
        for key in ("min_date", "max_date"):
            value = row[key]
            entry[key] = None if value is None or value != value else str(value)[:10]
        rows.append(entry)
    return rows


@remembered(*DATE_RANGE_SETTINGS)
def shop_currency(workspace: Workspace) -> str | None:
    """The currency most order lines are in: what every amount on every page is shown in. Kept per data version
    (a pass over every order line: 0.015 s at 1M, asked by most services)."""
    from core.platform import queries

    value = queries.frame(workspace, "data/shop_currency")["currency"].iloc[0]
    return None if value is None or value != value else str(value)


def last_loaded(workspace: Workspace) -> dict[str, datetime]:
    """When each dataset was last loaded, for the sidebar's freshness line."""
    with workspace.cursor() as cur:
        return dict(cur.execute("select dataset, max(loaded_at) from load_log group by dataset").fetchall())


def workspaces(root: Path | None = None) -> list[tuple[str, str]]:
    """(file stem, display name) of every workspace, the demo first, then by name: the sidebar's list."""
    folder = root or data_dir()
    named = [(stem, display_name_of(folder / f"{stem}.duckdb")) for stem in list_workspaces(folder)]
    return sorted(named, key=lambda item: (item[0] != DEMO_NAME, item[1].casefold(), item[0]))


def _comparable(name: str) -> str:
    """Names a person would call the same: case, spaces and underscores aside (a workspace made before
    display names shows its file stem, 'corner_shop' for 'Corner Shop')."""
    return " ".join(name.replace("_", " ").split()).casefold()


def _refuse_taken(name: str, root: Path, other_than: str | None = None) -> None:
    """Two workspaces never show the same name in the sidebar, where the demo shows as 'Demo shop'."""
    taken = [shown for stem, shown in workspaces(root) if stem not in (DEMO_NAME, other_than)]
    taken += [translate("sidebar.demo_name", lang) for lang in LANGUAGES]
    if _comparable(name) in {_comparable(shown) for shown in taken}:
        raise WorkspaceError("error.workspace_exists", name=name)


def new_workspace(name: str, root: Path | None = None) -> Workspace:
    """A workspace for a name the owner typed, kept as typed (Chinese, spaces, emoji, punctuation) to be
    shown; its file name is made from it and no other workspace has it (a name without ASCII letters or
    digits gets `workspace`, `workspace_2`, ...). The file is made by the first load. Refused when the
    name is empty or another workspace has it already."""
    workspace = Workspace.named(name, root)
    _refuse_taken(workspace.display_name, root or data_dir())
    return workspace


def rename_workspace(workspace: Workspace, name: str) -> None:
    """A new display name; the file stays, so `--workspace PATH` keeps working. Never the demo."""
    name = clean_name(name)
    _refuse_taken(name, workspace.path.parent, other_than=workspace.name)
    workspace.rename(name)


def delete_workspace(workspace: Workspace) -> None:
    """The workspace's file, all its data and its key file, gone (the page asks first). Never the demo."""
    delete_file(workspace.path)


def has_passphrase(workspace: Workspace) -> bool:
    return access.is_protected(workspace)


def change_passphrase(workspace: Workspace, current: str, new: str, who: str | None = None) -> bool:
    """Set the workspace's passphrase, or replace it when the current one is given; False when it is wrong."""
    return access.change(workspace, current, new, who=who)


def inspect(path: Path, file_name: str) -> tuple[list[str], str | None]:
    """The file's headers and the dataset they look like."""
    return ingest.inspect(path, file_name)


def preview(workspace: Workspace, path: Path, *, file_name: str, kind: str, mapping: dict[str, str],
            day_first: bool | None) -> ingest.Report:
    """What a load would do; nothing is written."""
    return ingest.preview(workspace, path, kind=kind, mapping=mapping, day_first=day_first, file_name=file_name)


def load_blocked(report: ingest.Report, skip_bad_rows: bool) -> str | None:
    """Why a previewed file cannot be loaded as chosen (a catalog key), or None: the same rules as `load`."""
    if report.accepted_rows == 0:
        return "data.load_nothing_valid"
    if report.rejected_count and not skip_bad_rows:
        return "data.load_needs_skip"
    return None


def load(target: Workspace, path: Path, passphrase: str | None = None, who: str | None = None,
         **options) -> ingest.Report:
    """Load a file. A new workspace's file is made first, with its display name, and never over a file
    that exists; a failed first load leaves no empty workspace behind. `passphrase` protects a new
    workspace before any data goes in (the app on a shared server asks for one)."""
    typed = target.typed_name
    is_new = typed is not None or not target.path.exists()
    if passphrase is not None:
        access.check_passphrase(passphrase)
    if typed is not None:
        target.create()
    try:
        if passphrase is not None and is_new:
            access.protect(target, passphrase, who=who)
        return ingest.load(target, path, **options)
    except BaseException:
        if is_new:
            delete_file(target.path)
            target.typed_name = typed  # still new: a second try makes the file again, with its name
        raise


def write_rejected(report: ingest.Report, target: Path, lang: str = "en") -> None:
    """The rejected rows with their reasons as sentences, as a CSV safe to open in a spreadsheet."""
    from core.platform.export import to_safe_csv

    target.write_bytes(to_safe_csv(rejected_rows(report, lang)))


def rejected_rows(report: ingest.Report, lang: str = "en") -> pd.DataFrame:
    """The rejected rows as the page shows and exports them: each reason a sentence in `lang`, not a code."""
    rows = report.rejected.copy()
    rows["reason"] = [ingest.reason_text(causes, lang) for causes in report.rejected_causes]
    return rows


def write_sample(out_dir: Path, order_lines: int, seed: int) -> dict[str, Path]:
    """The demo shop's CSVs (or a bigger shop of the same kind, for benchmarks)."""
    from core.data.sample import generate

    return generate(out_dir, order_lines=order_lines, seed=seed)


@reads_settings(EXCLUDE_PRICE_OUTLIERS)
def excludes_price_outliers(workspace: Workspace) -> bool:
    return bool(settings.get(workspace, EXCLUDE_PRICE_OUTLIERS, False))


def save_excludes_price_outliers(workspace: Workspace, choice: bool) -> None:
    settings.put(workspace, EXCLUDE_PRICE_OUTLIERS, bool(choice))


# Personal data (issue 15, docs/decisions/0009-personal-data.md): for the upload preview and customer lists.
def personal_columns(report: ingest.Report, workspace: Workspace) -> list[personal.PersonalColumn]:
    """The upload's personal columns and what the load does with each (catalog keys personal.kind.*, personal.action.*)."""
    customer = report.mapping.get("customer_id")
    shown = report.sample["customer_id"] if report.sample is not None and "customer_id" in report.sample.columns else []
    is_personal = customer is not None and any(isinstance(v, str) and personal.personal_key(v) for v in shown)
    return personal.columns(report.headers, report.mapping, is_personal, personal.kept_fields(workspace))


def contacts(workspace: Workspace, customer_ids=None) -> pd.DataFrame:
    """customer_id, email, phone, accepts_marketing, decrypted: mask them before showing (customer_file.with_contacts)."""
    return personal.contacts_of(workspace, customer_ids)


def keeps_contacts(workspace: Workspace) -> bool:
    """Whether any contact detail or consent is stored (one cheap query, before any decryption)."""
    with workspace.cursor() as cur:
        return bool(cur.execute("select exists(select 1 from contacts) or exists(select 1 from contact_consent)").fetchone()[0])


def log_full_export(workspace: Workspace, what: str, rows: int) -> None:
    """Contact details leave in full: recorded in the workspace's personal-data audit."""
    personal.log(workspace, "export_full", what, rows)


def forget_customer(workspace: Workspace, email: str | None = None, phone: str | None = None) -> personal.Forgotten:
    """Erase one customer's personal data (contacts deleted, orders moved to an anonymous key)."""
    return personal.forget(workspace, email=email, phone=phone)
