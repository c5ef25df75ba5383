"""Load an uploaded export into a workspace: stage, validate, clean, then commit in one transaction.

DuckDB reads the file itself, every column as text, so a sniffer guess can never fail the load half
way; the parsing rules (sql/macros.sql) then turn text into typed values and every value that does
not parse becomes a problem naming its file, row and column. Nothing touches the workspace's tables
until the commit, and the commit is a single transaction: a failure leaves the workspace as it was.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from core.data import personal, sources
from core.data.datasets import DATASETS, Dataset, Field, detect_kind, implied_currency, melted_headers, missing_required, suggest_mapping
from core.data.messages import LabelledMessage
from core.platform.errors import WorkspaceReadOnly
from core.platform.i18n import translate
from core.platform.paths import read_sql
from core.platform.paths import work_dir as work_folder
from core.platform.transactions import transaction
from core.platform.workspace import Workspace, connection_config, quote

ROW = "_source_row"
PROBLEM_LIST_LIMIT = 500
REJECTED_LIST_LIMIT = 100_000
PRICE_OUTLIER_FACTOR = 10
MODES = ("append", "replace")

PARSERS = {
    "id": "parse_id({c})",
    "text": "blank_to_null({c})",
    "number": "parse_number({c})",
    # nan, inf and 1e300 parse as numbers but are no whole count: NULL, so they are reported
    "integer": "try_cast(round(parse_number({c})) as bigint)",
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
# The plausible range of every date, timestamp and month: a value outside it is a typo or a placeholder
# (0001-01-01, 9999-12-31, year 10000) that would break the pages' date arithmetic, so its row is
# rejected with the column and the range named. Adjustable per workspace through the settings keys
# `plausible_earliest_date` (an ISO date) and `plausible_years_ahead` (whole years after today);
# sql/views/plausible_dates.sql works the range out, and the usable_* views apply it to what is stored.
EARLIEST_DATE = date(1990, 1, 1)
YEARS_AHEAD = 1
EARLIEST_DATE_SETTING = "plausible_earliest_date"
YEARS_AHEAD_SETTING = "plausible_years_ahead"


class IngestError(LabelledMessage):
    """The file cannot be loaded as it is; nothing in the workspace changed."""


class RejectedRows(IngestError):
    def __init__(self, report: Report):
        self.report = report
        first = report.problems[0]
        super().__init__("error.rejected_rows", file=report.file_name, count=report.rejected_count,
                         first=first.text("en"))

    def text(self, lang: str = "en") -> str:
        """The first problem in the user's language too."""
        return translate(self.key, lang, **{**self.params, "first": self.report.problems[0].text(lang)})


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


def reason_text(causes: list[tuple[str | None, str, str]], lang: str = "en") -> str:
    """Why a row was rejected, as sentences ("order_time: expected a date and time such as ..."), not codes."""
    parts = []
    for column, code, detail in causes:
        expected = translate(f"problem.{code}", lang, detail=detail or "")
        parts.append(translate("problem.reason", lang, column=column, expected=expected) if column
                     else translate("problem.reason_row", lang, expected=expected))
    return translate("problem.separator", lang).join(parts)


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
    rejected: pd.DataFrame | None = None  # row, reason (codes: uv: not_integer), the file's columns
    rejected_causes: list[list[tuple[str | None, str, str]]] = field(default_factory=list)  # per rejected row
    loaded_rows: int = 0
    mode: str | None = None
    implied_currency: str | None = None  # the currency a file means without naming it (Taobao/Tmall: CNY)


def plausible_range(cur: duckdb.DuckDBPyConnection) -> tuple[date, date]:
    """The first and last day a date may be (sql/views/plausible_dates.sql, with the settings applied)."""
    return cur.execute("select earliest_date, latest_date from plausible_dates").fetchone()


