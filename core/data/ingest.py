"""Load an uploaded export into a workspace: stage, validate, clean, then commit in one transaction.

DuckDB reads the file itself, every column it uses as text (docs/decisions/0012), so a sniffer guess can
never fail the load half way; the parsing rules (sql/macros.sql) then turn text into typed values and every value that does
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
from typing import TYPE_CHECKING

import duckdb

from core.data import personal, sources
from core.data.datasets import DATASETS, Dataset, Field, detect_kind, implied_currency, melted_headers, missing_required, suggest_mapping
from core.data.messages import LabelledMessage
from core.platform.errors import WorkspaceReadOnly
from core.platform.i18n import translate
from core.platform.paths import read_sql
from core.platform.paths import work_dir as work_folder
from core.platform.transactions import transaction
from core.platform.workspace import Workspace, connection_config, quote

if TYPE_CHECKING:  # pandas only where a report needs DataFrames: loading a file (the CLI's ingest) does not
    import pandas as pd

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


def _csv_options(source: sources.Source, rejects: str | None = "store_rejects") -> str:
    """How every read of an upload parses it: all text, the header we found, malformed rows set aside
    (`store_rejects` keeps them in reject_errors; a second read only skips them, `ignore_errors`; None: a
    malformed row is an error). A row longer than the byte checks allow is malformed in every read."""
    delim = source.delimiter.replace("'", "''")
    aside = f", {rejects} = true" if rejects else ""
    return (f"""all_varchar = true, header = true, delim = '{delim}', quote = '"', null_padding = false, """
            f"max_line_size = {sources.MAX_LINE_BYTES}{aside}")


def _unreadable(error: duckdb.Error, source: sources.Source, file_name: str) -> IngestError:
    detail = _scrub(str(error).splitlines()[0], file_name, source.csv_path, source.csv_path.parent)
    return IngestError("error.unreadable_csv", file=file_name, detail=detail)


def _refuse_unreadable(step: Callable):
    """A step that reads the upload's bytes: a file they refuse is refused in the load's words."""
    try:
        return step()
    except sources.SourceError as error:
        raise IngestError(error.key, labels=error.labels, **error.params) from None


def read_headers(cur: duckdb.DuckDBPyConnection, source: sources.Source, file_name: str) -> list[str]:
    """The file's column names as DuckDB reads them, from its header alone: the mapping decides which
    columns the load reads at all."""
    # the names need one row of sniffing (the options are given): 0.017 s where the default sample took 0.043 s
    try:
        return [d[0] for d in cur.execute(
            f"select * from read_csv($path, {_csv_options(source, 'ignore_errors')}, sample_size = 1) limit 0",
            {"path": str(source.csv_path)}).description]
    except duckdb.Error as error:
        raise _unreadable(error, source, file_name) from None


def _load_raw(cur: duckdb.DuckDBPyConnection, source: sources.Source, file_name: str, columns: list[str]) -> int:
    """The rows as text, numbered as in the file (the header is row 1); malformed rows kept aside.

    Only `columns` are kept (those the mapping and the personal-data step use): a Shopify export has 79
    columns, most of them never read, and keeping them all as text was a third of a load's time."""
    selected = ", ".join(quote(c) for c in columns)
    # Most files have no malformed row: read strictly first (keeping rejects aside made the read of 1M
    # Shopify lines 1.6x slower, 0.9 s more); on any structural error the file is read again with them aside.
    try:
        cur.execute(f"create temp table raw_read as select {selected} from read_csv($path, {_csv_options(source, None)})",
                    {"path": str(source.csv_path)})
        strict = True
    except duckdb.Error:
        strict = False
    if strict:
        cur.execute("create temp table malformed_rows (line bigint, csv_line varchar, error_message varchar)")
        return _number_rows(cur, columns, [])
    _refuse_unreadable(lambda: sources.check_rows(source, file_name))  # what would make keeping rejects costly
    try:
        cur.execute(f"create temp table raw_read as select {selected} from read_csv($path, {_csv_options(source)})",
                    {"path": str(source.csv_path)})
    except duckdb.Error as error:
        raise _unreadable(error, source, file_name) from None
    # DuckDB keeps one reject entry per missing or extra field: one malformed row is one line here, with
    # the entry that counts its fields right (the first for a short row, the last for a long one).
    cur.execute("""create temp table malformed_rows as
        select line, any_value(csv_line) as csv_line,
               case when bool_or(error_type = 'TOO MANY COLUMNS') then arg_max(error_message, column_idx)
                    else arg_min(error_message, column_idx) end as error_message
        from reject_errors group by line""")
    return _number_rows(cur, columns, cur.execute("select line from malformed_rows order by line").fetchall())


