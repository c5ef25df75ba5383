"""Load an uploaded export into a workspace: stage, validate, clean, then commit in one transaction.

DuckDB reads the file itself, every column as text, so a sniffer guess can never fail the load half
way; the parsing rules (sql/macros.sql) then turn text into typed values and every value that does
not parse becomes a problem naming its file, row and column. Nothing touches the workspace's tables
until the commit, and the commit is a single transaction: a failure leaves the workspace as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from core import sources
from core.datasets import DATASETS, Dataset, detect_kind, missing_required, suggest_mapping
from core.i18n import Message, translate
from core.paths import read_sql
from core.workspace import Workspace, quote

ROW = "_source_row"
PROBLEM_LIST_LIMIT = 500
REJECTED_LIST_LIMIT = 100_000
PRICE_OUTLIER_FACTOR = 10
MODES = ("append", "replace")

PARSERS = {
    "id": "parse_id({c})",
    "text": "blank_to_null({c})",
    "number": "parse_number({c})",
    "integer": "round(parse_number({c}))::bigint",
    "rate": "parse_rate({c})",
    "timestamp": "parse_timestamp({c}, {day_first})",
    "date": "parse_timestamp({c}, {day_first})::date",
    "month": "parse_month({c}, {day_first})",
    "bool": "parse_bool({c})",
}
SQL_TYPES = {
    "id": "varchar", "text": "varchar", "number": "double", "integer": "bigint", "rate": "double",
    "timestamp": "timestamp", "date": "date", "month": "date", "bool": "boolean",
}
DATE_TYPES = {"timestamp", "date", "month"}


class IngestError(Message):
    """The file cannot be loaded as it is; nothing in the workspace changed."""


class RejectedRows(IngestError):
    def __init__(self, report: Report):
        self.report = report
        first = report.problems[0]
        super().__init__("error.rejected_rows", file=report.file_name, count=report.rejected_count,
                         first=first.text("en"))


@dataclass
class Problem:
    """One value that cannot be used, located in the user's file."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    code: str  # a catalog key under problem.*
    detail: str = ""

    def text(self, lang: str = "en") -> str:
        expected = translate(f"problem.{self.code}", lang, detail=self.detail)
        return translate("problem.where", lang, file=self.file, row=self.row if self.row is not None else "-",
                         column=self.column or "-", value="" if self.value is None else self.value, expected=expected)


@dataclass
class CleaningNote:
    """A cleaning rule that changed or flagged data; always reported, never silent."""

    code: str  # cleaning.median_filled, cleaning.price_outliers, cleaning.order_fields_filled, ...
    column: str
    count: int
    value: float | None = None

    def text(self, lang: str = "en") -> str:
        value = "" if self.value is None else f"{self.value:,.2f}"
        return translate(self.code, lang, column=self.column, count=self.count, value=value)


@dataclass
class Report:
    file_name: str
    kind: str
    mapping: dict[str, str]
    headers: list[str]
    encoding: str
    file_type: str
    delimiter: str
    day_first: bool
    total_rows: int = 0
    accepted_rows: int = 0
    rejected_count: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    cleaning: list[CleaningNote] = field(default_factory=list)
    sample: pd.DataFrame | None = None
    rejected: pd.DataFrame | None = None
    loaded_rows: int = 0
    mode: str | None = None


def read_headers(cur: duckdb.DuckDBPyConnection, source: sources.Source) -> list[str]:
    return [c for c in cur.execute("select * from raw limit 0").fetchdf().columns if c != ROW]