def _scrub(text: str, file_name: str, *paths: Path | str) -> str:
    """DuckDB's message with our temp paths replaced by the user's file name: the server's folders are
    nobody's business and mean nothing to the user."""
    for path in sorted({str(p) for p in paths if p}, key=len, reverse=True):
        text = text.replace(path, file_name)
    return text


def read_headers(cur: duckdb.DuckDBPyConnection) -> list[str]:
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
        detail = _scrub(str(error).splitlines()[0], file_name, source.csv_path, source.csv_path.parent)
        raise IngestError("error.unreadable_csv", file=file_name, detail=detail) from None
    # DuckDB keeps one reject entry per missing or extra field: one malformed row is one line here, with
    # the entry that counts its fields right (the first for a short row, the last for a long one).
    cur.execute("""create temp table malformed_rows as
        select line, any_value(csv_line) as csv_line,
               case when bool_or(error_type = 'TOO MANY COLUMNS') then arg_max(error_message, column_idx)
                    else arg_min(error_message, column_idx) end as error_message
        from reject_errors group by line""")
    malformed = cur.execute("select line from malformed_rows order by line").fetchall()
    columns = [d[0] for d in cur.execute("select * from raw_read limit 0").description]
    if malformed:
        # Accepted row k sits after every malformed line that came before it: shift its number.
        cur.execute("create temp table malformed as select line, line - 2 - (row_number() over (order by line) - 1) as accepted_before from malformed_rows")
        cur.execute(f"""create temp table raw as
            select k + 1 + (select count(*) from malformed m where m.accepted_before < k) as {ROW}, * exclude (k)
            from (select row_number() over () as k, * from raw_read)""")
    elif any(c.lower() == "rowid" for c in columns):  # a column called rowid would hide the row id
        cur.execute(f"create temp table raw as select row_number() over () + 1 as {ROW}, * from raw_read")
    else:
        # A table just filled from the file keeps its rows in file order (as row_number() over () relied on
        # too, with DuckDB's default preserve_insertion_order), so its row ids number them without a copy.
        cur.execute(f"create temp view raw as select rowid + 2 as {ROW}, * from raw_read")
    return len(malformed)


def _melt(cur, dataset: Dataset, mapping: dict[str, str], columns: list[str]) -> dict[str, str]:
    """`cells`: a wide table's rows, one per non-blank cell of the melted columns, the column's header in
    the melt's first field and the cell in its second; the row keeps its number in the file (a bad cell
    rejects its whole row, as the owner sees it). Returns the mapping with both fields on `cells`."""
    header_field, value_field = dataset.melt
    kept = ", ".join([ROW] + [quote(h) for h in mapping.values()])
    cur.execute(
        f"""create temp table cells as
            select * replace (trim({quote(header_field)}) as {quote(header_field)})
            from (unpivot (select {kept}, {', '.join(quote(c) for c in columns)} from raw)
                  on {', '.join(quote(c) for c in columns)} into name {quote(header_field)} value {quote(value_field)})
            where not is_blank({quote(value_field)})
            order by {ROW}"""
    )
    return {**mapping, header_field: header_field, value_field: value_field}


def _scan_raw(cur, dataset: Dataset, mapping: dict[str, str], day_first: bool | None,
              rows: str = "raw") -> tuple[bool, dict[str, int]]:
    """One pass over the text for what parsing needs to know first: whether to read dates day-first
    (unless given) and, for orders, how many order-level values are blank.

    `01/02/2024` is read day-first only when that parses more values than month-first. ISO text parses
    the same either way, so only the other values are parsed both ways and compared."""
    dates = [quote(mapping[f.name]) for f in dataset.fields if f.type in DATE_TYPES and f.name in mapping] if day_first is None else []
    order_level = [f for f in dataset.fields if f.order_level and f.name in mapping] if dataset.name == "orders" else []
    parts = [
        f"sum(case when iso_timestamp({c}) is null then (parse_timestamp({c}, true) is not null)::integer"
        f" - (parse_timestamp({c}, false) is not null)::integer end)" for c in dates
    ] + [f"sum(is_blank({quote(mapping[f.name])})::integer)" for f in order_level]
    values = cur.execute(f"select {', '.join(parts)} from {rows}").fetchone() if parts else ()
    if day_first is None:
        day_first = sum(v or 0 for v in values[:len(dates)]) > 0
    blanks = {f.name: int(v or 0) for f, v in zip(order_level, values[len(dates):])}
    return day_first, blanks