def _number_rows(cur: duckdb.DuckDBPyConnection, columns: list[str], malformed: list) -> int:
    """`raw`: `raw_read` with each row's number in the file (the header is row 1), the malformed lines
    counted in."""
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


def _drop_text(cur: duckdb.DuckDBPyConnection) -> None:
    """Once parsed, nothing reads the file's text again (the problems take theirs from the `__text` columns,
    the rejected-rows list reads the file again, the personal-data step reads the contact columns from
    `typed`): its memory goes back before the next copy of the rows is made."""
    if cur.execute("select count(*) from duckdb_views() where temporary and view_name = 'raw'").fetchone()[0]:
        cur.execute("drop view raw")
    else:
        cur.execute("drop table raw")
    cur.execute("drop table raw_read")


def _whole_rows(cur: duckdb.DuckDBPyConnection, source: sources.Source, file_name: str, rows: str) -> str:
    """A table of the file's rows numbered `rows` (a query giving source_row) with every column, for the
    rejected-rows list: read again, since `raw` keeps only the columns the load uses and is dropped once they
    are parsed. Only files with rejected rows pay for it. The k-th row DuckDB accepts is file row k + 1 + the malformed lines before it."""
    try:
        cur.execute(f"""create temp table whole_rows as
            select wanted.source_row as {ROW}, file_rows.* exclude (k)
            from (select row_number() over () as k, * from read_csv($path, {_csv_options(source, "ignore_errors")})) file_rows
            join (select source_row, source_row - 1 - (select count(*) from malformed_rows m where m.line < source_row) as k
                  from ({rows})) wanted on wanted.k = file_rows.k""", {"path": str(source.csv_path)})
    except duckdb.Error as error:
        raise _unreadable(error, source, file_name) from None
    return "whole_rows"


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


def _scan_dates(cur, dataset: Dataset, mapping: dict[str, str], day_first: bool | None, rows: str = "raw") -> bool:
    """Whether to read dates day-first (unless given): one pass over the text of the date columns.

    `01/02/2024` is read day-first only when that parses more values than month-first. Text that starts
    with a year and a dash (ISO, with or without a time or an offset) parses the same either way, as does
    any text DuckDB casts to a timestamp, so only the other values are parsed both ways and compared."""
    if day_first is not None:
        return day_first
    dates = [quote(mapping[f.name]) for f in dataset.fields if f.type in DATE_TYPES and f.name in mapping]
    if not dates:
        return False
    parts = [
        f"sum(case when not regexp_matches({c}, '^[0-9]{{4}}-') and try_cast({c} as timestamp) is null"
        f" then (parse_timestamp({c}, true) is not null)::integer - (parse_timestamp({c}, false) is not null)::integer end)"
        for c in dates
    ]
    return sum(v or 0 for v in cur.execute(f"select {', '.join(parts)} from {rows}").fetchone()) > 0


def _flagged(f: Field, mapping: dict[str, str]) -> bool:
    """Whether a field has a `__bad` flag: mapped, and of a type whose text can fail to parse."""
    return f.name in mapping and f.type != "text"


NOT_NEGATIVE = {"spend", "attributed_revenue", "unit_price", "quantity", "order_total"}  # and every integer


def _checks_sign(f: Field) -> bool:
    return f.type == "integer" or f.name in NOT_NEGATIVE