def _load_raw(cur: duckdb.DuckDBPyConnection, source: sources.Source, file_name: str) -> int:
    """Every row as text, numbered as in the file (the header is row 1); malformed rows kept aside."""
    delim = source.delimiter.replace("'", "''")
    try:
        cur.execute(
            f"""create temp table raw_read as
                select * from read_csv($path, all_varchar = true, header = true, delim = '{delim}',
                                       quote = '"', store_rejects = true, null_padding = false)""",
            {"path": str(source.csv_path)},
        )
    except duckdb.Error as error:
        raise IngestError("error.unreadable_csv", file=file_name, detail=str(error).splitlines()[0]) from None
    malformed = cur.execute("select line from reject_errors order by line").fetchall()
    if malformed:
        # Accepted row k sits after every malformed line that came before it: shift its number.
        cur.execute("create temp table malformed as select line, line - 2 - (row_number() over (order by line) - 1) as accepted_before from reject_errors")
        cur.execute(f"""create temp table raw as
            select k + 1 + (select count(*) from malformed m where m.accepted_before < k) as {ROW}, * exclude (k)
            from (select row_number() over () as k, * from raw_read)""")
    else:
        cur.execute(f"create temp table raw as select row_number() over () + 1 as {ROW}, * from raw_read")
    return len(malformed)


def _decide_day_first(cur, dataset: Dataset, mapping: dict[str, str]) -> bool:
    """`01/02/2024`: read day-first only when that parses more values than month-first."""
    columns = [mapping[f.name] for f in dataset.fields if f.type in DATE_TYPES and f.name in mapping]
    if not columns:
        return False
    counts = ", ".join(
        f"count(parse_timestamp({quote(c)}, false)), count(parse_timestamp({quote(c)}, true))" for c in columns
    )
    values = cur.execute(f"select {counts} from raw").fetchone()
    month_first, day_first = sum(values[0::2]), sum(values[1::2])
    return day_first > month_first


def _build_typed(cur, dataset: Dataset, mapping: dict[str, str], day_first: bool) -> list[CleaningNote]:
    """Parse, copy order-level fields down an order's lines, then apply defaults and derivations."""
    notes: list[CleaningNote] = []
    parsed = [ROW]
    for f in dataset.fields:
        if f.name in mapping:
            column = quote(mapping[f.name])
            expression = PARSERS[f.type].format(c=column, day_first=str(day_first).lower())
            parsed.append(f"{expression} as {quote(f.name)}")
            parsed.append(f"{column} as {quote(f.name + '__raw')}")
            parsed.append(f"(blank_to_null({column}) is not null and {expression} is null) as {quote(f.name + '__bad')}")
        else:
            parsed.append(f"null::{SQL_TYPES[f.type]} as {quote(f.name)}")
    cur.execute(f"create temp table typed as select {', '.join(parsed)} from raw")

    if dataset.name == "orders":
        notes += _fill_order_level(cur, dataset, mapping)

    for step in ("default", "derive"):
        replaced = [
            f"coalesce({quote(f.name)}, {getattr(f, step)}) as {quote(f.name)}"
            for f in dataset.fields if getattr(f, step) is not None
        ]
        if replaced:
            cur.execute(f"create or replace temp table typed as select * replace ({', '.join(replaced)}) from typed")
    return notes


def _fill_order_level(cur, dataset: Dataset, mapping: dict[str, str]) -> list[CleaningNote]:
    """Shopify leaves order-level fields blank on an order's later lines: take them from its first line."""
    fields = [f for f in dataset.fields if f.order_level and f.name in mapping]
    blanks = cur.execute(
        "select " + ", ".join(f"count(*) filter (where {quote(f.name)} is null and not {quote(f.name + '__bad')})" for f in fields)
        + " from typed"
    ).fetchone() if fields else ()
    to_fill = [f for f, n in zip(fields, blanks) if n]
    window = f"over (partition by order_id order by {ROW} rows between unbounded preceding and unbounded following)"
    replaced = [f"coalesce({quote(f.name)}, first({quote(f.name)} ignore nulls) {window}) as {quote(f.name)}" for f in to_fill]
    replace_clause = f" replace ({', '.join(replaced)})" if replaced else ""
    cur.execute(
        f"create or replace temp table typed as select *{replace_clause}, "
        f"row_number() over (partition by order_id order by {ROW})::integer as line_number from typed"
    )
    if not to_fill:
        return []
    after = cur.execute(
        "select " + ", ".join(f"count(*) filter (where {quote(f.name)} is null)" for f in to_fill) + " from typed"
    ).fetchone()
    return [
        CleaningNote("cleaning.order_fields_filled", mapping[f.name], before - remaining)
        for f, before, remaining in zip(to_fill, [n for n in blanks if n], after)
        if before - remaining
    ]