def _flagged(f: Field, mapping: dict[str, str]) -> bool:
    """Whether a field has a `__bad` flag: mapped, and of a type whose text can fail to parse."""
    return f.name in mapping and f.type != "text"


def _parsed_view(cur, dataset: Dataset, mapping: dict[str, str], day_first: bool, rows: str = "raw") -> None:
    """`parsed`: every field typed, and for a flagged one a `__bad` flag: a value was given but does not parse.

    A view: a query over it parses only the columns it uses, and `typed` is the one copy of the rows."""
    inner, outer = [ROW], [ROW]
    for f in dataset.fields:
        name = quote(f.name)
        if f.name in mapping:
            column = quote(mapping[f.name])
            inner.append(f"{PARSERS[f.type].format(c=column, day_first=str(day_first).lower())} as {name}")
            if not _flagged(f, mapping):  # blank_to_null is NULL exactly for blank text: never bad
                outer.append(name)
                continue
            blank = quote(f.name + "__blank")
            inner.append(f"is_blank({column}) as {blank}")
            # bad: the value is NULL (true > false) although the text was not blank; each parsed once
            outer += [name, f"({name} is null) > {blank} as {quote(f.name + '__bad')}"]
        else:
            inner.append(f"null::{SQL_TYPES[f.type]} as {name}")
            outer.append(name)
    cur.execute(f"create temp view parsed as select {', '.join(outer)} from (select {', '.join(inner)} from {rows})")


def _build_typed(cur, dataset: Dataset, mapping: dict[str, str], day_first: bool, blanks: dict[str, int],
                 defaults: dict[str, str], rows: str = "raw") -> list[CleaningNote]:
    """Parse, copy order-level fields down an order's lines, then apply defaults and derivations: one copy."""
    _parsed_view(cur, dataset, mapping, day_first, rows)
    columns = [ROW] + [quote(f.name) for f in dataset.fields] + [quote(f.name + "__bad") for f in dataset.fields if _flagged(f, mapping)]
    source = "parsed"
    fills: list[tuple[Field, int]] = []
    if dataset.name == "orders":
        fills = _line_numbers(cur, dataset, blanks)
        source = f"parsed join line_numbers using ({ROW})"
        for f, _ in fills:
            filled = f"coalesce({quote(f.name)}, {quote(f.name + '__first')})"
            columns[columns.index(quote(f.name))] = f"{filled} as {quote(f.name)}"
            columns.append(f"{filled} is null as {quote(f.name + '__unfilled')}")
        columns.append("line_number")
    query = f"select {', '.join(columns)} from {source}"
    for step in ("default", "derive"):
        rules = {f.name: getattr(f, step) for f in dataset.fields if getattr(f, step) is not None}
        if step == "default":
            rules |= defaults
        replaced = [f"coalesce({quote(name)}, {rule}) as {quote(name)}" for name, rule in rules.items()]
        if replaced:
            query = f"select * replace ({', '.join(replaced)}) from ({query})"
    cur.execute(f"create temp table typed as {query}")
    if not fills:
        return []
    after = cur.execute(
        "select " + ", ".join(f"count(*) filter (where {quote(f.name + '__unfilled')})" for f, _ in fills) + " from typed"
    ).fetchone()
    return [
        CleaningNote("cleaning.order_fields_filled", mapping[f.name], before - remaining)
        for (f, before), remaining in zip(fills, after)
        if before - remaining
    ]


