"""Bad values inside a readable file, and what a workspace already holds: each test one edge case.

Numbers that are no number (NaN, inf, 1e400) and dates outside the plausible range are rejected row by
row with the column and the reason; rows stored before that rule never reach a page; malformed rows are
counted once each; keyed appends neither lose nor double-count; the CLI writes its rejects file before
anything changes."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from core.__main__ import rejected_path
from core.data import ingest
from core.data import service as data_service
from core.platform import settings
from core.platform import workspace as workspace_module
from core.platform.paths import read_sql
from core.platform.workspace import Workspace
from tests.conftest import ROOT, table, write_csv

SPEND_HEADER = "month,channel,spend,revenue"
HUGE_NUMBERS = ["NaN", "nan", "inf", "-inf", "Infinity", "1e400", "-1e400"]


# ---- numbers --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def macros():
    con = duckdb.connect()
    con.execute(read_sql("macros.sql"))
    yield con
    con.close()


@pytest.mark.parametrize("text", HUGE_NUMBERS + ["¥1e400", "(inf)"])
def test_parse_number_never_yields_nan_or_inf(macros, text):
    # every numeric parser goes through parse_number: NULL means "not a number", reported by ingest
    number, rate, integer = macros.execute(
        "select parse_number($1), parse_rate($1), try_cast(round(parse_number($1)) as bigint)", [text]).fetchone()
    assert (number, rate, integer) == (None, None, None)


def test_parse_number_keeps_large_finite_values(macros):
    # 1e308 is the largest power of ten a double holds: a (silly) amount, but a number
    assert macros.execute("select parse_number('1e308'), parse_number('1.234,50')").fetchone() == (1e308, 1234.5)


@pytest.mark.parametrize("text", HUGE_NUMBERS)
def test_amounts_that_are_no_number_reject_their_row(workspace, tmp_path, text):
    path = write_csv(tmp_path / "spend.csv", f"""
        {SPEND_HEADER}
        2024-05,search,100,300
        2024-05,social,{text},200
    """)
    report = ingest.preview(workspace, path)
    # row 3 (the header is row 1): the spend column, as the file names it
    assert [(p.row, p.column, p.value, p.code) for p in report.problems] == [(3, "spend", text, "not_number")]
    assert (report.rejected_count, report.accepted_rows) == (1, 1)


def test_every_numeric_type_refuses_nan_and_overflow(workspace, tmp_path):
    # uv is an integer, bounce_rate a rate, orders an integer: each says what it expected
    path = write_csv(tmp_path / "traffic.csv", """
        date,channel,uv,bounce_rate,orders
        2024-05-01,a,NaN,40%,3
        2024-05-02,a,100,inf,3
        2024-05-03,a,100,40%,1e400
    """)
    report = ingest.preview(workspace, path)
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (2, "uv", "not_integer"), (3, "bounce_rate", "not_rate"), (4, "orders", "not_integer")]


def test_a_price_worked_out_from_a_tiny_quantity_must_stay_a_number(workspace, tmp_path):
    # no unit price: it is order_total / quantity = 100 / 1e-320, which overflows a double to inf
    path = write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,quantity
        A1,c1,2024-05-01,100,1e-320
        A2,c2,2024-05-01,100,4
    """)
    report = ingest.preview(workspace, path)
    assert [(p.row, p.column, p.code) for p in report.problems] == [(2, "unit_price", "not_number")]
    assert report.sample["unit_price"].tolist() == [25.0]  # 100 / 4


# ---- dates ----------------------------------------------------------------------------------------

IMPLAUSIBLE = ["10000-01-01", "294247-01-10", "9999-12-31", "1900-01-01", "0001-01-01", "1989-12-31"]


def _range_text(workspace) -> str:
    """The range as the problem names it, from the settings (none here) and today: 1990-01-01 to a year on."""
    today = date.today()
    try:
        latest = today.replace(year=today.year + 1)
    except ValueError:  # 29 February: DuckDB's to_years lands on the 28th
        latest = today.replace(year=today.year + 1, day=28)
    return f"1990-01-01 – {latest}"