def _fill_medians(cur, dataset: Dataset, mapping: dict[str, str]) -> list[CleaningNote]:
    """A missing measure a metric needs is filled with the column's median, and the fill is reported."""
    notes = []
    for f in dataset.fields:
        if not f.fill_median:
            continue
        column = quote(f.name)
        bad = f"{quote(f.name + '__bad')}" if f.name in mapping else "false"
        missing, median = cur.execute(
            f"select count(*) filter (where {column} is null and not {bad}), median({column}) from typed"
        ).fetchone()
        if missing and median is not None:
            cur.execute(f"update typed set {column} = ? where {column} is null and not {bad}", [median])
            notes.append(CleaningNote("cleaning.median_filled", mapping.get(f.name, f.name), missing, float(median)))
    return notes


def _collect_problems(cur, dataset: Dataset, mapping: dict[str, str]) -> None:
    """A `problems` table: one row per unusable value, located by row and source column."""
    parts = []
    for f in dataset.fields:
        source = mapping.get(f.name, f.name).replace("'", "''")
        name = quote(f.name)
        if f.name in mapping:
            parts.append(f"select {ROW}, '{source}', {quote(f.name + '__raw')}, 'not_{f.type}', '' from typed where {quote(f.name + '__bad')}")
        if f.required:
            bad = f"not {quote(f.name + '__bad')}" if f.name in mapping else "true"
            parts.append(f"select {ROW}, '{source}', null, 'missing', '' from typed where {name} is null and {bad}")
        if f.type == "integer" or f.name in {"spend", "attributed_revenue", "unit_price", "quantity", "order_total"}:
            raw = quote(f.name + "__raw") if f.name in mapping else "null"
            parts.append(f"select {ROW}, '{source}', {raw}, 'negative', '' from typed where {name} < 0")
    if dataset.name == "experiments":
        parts.append(f"select {ROW}, '{mapping['conversions'].replace(chr(39), chr(39) * 2)}', conversions::varchar, 'conversions_above_users', users::varchar from typed where conversions > users")
    if dataset.aggregate is None and dataset.name != "orders":
        key = ", ".join(quote(k) for k in dataset.key)
        columns = "/".join(mapping.get(k, k) for k in dataset.key).replace("'", "''")
        parts.append(
            f"select {ROW}, '{columns}', null, 'duplicate_key', first_row::varchar from ("
            f"select {ROW}, min({ROW}) over (partition by {key}) as first_row from typed) where first_row < {ROW}"
        )
    cur.execute(
        "create temp table problems (source_row bigint, source_column varchar, value varchar, code varchar, detail varchar)"
    )
    for part in parts:
        cur.execute(f"insert into problems {part}")


def _flag_price_outliers(cur) -> list[CleaningNote]:
    """A unit price above 10x the mean is flagged (kept, and excludable from averages)."""
    cur.execute(
        f"""create or replace temp table typed as
            select *, coalesce(unit_price > {PRICE_OUTLIER_FACTOR} * avg(unit_price) over (), false) as is_price_outlier
            from typed"""
    )
    count = cur.execute("select count(*) from typed where is_price_outlier and " + f"{ROW} not in (select source_row from problems)").fetchone()[0]
    return [CleaningNote("cleaning.price_outliers", "unit_price", count)] if count else []


def _finalise(cur, dataset: Dataset) -> None:
    """The rows to store, in the table's columns."""
    cur.execute(f"create temp view accepted as select * from typed where {ROW} not in (select source_row from problems)")
    if dataset.aggregate:
        cur.execute(f"create temp table final as {dataset.aggregate}")
        return
    columns = [f.name for f in dataset.stored_fields]
    if dataset.name == "orders":
        columns += ["line_number", "is_price_outlier"]
    cur.execute(f"create temp table final as select {', '.join(quote(c) for c in columns)} from accepted")