def _line_numbers(cur, dataset: Dataset, blanks: dict[str, int]) -> list[tuple[Field, int]]:
    """`line_numbers`: each row's line number within its order and, for the order-level fields Shopify leaves
    blank on an order's later lines, the value of the order's first line that has one.

    Returns the fields to fill with their count of blanks (a blank value is exactly one that parses to
    NULL without being bad, so the count comes from the text)."""
    to_fill = [(f, blanks[f.name]) for f in dataset.fields if blanks.get(f.name)]
    window = f"partition by order_id order by {ROW}"
    whole = f"over ({window} rows between unbounded preceding and unbounded following)"
    columns = [ROW, f"row_number() over ({window})::integer as line_number"]
    columns += [f"first({quote(f.name)} ignore nulls) {whole} as {quote(f.name + '__first')}" for f, _ in to_fill]
    # Only the row number, the order id and the fields to fill go through the window, not whole rows.
    cur.execute(f"create temp table line_numbers as select {', '.join(columns)} from parsed")
    return to_fill


def _fill_medians(cur, dataset: Dataset, mapping: dict[str, str]) -> list[CleaningNote]:
    """A missing measure a metric needs is filled with the column's median, and the fill is reported."""
    notes = []
    fields = [f for f in dataset.fields if f.fill_median]
    missing_where = {f.name: f"{quote(f.name)} is null and not {quote(f.name + '__bad') if _flagged(f, mapping) else 'false'}" for f in fields}
    # One pass counts what is missing; a median is only worked out for a column that needs one.
    counts = cur.execute(
        "select " + ", ".join(f"count(*) filter (where {missing_where[f.name]})" for f in fields) + " from typed"
    ).fetchone() if fields else ()
    for f, missing in zip(fields, counts):
        if not missing:
            continue
        column = quote(f.name)
        median = cur.execute(f"select median({column}) from typed").fetchone()[0]
        if median is not None:
            cur.execute(f"update typed set {column} = ? where {missing_where[f.name]}", [median])
            notes.append(CleaningNote("cleaning.median_filled", mapping.get(f.name, f.name), missing, float(median)))
    return notes