@pytest.mark.parametrize("value", IMPLAUSIBLE)
def test_an_order_time_outside_the_plausible_range_rejects_its_row(workspace, tmp_path, value):
    path = write_csv(tmp_path / "orders.csv", f"""
        order_id,customer_id,order_time,order_total
        A1,c1,2024-05-01 10:00,100
        A2,c2,{value},50
    """)
    report = ingest.preview(workspace, path)
    [problem] = report.problems
    assert (problem.row, problem.column, problem.value, problem.code) == (3, "order_time", value, "date_out_of_range")
    assert problem.detail == _range_text(workspace)
    assert problem.text() == (f"orders.csv, row 3, column 'order_time': expected a date within the plausible range "
                              f"{_range_text(workspace)} (adjustable in the workspace's settings), got '{value}'.")
    assert "合理范围内的日期" in problem.text("zh")


@pytest.mark.parametrize(("kind", "header", "row"), [
    ("traffic_daily", "date,channel,uv", "{d},a,10"),                     # a date
    ("marketing_spend", SPEND_HEADER, "{d},search,100,300"),             # a month
    ("experiments", "experiment,variant,users,conversions,start_date", "t,{n},100,5,{d}"),  # an optional date
    ("inventory", "sku,stock,listed_date", "S{n},5,{d}"),
])
def test_every_date_field_is_held_to_the_range(workspace, tmp_path, kind, header, row):
    # one good row and one with year 9999 in the dataset's date column (keys apart: {n})
    path = write_csv(tmp_path / "file.csv", "\n".join([header, row.format(d="2024-05-01", n=1), row.format(d="9999-12-31", n=2)]))
    report = ingest.preview(workspace, path, kind=kind)
    assert [(p.row, p.code) for p in report.problems] == [(3, "date_out_of_range")]
    assert report.accepted_rows == 1


def test_the_range_is_adjustable_per_workspace(workspace, tmp_path):
    # earliest 2000-01-01 and no year ahead: the range is 2000-01-01 to today, both ends included
    workspace.create()
    settings.put(workspace, ingest.EARLIEST_DATE_SETTING, "2000-01-01")
    settings.put(workspace, ingest.YEARS_AHEAD_SETTING, 0)
    today, tomorrow = date.today(), date.today() + timedelta(days=1)
    path = write_csv(tmp_path / "traffic.csv", f"""
        date,channel,uv
        1999-12-31,a,1
        2000-01-01,a,2
        {today},a,3
        {tomorrow},a,4
    """)
    report = ingest.preview(workspace, path)
    assert [(p.row, p.detail) for p in report.problems] == [(2, f"2000-01-01 – {today}"), (5, f"2000-01-01 – {today}")]


def test_the_defaults_in_the_view_are_the_named_constants(workspace):
    # sql/views/plausible_dates.sql and ingest.EARLIEST_DATE / YEARS_AHEAD must say the same thing
    with workspace.cursor() as cur:
        earliest, latest = ingest.plausible_range(cur)
    assert earliest == ingest.EARLIEST_DATE == date(1990, 1, 1)
    assert str(latest) == _range_text(workspace).split(" – ")[1] and ingest.YEARS_AHEAD == 1