def _outside(f: Field, value: str, dates: tuple[date, date]) -> str:
    """SQL: a date that parses but is outside the plausible range."""
    earliest, latest = dates
    if f.type == "timestamp":
        return f"({value} < date '{earliest}' or {value} >= date '{latest}' + 1)"
    return f"({value} not between date '{earliest}' and date '{latest}')"


def _parsed_view(cur, dataset: Dataset, mapping: dict[str, str], day_first: bool, dates: tuple[date, date],
                 rows: str = "raw", carry: dict[str, str] | None = None) -> None:
    """`parsed`: every field typed, and for a flagged one a `__bad` flag (a value was given but does not parse)
    and a `__text`: the text as the file has it of a value that is bad, negative where it may not be, or a
    date outside `dates`, for the problem list (NULL for every other value, so the file's text need not be
    kept once parsed); then the `carry` columns (name: SQL over the text), which the personal-data step reads.

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
            blank, text = quote(f.name + "__blank"), quote(f.name + "__source")
            inner += [f"is_blank({column}) as {blank}", f"{column} as {text}"]
            # bad: the value is NULL (true > false) although the text was not blank; each parsed once
            bad = f"({name} is null) > {blank}"
            problem = " or ".join([bad] + ([f"{name} < 0"] if _checks_sign(f) else [])
                                  + ([_outside(f, name, dates)] if f.type in DATE_TYPES else []))
            outer += [name, f"{bad} as {quote(f.name + '__bad')}", f"case when {problem} then {text} end as {quote(f.name + '__text')}"]
        else:
            inner.append(f"null::{SQL_TYPES[f.type]} as {name}")
            outer.append(name)
    for name, expression in (carry or {}).items():
        inner.append(f"{expression} as {quote(name)}")
        outer.append(quote(name))
    cur.execute(f"create temp view parsed as select {', '.join(outer)} from (select {', '.join(inner)} from {rows})")


def _build_typed(cur, dataset: Dataset, mapping: dict[str, str], day_first: bool, defaults: dict[str, str],
                 dates: tuple[date, date], rows: str = "raw", carry: dict[str, str] | None = None) -> list[CleaningNote]:
    """Parse, copy order-level fields down an order's lines, then apply defaults and derivations.

    Orders are parsed once into `typed0`, which gives what each order's lines share (`order_facts`);
    `typed` is then those rows with their line numbers and the copied fields. Other datasets are parsed
    straight into `typed`. (Facts from a narrow parse of the order ids, and `typed` parsed from the text
    joined to them, cost the same on files with nothing to copy and more on Shopify's.)"""
    _parsed_view(cur, dataset, mapping, day_first, dates, rows, carry)
    flagged = [f for f in dataset.fields if _flagged(f, mapping)]
    columns = [ROW] + [quote(f.name) for f in dataset.fields] + [quote(f.name + suffix) for suffix in ("__bad", "__text") for f in flagged]
    columns += [quote(name) for name in carry or {}]
    source = "parsed"
    fills: list[tuple[Field, int]] = []
    if dataset.name == "orders":
        cur.execute("create temp table typed0 as select * from parsed")
        _drop_text(cur)
        fills = _order_facts(cur, dataset, mapping)
        source = "typed0 left join order_facts on typed0.order_id is not distinct from order_facts._order"
        for f, _ in fills:
            filled = f"coalesce({quote(f.name)}, {quote(f.name + '__first')})"
            columns[columns.index(quote(f.name))] = f"{filled} as {quote(f.name)}"
            columns.append(f"{filled} is null as {quote(f.name + '__unfilled')}")
        # an order's lines one after another in the file (as exports write them) number from its first
        # an order of one line has no facts row (nothing to copy, line 1)
        columns.append(f"case when _order is null and order_id is not null then 1 when _contiguous then ({ROW} - _first_row + 1)::integer end as line_number")
    query = f"select {', '.join(columns)} from {source}"
    for step in ("default", "derive"):
        rules = {f.name: getattr(f, step) for f in dataset.fields if getattr(f, step) is not None}
        if step == "default":
            rules |= defaults
        replaced = [f"coalesce({quote(name)}, {rule}) as {quote(name)}" for name, rule in rules.items()]
        if replaced:
            query = f"select * replace ({', '.join(replaced)}) from ({query})"
    cur.execute(f"create temp table typed as {query}")
    if dataset.name != "orders":
        _drop_text(cur)
        return []
    cur.execute("drop table typed0")
    if cur.execute("select count(*) from order_facts where not _contiguous").fetchone()[0]:
        # lines of one order apart in the file: numbered in file order, as a window gives it (rare)
        cur.execute(f"""update typed set line_number = numbered.n from (
                select {ROW} as r, row_number() over (partition by order_id order by {ROW})::integer as n from typed
                where order_id in (select _order from order_facts where not _contiguous)
                   or (order_id is null and exists (select 1 from order_facts where _order is null and not _contiguous))
            ) numbered where typed.{ROW} = numbered.r""")
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


def _order_facts(cur, dataset: Dataset, mapping: dict[str, str]) -> list[tuple[Field, int]]:
    """`order_facts`: per order id of two or more lines (and for the rows without one; an order of one line has
    nothing to copy and is line 1), its first row, whether its lines are one block in the file and, for the
    order-level fields Shopify leaves blank on an order's later lines, the value of the order's first line
    that has one (what first(... ignore nulls) over the order's lines gives, by a hash aggregate over the
    parsed rows instead of a window sorting them: a third of the time).

    Returns the fields to fill with their count of blanks (a blank value is exactly one that parses to
    NULL without being bad)."""
    order_level = [f for f in dataset.fields if f.order_level and f.name in mapping]
    blank = {f.name: f"{quote(f.name)} is null" + (f" and not {quote(f.name + '__bad')}" if _flagged(f, mapping) else "")
             for f in order_level}
    counts = cur.execute("select " + ", ".join(f"count(*) filter (where {blank[f.name]})" for f in order_level)
                         + " from typed0").fetchone() if order_level else ()
    to_fill = [(f, count) for f, count in zip(order_level, counts) if count]
    firsts = "".join(f", arg_min({quote(f.name)}, {ROW}) filter (where {quote(f.name)} is not null) as {quote(f.name + '__first')}"
                     for f, _ in to_fill)
    cur.execute(f"""create temp table order_facts as
        select order_id as _order, min({ROW}) as _first_row, count(*) = max({ROW}) - min({ROW}) + 1 as _contiguous{firsts}
        from typed0 group by order_id having count(*) > 1 or order_id is null""")
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


def _collect_problems(cur, dataset: Dataset, mapping: dict[str, str], dates: tuple[date, date]) -> None:
    """A `problems` table: one row per unusable value, located by row and source column, with its text as
    the file has it (the `__text` columns of `typed`).

    One pass counts every kind of problem; only the kinds that occur are then looked up."""
    parts = []  # (condition on typed, the problem row to insert)
    for f in dataset.fields:
        source = "'" + mapping.get(f.name, f.name).replace("'", "''") + "'"
        if dataset.melt and f.name == dataset.melt[1]:  # a melted cell is named by its column's header
            source = quote(dataset.melt[0])
        name = quote(f.name)
        text = quote(f.name + "__text") if _flagged(f, mapping) else "null"
        if _flagged(f, mapping):
            parts.append((quote(f.name + "__bad"), f"{source}, {text}, 'not_{f.type}', ''"))
        if f.required:
            bad = "not " + quote(f.name + "__bad") if _flagged(f, mapping) else "true"
            parts.append((f"{name} is null and {bad}", f"{source}, null, 'missing', ''"))
        if _checks_sign(f):
            parts.append((f"{name} < 0", f"{source}, {text}, 'negative', ''"))
        if f.type in DATE_TYPES:
            earliest, latest = dates
            # the text as the file has it; a later line of an order shows the first line's (its own is blank)
            value = f"coalesce(nullif(trim({text}), ''), {name}::varchar)"
            parts.append((_outside(f, name, dates), f"{source}, {value}, 'date_out_of_range', '{earliest} – {latest}'"))
        if f.type in ("number", "rate") and f.derive is not None:
            # worked out from other columns (a price from a total over a tiny quantity): it must stay a number
            parts.append((f"not isfinite({name})", f"{source}, {name}::varchar, 'not_{f.type}', ''"))
    if dataset.name == "experiments":
        source = mapping["conversions"].replace("'", "''")
        parts.append(("conversions > users", f"'{source}', conversions::varchar, 'conversions_above_users', users::varchar"))
    cur.execute(
        "create temp table problems (source_row bigint, source_column varchar, value varchar, code varchar, detail varchar)"
    )
    counts = cur.execute(
        "select " + ", ".join(f"count(*) filter (where {condition})" for condition, _ in parts) + " from typed"
    ).fetchone() if parts else ()
    for (condition, columns), count in zip(parts, counts):
        if count:
            cur.execute(f"insert into problems select {ROW}, {columns} from typed where {condition}")
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


def _report_tables(cur, report: Report, file_name: str, rows_read: int, malformed_rows: int, source: sources.Source,
                   frames: bool = True) -> None:
    """Counts and problems; with `frames`, the parsed sample and the rejected rows as DataFrames too (a load
    that rejects nothing needs neither: the CLI's ingest then never imports pandas)."""
    report.total_rows = rows_read + malformed_rows
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
    if frames:
        if DATASETS[report.kind].aggregate:
            report.sample = cur.execute("select * from final limit 20").fetchdf()
        else:  # the file's first accepted rows
            report.sample = cur.execute(f"select * exclude ({ROW}) from final_rows order by {ROW} limit 20").fetchdf()
    if frames or report.rejected_count:
        _rejected_rows(cur, report, file_name, malformed_rows, source, rejected_ids > 0)


def _rejected_rows(cur, report: Report, file_name: str, malformed_rows: int, source: sources.Source, reread: bool) -> None:
    """`report.rejected`: each rejected row with its reasons and every column of the file (read again: the
    load keeps only the columns it uses, and only until they are parsed), and `report.rejected_causes`."""
    import pandas as pd

    rows, table = f"(select null::bigint as {ROW} where false) no_rows", "no_rows"  # none rejected for its values
    if reread:
        wanted = f"select distinct source_row from problems order by source_row limit {REJECTED_LIST_LIMIT}"
        rows = table = _whole_rows(cur, source, file_name, wanted)
    present = {d[0] for d in cur.execute(f"select * from {rows} limit 0").description}
    columns = ", ".join(f"{table}.{quote(h)}" if h in present else f"null::varchar as {quote(h)}" for h in report.headers)
    rejected = cur.execute(
        f"""select {table}.{ROW} as row, reasons.reason, reasons.causes as _causes, {columns}
            from {rows} join (select source_row, string_agg(source_column || ': ' || code, '; ' order by source_column) as reason,
                                  list([source_column, code, coalesce(detail, '')] order by source_column) as causes
                           from problems group by source_row) reasons on reasons.source_row = {table}.{ROW}
            order by {table}.{ROW} limit ?""",
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
    frames: bool = True,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, Report]]:
    """Stage a file on a private cursor and report on it; the workspace's tables are not touched.

    `frames`: give the report its parsed sample and rejected rows (a load builds the rejected rows only
    when there are some, and no sample: nobody shows it)."""
    path = Path(path)
    file_name = file_name or path.name
    step = progress or (lambda fraction, stage: None)
    work_dir = work_folder("load")  # named for this process, so a killed load's folder is swept at the next start
    cur = workspace.cursor()
    try:
        step(0.05, "progress.reading")
        # the row limits of the byte checks are checked only if DuckDB cannot read the file strictly (_load_raw)
        source = _refuse_unreadable(lambda: sources.prepare(path, work_dir, file_name, rows=False))
        cur.execute("set autoinstall_known_extensions = false")
        cur.execute(read_sql("macros.sql"))
        headers = read_headers(cur, source, file_name)
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
        melted = melted_headers(dataset, headers, mapping) if dataset.melt else []
        if dataset.melt and not melted:
            raise IngestError("error.missing_columns", file=file_name,
                              labels={"kind": f"dataset.{kind}", "columns": [f"field.{dataset.melt[1]}"]})
        carry, contact_columns = {}, set()
        if dataset.name == "orders":  # the contact columns the personal-data step keeps, encrypted
            keep = personal.kept_fields(workspace)
            carry = personal.carried(headers, mapping, keep)
            contact_columns = {h for found in personal.contact_sources(headers, mapping, keep) for h in found}
        used = set(mapping.values()) | set(melted) | contact_columns
        columns = [h for h in headers if h in used]  # in the file's order
        malformed_rows = _load_raw(cur, source, file_name, columns)
        rows_read = cur.execute("select count(*) from raw_read").fetchone()[0]
        rows = "raw"
        if dataset.melt:
            mapping, rows = _melt(cur, dataset, mapping, melted), "cells"
        day_first = _scan_dates(cur, dataset, mapping, day_first, rows)
        report = Report(file_name, kind, mapping, headers, source.encoding, source.file_type, source.delimiter, day_first)

        step(0.3, "progress.parsing")
        currency = implied_currency(dataset, headers, mapping)
        report.implied_currency = currency
        dates = plausible_range(cur)
        report.cleaning += _build_typed(cur, dataset, mapping, day_first,
                                        {"currency": f"'{currency}'"} if currency else {}, dates, rows, carry)
        report.cleaning += _fill_medians(cur, dataset, mapping)
        step(0.55, "progress.validating")
        _collect_problems(cur, dataset, mapping, dates)
        report.cleaning += _finalise(cur, dataset)
        _report_tables(cur, report, file_name, rows_read, malformed_rows, source, frames)
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
    with staged(workspace, path, frames=False, **options) as (cur, report):
        if report.rejected_count and not skip_bad_rows:
            raise RejectedRows(report)
        if report.accepted_rows == 0:
            raise IngestError("error.no_rows", file=report.file_name)
        dataset = DATASETS[report.kind]
        if before_commit is not None:
            before_commit(report)
        progress(0.8, "progress.saving")
        loaded = commit(cur, workspace, dataset, report, mode)
        report.mode = mode
        report.loaded_rows = loaded
        progress(1.0, "progress.done")
        return report