def _collect_problems(cur, dataset: Dataset, mapping: dict[str, str], rows: str = "raw",
                      dates: tuple[date, date] | None = None) -> None:
    """A `problems` table: one row per unusable value, located by row and source column.

    One pass counts every kind of problem; only the kinds that occur are then looked up (the raw value
    comes from `raw`, joined on the row for the few rows concerned)."""
    parts = []  # (condition on typed, the problem row to insert, whether the raw text is needed); {t} qualifies
    for f in dataset.fields:
        source = "'" + mapping.get(f.name, f.name).replace("'", "''") + "'"
        if dataset.melt and f.name == dataset.melt[1]:  # a melted cell is named by its column's header
            source = f"typed.{quote(dataset.melt[0])}"
        name = quote(f.name)
        raw = f"{rows}.{quote(mapping[f.name])}" if f.name in mapping else "null"
        if _flagged(f, mapping):
            parts.append(("{t}" + quote(f.name + "__bad"), f"{source}, {raw}, 'not_{f.type}', ''", True))
        if f.required:
            bad = "not {t}" + quote(f.name + "__bad") if _flagged(f, mapping) else "true"
            parts.append(("{t}" + f"{name} is null and {bad}", f"{source}, null, 'missing', ''", False))
        if f.type == "integer" or f.name in {"spend", "attributed_revenue", "unit_price", "quantity", "order_total"}:
            parts.append(("{t}" + f"{name} < 0", f"{source}, {raw}, 'negative', ''", f.name in mapping))
        if f.type in DATE_TYPES:
            # a date that parses but is outside the plausible range
            earliest, latest = dates or plausible_range(cur)
            outside = (f"({{t}}{name} < date '{earliest}' or {{t}}{name} >= date '{latest}' + 1)" if f.type == "timestamp"
                       else f"({{t}}{name} not between date '{earliest}' and date '{latest}')")
            if f.name in mapping:  # the text as the file has it; a later line of an order shows the first line's
                value, needs_raw = f"coalesce(nullif(trim({raw}), ''), typed.{name}::varchar)", True
            else:
                value, needs_raw = f"{name}::varchar", False
            parts.append((outside, f"{source}, {value}, 'date_out_of_range', '{earliest} – {latest}'", needs_raw))
        if f.type in ("number", "rate") and f.derive is not None:
            # worked out from other columns (a price from a total over a tiny quantity): it must stay a number
            parts.append(("not isfinite({t}" + f"{name})", f"{source}, {name}::varchar, 'not_{f.type}', ''", False))
    if dataset.name == "experiments":
        source = mapping["conversions"].replace("'", "''")
        parts.append(("{t}conversions > {t}users", f"'{source}', conversions::varchar, 'conversions_above_users', users::varchar", False))
    cur.execute(
        "create temp table problems (source_row bigint, source_column varchar, value varchar, code varchar, detail varchar)"
    )
    counts = cur.execute(
        "select " + ", ".join(f"count(*) filter (where {condition.format(t='')})" for condition, _, _ in parts) + " from typed"
    ).fetchone() if parts else ()
    # a melted table has one row per cell: a cell is its file row and its column's header
    join = f"{rows}.{ROW} = typed.{ROW}" + (f" and {rows}.{quote(dataset.melt[0])} = typed.{quote(dataset.melt[0])}" if dataset.melt else "")
    for (condition, columns, needs_raw), count in zip(parts, counts):
        if not count:
            continue
        if needs_raw:
            cur.execute(f"insert into problems select typed.{ROW}, {columns} from typed join {rows} on {join} "
                        f"where {condition.format(t='typed.')}")
        else:
            cur.execute(f"insert into problems select {ROW}, {columns} from typed where {condition.format(t='')}")
    if dataset.name == "funnel_stages" and "lost" in mapping:
        # the playbook's 流失人数: those who entered this stage and not the next one
        source = mapping["lost"].replace("'", "''")
        cur.execute(
            f"""insert into problems select {ROW}, '{source}', lost::varchar, 'lost_mismatch', expected::varchar
                from (select {ROW}, lost, users - lead(users) over (partition by date, segment order by step) as expected
                      from typed)
                where lost <> expected"""
        )
    if dataset.aggregate is None and dataset.name != "orders":
        key = ", ".join(quote(k) for k in dataset.key)
        columns = "/".join(mapping.get(k, k) for k in dataset.key).replace("'", "''")
        cur.execute(
            f"insert into problems select {ROW}, '{columns}', null, 'duplicate_key', first_row::varchar from ("
            f"select {ROW}, min({ROW}) over (partition by {key}) as first_row from typed) where first_row < {ROW}"
        )