def _report_tables(cur, report: Report, file_name: str, malformed_rows: int) -> None:
    report.total_rows = cur.execute("select count(*) from raw").fetchone()[0] + malformed_rows
    report.problem_count = cur.execute("select count(*) from problems").fetchone()[0] + malformed_rows
    rejected_ids = cur.execute("select count(distinct source_row) from problems").fetchone()[0]
    report.rejected_count = rejected_ids + malformed_rows
    report.accepted_rows = report.total_rows - report.rejected_count
    problems = []
    if malformed_rows:
        for line, csv_line, message in cur.execute(
            "select line, csv_line, error_message from reject_errors order by line limit ?", [PROBLEM_LIST_LIMIT]
        ).fetchall():
            problems.append(Problem(file_name, line, None, csv_line, "malformed_row", message))
    for row, column, value, code, detail in cur.execute(
        "select * from problems order by source_row, source_column limit ?", [PROBLEM_LIST_LIMIT]
    ).fetchall():
        problems.append(Problem(file_name, row, column, value, code, detail))
    report.problems = sorted(problems, key=lambda p: (p.row or 0))[:PROBLEM_LIST_LIMIT]
    report.sample = cur.execute("select * from final limit 20").fetchdf()
    rejected = cur.execute(
        f"""select raw.{ROW} as row, reasons.reason, raw.* exclude ({ROW})
            from raw join (select source_row, string_agg(source_column || ': ' || code, '; ' order by source_column) as reason
                           from problems group by source_row) reasons on reasons.source_row = raw.{ROW}
            order by raw.{ROW} limit ?""",
        [REJECTED_LIST_LIMIT],
    ).fetchdf()
    if malformed_rows:
        extra = cur.execute("select line as row, 'malformed_row: ' || error_message as reason, csv_line from reject_errors order by line").fetchdf()
        rejected = pd.concat([extra, rejected], ignore_index=True).sort_values("row", kind="stable")
    report.rejected = rejected.reset_index(drop=True)


@contextmanager
def staged(
    workspace: Workspace,
    path: Path | str,
    *,
    kind: str | None = None,
    mapping: dict[str, str] | None = None,
    day_first: bool | None = None,
    file_name: str | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, Report]]:
    """Stage a file on a private cursor and report on it; the workspace's tables are not touched."""
    path = Path(path)
    file_name = file_name or path.name
    step = progress or (lambda fraction, stage: None)
    work_dir = Path(tempfile.mkdtemp(prefix="shoplens-"))
    cur = workspace.cursor()
    try:
        step(0.05, "progress.reading")
        try:
            source = sources.prepare(path, work_dir, file_name)
        except sources.SourceError as error:
            raise IngestError(error.key, **error.params) from None
        cur.execute("set autoinstall_known_extensions = false")
        cur.execute(read_sql("macros.sql"))
        malformed_rows = _load_raw(cur, source, file_name)
        headers = read_headers(cur, source)
        kind = kind or detect_kind(headers)
        if kind is None:
            raise IngestError("error.unknown_kind", file=file_name, headers=", ".join(headers[:12]))
        if kind not in DATASETS:
            raise IngestError("error.bad_kind", file=file_name, kind=kind, kinds=", ".join(DATASETS))
        dataset = DATASETS[kind]
        mapping = {k: v for k, v in (mapping if mapping is not None else suggest_mapping(dataset, headers)).items() if v}
        unknown = sorted(set(mapping.values()) - set(headers))
        if unknown:
            raise IngestError("error.unknown_columns", file=file_name, columns=", ".join(unknown))
        missing = missing_required(dataset, mapping)
        if missing:
            raise IngestError("error.missing_columns", file=file_name, kind=kind, columns=", ".join(missing))
        if day_first is None:
            day_first = _decide_day_first(cur, dataset, mapping)
        report = Report(file_name, kind, mapping, headers, source.encoding, source.file_type, source.delimiter, day_first)

        step(0.3, "progress.parsing")
        report.cleaning += _build_typed(cur, dataset, mapping, day_first)
        report.cleaning += _fill_medians(cur, dataset, mapping)
        step(0.55, "progress.validating")
        _collect_problems(cur, dataset, mapping)
        if dataset.name == "orders":
            report.cleaning += _flag_price_outliers(cur)
        _finalise(cur, dataset)
        _report_tables(cur, report, file_name, malformed_rows)
        yield cur, report
    finally:
        cur.close()
        shutil.rmtree(work_dir, ignore_errors=True)