def test_a_later_line_of_an_order_carries_its_first_lines_bad_date(workspace, tmp_path):
    # Shopify leaves order-level fields blank on later lines: the copied year-10000 time rejects both lines
    path = write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,sku
        A1,c1,10000-01-01,100,s1
        A1,,,,s2
        A2,c2,2024-05-01,50,s3
    """)
    report = ingest.preview(workspace, path)
    assert [(p.row, p.code, p.value) for p in report.problems] == [
        (2, "date_out_of_range", "10000-01-01"), (3, "date_out_of_range", "10000-01-01 00:00:00")]
    assert report.accepted_rows == 1


# ---- what an old workspace already holds ----------------------------------------------------------

def _base_workspace(folder: Path) -> Path:
    """A small shop (the demo generator's, 3,000 order lines) with every dataset loaded."""
    sample = data_service.write_sample(folder / "sample", order_lines=3000, seed=7)
    path = folder / "base.duckdb"
    shop = Workspace(path)
    for kind in ("orders", "traffic_daily", "marketing_spend", "experiments", "inventory", "funnel_stages"):
        ingest.load(shop, sample[kind], kind=kind)
    workspace_module.close_connection(path)
    return path


@pytest.fixture(scope="module")
def base_shop(tmp_path_factory) -> Path:
    return _base_workspace(tmp_path_factory.mktemp("base"))


def _poison(path: Path, value: str) -> None:
    """Rows written straight into the tables, as a workspace made before the rules may hold them."""
    con = duckdb.connect(str(path))
    if value in ("nan", "inf", "-inf"):
        v = f"'{value}'::double"
        con.execute(f"""insert into orders (order_id, line_number, customer_id, order_time, order_total, unit_price, sku, category, channel)
                        select 'X1', 1, 'c-x', max(order_time), {v}, {v}, 'SKU-X', 'x', 'web' from orders""")
        con.execute(f"insert into marketing_spend select period_start, channel, {v}, {v}, clicks, orders, impressions from marketing_spend limit 1")
        con.execute(f"insert into traffic_daily select date, 'x', device, uv, {v}, {v}, orders from traffic_daily limit 1")
        con.execute(f"update inventory set unit_cost = {v} where rowid = 0")
        con.execute(f"insert into experiments select experiment, variant, date, page, variable, start_date, end_date, users, conversions, {v}, {v} "
                    "from experiments limit 1")
    else:
        ts = f"'{value}'::timestamp"
        con.execute(f"""insert into orders (order_id, line_number, customer_id, order_time, order_total, unit_price, sku, category, channel)
                        values ('X1', 1, 'c-x', {ts}, 10, 10, 'SKU-X', 'x', 'web'), ('X2', 1, 'c1', now(), 10, 10, 'SKU-X', 'x', 'web')""")
        con.execute("update orders set paid_at = " + ts + " where order_id = 'X2'")
        con.execute(f"insert into traffic_daily values ({ts}::date, 'web', 'all', 100, 0.5, 0.1, 3)")
        con.execute(f"insert into marketing_spend select {ts}::date, channel, spend, attributed_revenue, clicks, orders, impressions "
                    "from marketing_spend limit 2")
        con.execute(f"insert into funnel_stages select step, stage, users, {ts}::date, segment from funnel_stages limit 3")
        con.execute(f"insert into experiments select experiment, variant, {ts}::date, page, variable, {ts}::date, {ts}::date, users, conversions, "
                    "revenue, revenue_sq from experiments limit 1")
        con.execute(f"insert into inventory values ('SKU-X', 'x', 5, 3, {ts}::date, null)")
    con.close()


@pytest.mark.parametrize("value", ["10000-01-01", "294247-01-10", "9999-12-31", "1900-01-01", "0001-01-01", "nan", "inf", "-inf"])
def test_every_service_survives_what_an_old_workspace_holds(base_shop, tmp_path, value):
    from core.budget import service as budget
    from core.customers import service as customers
    from core.diagnosis import service as diagnosis
    from core.experiments import service as experiments
    from core.products import service as products
    from core.sales import service as sales

    path = tmp_path / "old.duckdb"
    shutil.copy(base_shop, path)
    _poison(path, value)
    shop = Workspace(path)
    start, end = diagnosis.date_range(shop).period()
    assert start <= end and end.year < 10000
    diagnosis.health_check(shop, start, end)
    diagnosis.traffic_anomalies(shop, start, end)
    diagnosis.funnel_stages(shop)
    as_of = customers.default_as_of(shop)
    assert as_of is not None and as_of <= date.today() + timedelta(days=367)
    customers.tiers(shop, as_of)
    budget.matrix(shop)
    budget.overview(shop)
    sales.sales(shop, "month")
    sales.cohorts(shop)
    products.demand(shop)
    products.restock(shop)
    assert experiments.experiment_names(shop)
    summary = {entry["name"]: entry for entry in data_service.summary(shop)}
    # the rows every page leaves out are counted, not lost: the poisoned orders line (and X2's bad paid_at)
    assert summary["orders"]["hidden_rows"] == (1 if value in ("nan", "inf", "-inf") else 2)
    assert summary["orders"]["max_date"] < "9999"


# ---- malformed rows -------------------------------------------------------------------------------

def test_ragged_rows_are_counted_once_each(workspace, tmp_path):
    # row 3 is short (2 of 4 fields: DuckDB keeps 2 reject entries), row 4 has 3 extra fields (3 entries)
    path = write_csv(tmp_path / "traffic.csv", """
        date,channel,uv,orders
        2024-05-01,a,10,1
        2024-05-02,a
        2024-05-03,a,12,1,7,8,9
        2024-05-04,a,13,1
    """)
    report = ingest.preview(workspace, path)
    assert (report.total_rows, report.rejected_count, report.accepted_rows) == (4, 2, 2)
    assert [(p.row, p.code) for p in report.problems] == [(3, "malformed_row"), (4, "malformed_row")]
    assert [p.detail for p in report.problems] == ["Expected Number of Columns: 4 Found: 2",
                                                   "Expected Number of Columns: 4 Found: 7"]
    assert report.rejected["row"].tolist() == [3, 4] and str(report.rejected["row"].dtype) == "int64"
    with pytest.raises(ingest.RejectedRows, match=r"2 row\(s\) cannot be loaded"):
        ingest.load(workspace, path)


def test_a_short_row_is_listed_once_in_the_rejected_file_with_a_whole_row_number(workspace, tmp_path):
    # only malformed rows: the rejected table has no parsed problems to set the row column's type
    path = write_csv(tmp_path / "traffic.csv", """
        date,channel,uv
        2024-05-01,a,10
        2024-05-02
        2024-05-03,a,12
    """)
    report = ingest.preview(workspace, path)
    target = tmp_path / "rejected.csv"
    data_service.write_rejected(report, target)
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("3,")  # the header and row 3, once, "3" not "3.0"


def test_duckdb_messages_never_show_the_servers_temp_path():
    # an upload sits at a temp path; the user knows it by the name they uploaded
    text = "Invalid Input Error: Error when sniffing file \"/tmp/shoplens-ab12/upload.csv\" in /tmp/shoplens-ab12"
    assert ingest._scrub(text, "orders.csv", Path("/tmp/shoplens-ab12/upload.csv"), Path("/tmp/shoplens-ab12")) == (
        "Invalid Input Error: Error when sniffing file \"orders.csv\" in orders.csv")


# ---- keys -----------------------------------------------------------------------------------------

USERS_1 = """
    experiment,variant,user_id,converted,revenue,date
    hero,A,u1,1,10,2024-05-01
    hero,A,u2,0,0,2024-05-01
    hero,B,u3,1,30,2024-05-01
"""
USERS_2 = """
    experiment,variant,user_id,converted,revenue,date
    hero,A,u4,1,20,2024-05-01
    hero,B,u5,0,0,2024-05-01
    hero,B,u6,1,5,2024-05-01
"""


def test_per_user_rows_split_over_two_files_merge(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "part1.csv", USERS_1))
    ingest.load(workspace, write_csv(tmp_path / "part2.csv", USERS_2))
    # A: u1 (10, converted), u2, u4 (20, converted) -> 3 users, 2 conversions, 30, 10²+20² = 500
    # B: u3 (30, converted), u5, u6 (5, converted)  -> 3 users, 2 conversions, 35, 30²+5² = 925
    assert table(workspace, "select variant, users, conversions, revenue, revenue_sq from experiments order by 1") == [
        ("A", 3, 2, 30.0, 500.0), ("B", 3, 2, 35.0, 925.0)]
    # the user ids are kept hashed: enough to tell users apart
    assert table(workspace, "select user_key from experiment_users where variant = 'A' order by 1") == sorted(
        [(hashlib.md5(u.encode()).hexdigest(),) for u in ("u1", "u2", "u4")])