def _finalise(cur, dataset: Dataset) -> list[CleaningNote]:
    """The rows to store, in the table's columns; for orders, the price outliers flagged.

    `final` is a view over `typed` (a table only for datasets aggregated to another grain): storing the
    rows reads it once, and a preview only reads its first rows (from `final_rows`, which keeps the row number)."""
    has_problems = cur.execute("select count(*) > 0 from (select 1 from problems limit 1)").fetchone()[0]
    where = f" where {ROW} not in (select source_row from problems)" if has_problems else ""
    cur.execute(f"create temp view accepted as select * from typed{where}")
    notes = []
    if dataset.table == "traffic_daily":
        # a channel's day total beside its rows per device would count the day's visitors twice: dropped, reported
        totals = """select {ROW} from accepted a where is_total_device(device) and exists (
                        select 1 from accepted b where b.date = a.date and b.channel = a.channel and not is_total_device(b.device))"""
        cur.execute(f"create temp table device_totals as {totals.format(ROW=ROW)}")
        dropped = cur.execute("select count(*) from device_totals").fetchone()[0]
        if dropped:
            joiner = " and " if where else " where "
            cur.execute(f"create or replace temp view accepted as select * from typed{where}{joiner}"
                        f"{ROW} not in (select {ROW} from device_totals)")
            notes.append(CleaningNote("cleaning.device_totals_dropped", dataset.field("device").name, dropped))
    if dataset.aggregate:
        cur.execute(f"create temp table final as {dataset.aggregate.format(rows='accepted')}")
        return notes
    columns = [quote(f.name) for f in dataset.stored_fields]
    if dataset.name == "orders":
        # A unit price above 10x the mean of every row's price (rejected rows included) is flagged, kept,
        # and excludable from averages.
        cur.execute("create temp table price_stats as select avg(unit_price) as mean_price from typed")
        columns += [
            "line_number",
            f"coalesce(unit_price > {PRICE_OUTLIER_FACTOR} * (select mean_price from price_stats), false) as is_price_outlier",
        ]
    cur.execute(f"create temp view final_rows as select {ROW}, {', '.join(columns)} from accepted")
    cur.execute(f"create temp view final as select * exclude ({ROW}) from final_rows")
    if dataset.name != "orders":
        return notes
    count = cur.execute("select count(*) from final where is_price_outlier").fetchone()[0]
    return [CleaningNote("cleaning.price_outliers", "unit_price", count)] if count else []