def preview(workspace: Workspace, path: Path | str, **options) -> Report:
    """What a load would do: parsed sample, problems, rejected rows, cleaning notes."""
    with staged(workspace, path, **options) as (_, report):
        return report


def load(
    workspace: Workspace,
    path: Path | str,
    *,
    mode: str = "append",
    skip_bad_rows: bool = False,
    **options,
) -> Report:
    """Stage and commit in one transaction. Append replaces rows with the same key, so a re-upload
    never double-counts; replace empties the dataset's table first."""
    if mode not in MODES:
        raise IngestError("error.bad_mode", mode=mode)
    if workspace.is_demo:
        raise IngestError("error.demo_read_only")
    progress = options.get("progress") or (lambda fraction, stage: None)
    with staged(workspace, path, **options) as (cur, report):
        if report.rejected_count and not skip_bad_rows:
            raise RejectedRows(report)
        if report.accepted_rows == 0:
            raise IngestError("error.no_rows", file=report.file_name)
        dataset = DATASETS[report.kind]
        progress(0.8, "progress.saving")
        with workspace.writing():
            commit(cur, workspace, dataset, report, mode)
        report.mode = mode
        report.loaded_rows = cur.execute("select count(*) from final").fetchone()[0]
        progress(1.0, "progress.done")
        return report


def commit(cur, workspace: Workspace, dataset: Dataset, report: Report, mode: str) -> None:
    """Replace matching rows (or the whole table) and insert the staged ones, all or nothing."""
    table = quote(dataset.table)
    columns = ", ".join(quote(c) for c in cur.execute("select * from final limit 0").fetchdf().columns)
    replace_key = ("order_id",) if dataset.table == "orders" else dataset.key
    cur.execute("begin transaction")
    try:
        if mode == "replace":
            cur.execute(f"delete from {table}")
        else:
            match = " and ".join(f"{table}.{quote(k)} is not distinct from final.{quote(k)}" for k in replace_key)
            cur.execute(f"delete from {table} using final where {match}")
        cur.execute(f"insert into {table} ({columns}) select {columns} from final")
        cur.execute(
            "insert into load_log values (now(), ?, ?, ?, (select count(*) from final), ?)",
            [dataset.table, report.file_name, mode, report.rejected_count],
        )
        workspace.bump_data_version(cur)
        cur.execute("commit")
    except BaseException:
        cur.execute("rollback")
        raise


def write_rejected(report: Report, target: Path) -> None:
    from core.export import to_safe_csv

    target.write_bytes(to_safe_csv(report.rejected))


def inspect(path: Path | str, file_name: str | None = None) -> tuple[list[str], str | None]:
    """The file's headers and the dataset they look like, before the user confirms a mapping."""
    path = Path(path)
    file_name = file_name or path.name
    work_dir = Path(tempfile.mkdtemp(prefix="shoplens-"))
    try:
        try:
            source = sources.prepare(path, work_dir, file_name)
        except sources.SourceError as error:
            raise IngestError(error.key, **error.params) from None
        with duckdb.connect(config={"autoinstall_known_extensions": False}) as con:
            try:
                columns = con.execute(
                    f"select * from read_csv($path, all_varchar = true, header = true, delim = '{source.delimiter}') limit 0",
                    {"path": str(source.csv_path)},
                ).fetchdf().columns
            except duckdb.Error as error:
                raise IngestError("error.unreadable_csv", file=file_name, detail=str(error).splitlines()[0]) from None
        headers = list(columns)
        return headers, detect_kind(headers)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