def commit(cur, workspace: Workspace, dataset: Dataset, report: Report, mode: str) -> int:
    """Replace matching rows (or the whole table) and insert the staged ones, all or nothing; returns how many."""
    table = quote(dataset.table)
    loaded = cur.execute("select count(*) from final").fetchone()[0]
    columns = ", ".join(quote(d[0]) for d in cur.execute("select * from final limit 0").description)
    replace_key = ("order_id",) if dataset.table == "orders" else dataset.key
    spool = work_folder("contacts")  # the encrypted contacts on their way in (personal.protect)
    contacts = personal.NOTHING
    try:
        with transaction(workspace, cur):
            # personal data (issue 15): pseudonyms + encrypted contacts, same transaction; the contacts are
            # encrypted while the rows are written, then stored
            contacts = personal.protect(cur, workspace, dataset, report, mode, spool)
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
                "insert into load_log values (now(), ?, ?, ?, ?, ?, ?)",
                [dataset.table, report.file_name, mode, loaded, report.rejected_count, sorted(report.mapping)],
            )
            workspace.bump_data_version(cur, orders=dataset.table == "orders")  # then the order rollup, if orders changed
            # the contacts last, their encryption having run beside the orders insert
            contacts.write()
    finally:
        contacts.close()
        shutil.rmtree(spool, ignore_errors=True)
    return loaded


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
        source = _refuse_unreadable(lambda: sources.prepare(path, work_dir, file_name, rows=False))
        with duckdb.connect(config=connection_config()) as con:  # capped like a workspace's connection
            # read as a load reads it: a malformed row among the first lines is the load's to reject, not a
            # reason to refuse the file (DuckDB's sniffer gave up on it when it was not set aside)
            headers = read_headers(con, source, file_name)
        return headers, detect_kind(headers)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