def test_a_user_given_again_replaces_their_row(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "part1.csv", USERS_1))
    ingest.load(workspace, write_csv(tmp_path / "part1.csv", USERS_1))  # the same file twice
    # u2 converts later: a file with only u2 in it changes u2, nobody else
    ingest.load(workspace, write_csv(tmp_path / "fix.csv", """
        experiment,variant,user_id,converted,revenue,date
        hero,A,u2,1,15,2024-05-01
    """))
    # A: u1 (10), u2 (15), both converted -> 2 users, 2 conversions, 25, 100+225 = 325; B untouched
    assert table(workspace, "select variant, users, conversions, revenue, revenue_sq from experiments order by 1") == [
        ("A", 2, 2, 25.0, 325.0), ("B", 1, 1, 30.0, 900.0)]


def test_per_user_rows_leave_other_experiments_and_replace_empties_both(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "totals.csv", """
        experiment,variant,users,conversions
        other,A,100,5
    """))
    ingest.load(workspace, write_csv(tmp_path / "part1.csv", USERS_1))
    assert table(workspace, "select experiment, variant, users from experiments order by 1, 2") == [
        ("hero", "A", 2), ("hero", "B", 1), ("other", "A", 100)]
    ingest.load(workspace, write_csv(tmp_path / "part2.csv", USERS_2), mode="replace")
    # replace: only the second file's users remain, and the other experiment's totals went with the table
    assert table(workspace, "select experiment, variant, users from experiments order by 1, 2") == [("hero", "A", 1), ("hero", "B", 2)]
    assert table(workspace, "select count(*) from experiment_users") == [(3,)]