def _report_tables(cur, report: Report, file_name: str, malformed_rows: int) -> None:
    report.total_rows = cur.execute("select count(*) from raw").fetchone()[0] + malformed_rows
    report.problem_count = cur.execute("select count(*) from problems").fetchone()[0] + malformed_rows
    rejected_ids = cur.execute("select count(distinct source_row) from problems").fetchone()[0]
    report.rejected_count = rejected_ids + malformed_rows
    report.accepted_rows = report.total_rows - report.rejected_count
    problems = []
    if malformed_rows:
        for line, csv_line, message in cur.execute(
            "select line, csv_line, error_message from malformed_rows order by line limit ?", [PROBLEM_LIST_LIMIT]
        ).fetchall():
            problems.append(Problem(file_name, line, None, csv_line, "malformed_row", message))
    for row, column, value, code, detail in cur.execute(
        "select * from problems order by source_row, source_column limit ?", [PROBLEM_LIST_LIMIT]
    ).fetchall():
        problems.append(Problem(file_name, row, column, value, code, detail))
    report.problems = sorted(problems, key=lambda p: (p.row or 0))[:PROBLEM_LIST_LIMIT]
    if DATASETS[report.kind].aggregate:
        report.sample = cur.execute("select * from final limit 20").fetchdf()
    else:  # the file's first accepted rows
        report.sample = cur.execute(f"select * exclude ({ROW}) from final_rows order by {ROW} limit 20").fetchdf()
    rejected = cur.execute(
        f"""select raw.{ROW} as row, reasons.reason, reasons.causes as _causes, raw.* exclude ({ROW})
            from raw join (select source_row, string_agg(source_column || ': ' || code, '; ' order by source_column) as reason,
                                  list([source_column, code, coalesce(detail, '')] order by source_column) as causes
                           from problems group by source_row) reasons on reasons.source_row = raw.{ROW}
            order by raw.{ROW} limit ?""",
        [REJECTED_LIST_LIMIT],
    ).fetchdf()
    if malformed_rows:
        extra = cur.execute("select line as row, 'malformed_row: ' || error_message as reason, "
                            "[[null, 'malformed_row', error_message]] as _causes, csv_line from malformed_rows order by line").fetchdf()
        rejected = pd.concat([extra, rejected], ignore_index=True).sort_values("row", kind="stable")
    rejected = rejected.reset_index(drop=True)
    rejected["row"] = rejected["row"].astype("int64")  # a row number, never "5.0"
    report.rejected_causes = [[tuple(cause) for cause in causes] for causes in rejected.pop("_causes")]
    report.rejected = rejected


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
    work_dir = work_folder("load")  # named for this process, so a killed load's folder is swept at the next start
    cur = workspace.cursor()
    try:
        step(0.05, "progress.reading")
        try:
            source = sources.prepare(path, work_dir, file_name)
        except sources.SourceError as error:
            raise IngestError(error.key, labels=error.labels, **error.params) from None
        cur.execute("set autoinstall_known_extensions = false")
        cur.execute(read_sql("macros.sql"))
        malformed_rows = _load_raw(cur, source, file_name)
        headers = read_headers(cur)
        kind = kind or detect_kind(headers)
        if kind is None:
            raise IngestError("error.unknown_kind", file=file_name, headers=", ".join(headers[:12]))
        if kind not in DATASETS:
            raise IngestError("error.bad_kind", file=file_name, kind=kind, labels={"kinds": [f"dataset.{k}" for k in DATASETS]})
        dataset = DATASETS[kind]
        mapping = {k: v for k, v in (mapping if mapping is not None else suggest_mapping(dataset, headers)).items() if v}
        unknown = sorted(set(mapping.values()) - set(headers))
        if unknown:
            raise IngestError("error.unknown_columns", file=file_name, columns=", ".join(unknown))
        if dataset.melt:  # the melted fields come from the columns themselves, whatever the form says
            mapping = {k: v for k, v in mapping.items() if k not in dataset.melt}
        missing = missing_required(dataset, mapping)
        if missing:
            # named as the mapping form labels them ("Order ID *"), in the user's language
            raise IngestError("error.missing_columns", file=file_name,
                              labels={"kind": f"dataset.{kind}", "columns": [f"field.{name}" for name in missing]})
        rows = "raw"
        if dataset.melt:
            melted = melted_headers(dataset, headers, mapping)
            if not melted:
                raise IngestError("error.missing_columns", file=file_name,
                                  labels={"kind": f"dataset.{kind}", "columns": [f"field.{dataset.melt[1]}"]})
            mapping, rows = _melt(cur, dataset, mapping, melted), "cells"
        day_first, blanks = _scan_raw(cur, dataset, mapping, day_first, rows)
        report = Report(file_name, kind, mapping, headers, source.encoding, source.file_type, source.delimiter, day_first)

        step(0.3, "progress.parsing")
        currency = implied_currency(dataset, headers, mapping)
        report.implied_currency = currency
        report.cleaning += _build_typed(cur, dataset, mapping, day_first, blanks,
                                        {"currency": f"'{currency}'"} if currency else {}, rows)
        report.cleaning += _fill_medians(cur, dataset, mapping)
        step(0.55, "progress.validating")
        _collect_problems(cur, dataset, mapping, rows, plausible_range(cur))
        report.cleaning += _finalise(cur, dataset)
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
    before_commit: Callable[[Report], None] | None = None,
    **options,
) -> Report:
    """Stage and commit in one transaction. Append replaces rows with the same key, so a re-upload
    never double-counts; replace empties the dataset's table first.

    `before_commit(report)` runs once the file is accepted and before anything is written (the CLI writes
    the rejected rows there): if it raises, the workspace stays as it was."""
    if mode not in MODES:
        raise IngestError("error.bad_mode", mode=mode)
    if workspace.is_demo:
        raise WorkspaceReadOnly("error.demo_read_only")
    progress = options.get("progress") or (lambda fraction, stage: None)
    with staged(workspace, path, **options) as (cur, report):
        if report.rejected_count and not skip_bad_rows:
            raise RejectedRows(report)
        if report.accepted_rows == 0:
            raise IngestError("error.no_rows", file=report.file_name)
        dataset = DATASETS[report.kind]
        if before_commit is not None:
            before_commit(report)
        progress(0.8, "progress.saving")
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
    with transaction(workspace, cur):
        personal.protect(cur, workspace, dataset, report, mode)  # personal data (issue 15): pseudonyms + encrypted contacts, same transaction
        if dataset.row_table:
            _commit_user_rows(cur, dataset, mode)
        elif mode == "replace":
            cur.execute(f"delete from {table}")
        elif dataset.table == "traffic_daily":
            # a channel's day given again replaces what is stored for it at the same grain, and a day total
            # replaces the rows per device (or they replace it): the day's visitors are never counted twice
            cur.execute(f"""delete from {table} using final
                            where {table}.date = final.date and {table}.channel = final.channel
                              and ({table}.device = final.device or is_total_device({table}.device) or is_total_device(final.device))""")
        else:
            match = " and ".join(f"{table}.{quote(k)} is not distinct from final.{quote(k)}" for k in replace_key)
            cur.execute(f"delete from {table} using final where {match}")
        if not dataset.row_table:
            cur.execute(f"insert into {table} ({columns}) select {columns} from final")
        cur.execute(
            "insert into load_log values (now(), ?, ?, ?, (select count(*) from final), ?, ?)",
            [dataset.table, report.file_name, mode, report.rejected_count, sorted(report.mapping)],
        )
        workspace.bump_data_version(cur)


def _commit_user_rows(cur, dataset: Dataset, mode: str) -> None:
    """Per-user rows: store them keyed by (experiment, user), a user given again replacing their earlier
    row(s), then work the touched experiments' totals out again from every stored user, so a second file
    adds its users to the first's. Only the totals of days that have (or had) user rows are replaced."""
    table, rows = quote(dataset.table), quote(dataset.row_table)
    if mode == "replace":
        cur.execute(f"delete from {table}")
        cur.execute(f"delete from {rows}")
    cur.execute("create temp table new_users as select *, md5(user_id) as user_key from accepted")
    cur.execute("create temp table touched as select distinct experiment from new_users")
    # the days whose totals change: those of the stored users of the touched experiments, and the new ones
    cur.execute(f"""create temp table touched_days as
                    select experiment, variant, date from {rows} where experiment in (select experiment from touched)
                    union select experiment, variant, date from new_users""")
    cur.execute(f"delete from {rows} using new_users where {rows}.experiment = new_users.experiment "
                f"and {rows}.user_key = new_users.user_key")
    cur.execute(f"""insert into {rows} (experiment, user_key, variant, date, page, variable, start_date, end_date, converted, revenue)
                    select experiment, user_key, variant, date, page, variable, start_date, end_date, converted, revenue
                    from new_users""")
    cur.execute(f"""delete from {table} using touched_days where {table}.experiment = touched_days.experiment
                    and {table}.variant = touched_days.variant and {table}.date is not distinct from touched_days.date""")
    stored = f"(select *, user_key as user_id from {rows} where experiment in (select experiment from touched))"
    totals = dataset.aggregate.format(rows=stored)
    columns = ", ".join(quote(c) for c in cur.execute(f"select * from ({totals}) limit 0").fetchdf().columns)
    cur.execute(f"insert into {table} ({columns}) select {columns} from ({totals})")


def inspect(path: Path | str, file_name: str | None = None) -> tuple[list[str], str | None]:
    """The file's headers and the dataset they look like, before the user confirms a mapping."""
    path = Path(path)
    file_name = file_name or path.name
    work_dir = work_folder("inspect")
    try:
        try:
            source = sources.prepare(path, work_dir, file_name)
        except sources.SourceError as error:
            raise IngestError(error.key, labels=error.labels, **error.params) from None
        with duckdb.connect(config=connection_config()) as con:  # capped like a workspace's connection
            try:
                columns = con.execute(
                    f"select * from read_csv($path, all_varchar = true, header = true, delim = '{source.delimiter}') limit 0",
                    {"path": str(source.csv_path)},
                ).fetchdf().columns
            except duckdb.Error as error:
                detail = _scrub(str(error).splitlines()[0], file_name, path, source.csv_path, source.csv_path.parent)
                raise IngestError("error.unreadable_csv", file=file_name, detail=detail) from None
        headers = list(columns)
        return headers, detect_kind(headers)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