TRAFFIC_BY_DEVICE = """
    date,channel,device,uv
    2024-05-01,search,mobile,100
    2024-05-01,search,desktop,50
"""


def test_a_day_total_beside_rows_per_device_is_dropped_and_reported(workspace, tmp_path):
    path = write_csv(tmp_path / "traffic.csv", TRAFFIC_BY_DEVICE + """
        2024-05-01,search,all,150
        2024-05-02,search,all,90
    """)
    report = ingest.load(workspace, path)
    # 1 May: 100 + 50 by device, its total left out; 2 May has only a total, which stays
    assert table(workspace, "select date::varchar, sum(uv) from traffic_daily group by 1 order by 1") == [
        ("2024-05-01", 150), ("2024-05-02", 90)]
    assert [(n.code, n.count) for n in report.cleaning] == [("cleaning.device_totals_dropped", 1)]
    assert report.loaded_rows == 3


def test_a_later_file_replaces_a_channel_day_at_either_grain(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "devices.csv", TRAFFIC_BY_DEVICE))
    # a file without a device column: its rows are day totals ('all') and replace the rows per device
    ingest.load(workspace, write_csv(tmp_path / "totals.csv", """
        date,channel,uv
        2024-05-01,search,160
        2024-05-01,social,40
    """))
    assert table(workspace, "select channel, device, uv from traffic_daily order by 1") == [("search", "all", 160), ("social", "all", 40)]
    # and rows per device replace a stored total (social untouched)
    ingest.load(workspace, write_csv(tmp_path / "devices.csv", TRAFFIC_BY_DEVICE))
    assert table(workspace, "select channel, sum(uv) from traffic_daily group by 1 order by 1") == [("search", 150), ("social", 40)]


# ---- the CLI's rejects file -----------------------------------------------------------------------

def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], capture_output=True, text=True, cwd=ROOT)


BAD_TRAFFIC = """
    date,channel,uv
    2024-05-01,a,10
    2024-05-02,a,oops
"""


def test_a_rejects_file_that_cannot_be_written_leaves_the_workspace_unchanged(tmp_path):
    shop = tmp_path / "shop.duckdb"
    assert _cli("ingest", "--workspace", shop, write_csv(tmp_path / "first.csv", "date,channel,uv\n2024-04-01,a,7")).returncode == 0
    path = write_csv(tmp_path / "traffic.csv", BAD_TRAFFIC)
    (tmp_path / "traffic.csv.rejected.csv").mkdir()  # the rejects file's name is taken by a folder
    result = _cli("ingest", "--workspace", shop, path, "--skip-bad-rows")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "traffic.csv: the rejected rows could not be written" in result.stderr
    con = duckdb.connect(str(shop), read_only=True)
    assert con.execute("select date::varchar, uv from traffic_daily").fetchall() == [("2024-04-01", 7)]  # only the first load
    con.close()


def test_a_failed_first_load_leaves_no_workspace(tmp_path):
    path = write_csv(tmp_path / "traffic.csv", BAD_TRAFFIC)
    (tmp_path / "traffic.csv.rejected.csv").mkdir()
    assert _cli("ingest", "--workspace", tmp_path / "new.duckdb", path, "--skip-bad-rows").returncode == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == ["traffic.csv", "traffic.csv.rejected.csv"]


def test_a_long_file_name_gets_a_rejects_file_the_file_system_takes(tmp_path):
    # 251 characters + ".csv" = 255, the limit; with ".rejected.csv" the name is cut to 242 + 13 = 255 bytes
    path = write_csv(tmp_path / ("x" * 251 + ".csv"), BAD_TRAFFIC)
    result = _cli("ingest", "--workspace", tmp_path / "shop.duckdb", path, "--skip-bad-rows")
    assert result.returncode == 0, result.stderr
    [written] = [p for p in tmp_path.iterdir() if p.name.endswith(".rejected.csv")]
    assert written.name == "x" * 242 + ".rejected.csv" and "oops" in written.read_text(encoding="utf-8-sig")


def test_a_rejects_name_is_cut_at_whole_characters():
    # 100 Chinese characters are 300 bytes: 80 of them (240 bytes) fit in 242, never half a character
    assert rejected_path(Path("/d") / ("店" * 100)).name == "店" * 80 + ".rejected.csv"
    assert rejected_path(Path("/d/orders.csv")) == Path("/d/orders.csv.rejected.csv")
