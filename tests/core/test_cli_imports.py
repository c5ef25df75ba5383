"""`python -m core ingest` loads a file without importing what only the pages and the analyses need:
every import is paid by each load as a whole process (pandas alone was 0.36 s of 0.46 s)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, write_csv

# scikit-learn, Altair and Streamlit never; pandas only to write rejected rows
NEVER = {"sklearn", "altair", "streamlit"}


def imported_packages(*args, tmp_path) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run the CLI with `-X importtime` (one stderr line per module the process imported) and return the
    top-level packages it imported."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "core", *map(str, args)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "SHOPLENS_DATA_DIR": str(tmp_path / "data"),
                                 "SHOPLENS_KEY_DIR": str(tmp_path / "keys")})
    modules = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    return result, {m.split(".")[0] for m in modules}


def shopify_file(path, bad_total: bool = False):
    """E-mails as customer keys, consent and an order's second line with its order-level fields blank."""
    return write_csv(path, f"""
        Name,Email,Created at,Total,Lineitem quantity,Lineitem price,Lineitem sku,Accepts Marketing,Billing Name
        #1001,ann@example.com,2025-11-01 00:10:46 +0000,30.00,1,10.00,SKU-1,yes,Ann
        #1001,,,,2,10.00,SKU-2,,
        #1002,bob@example.com,2025-11-02 09:00:00 +0000,{'oops' if bad_total else '5.00'},1,5.00,SKU-1,no,Bob
    """)


def test_the_cli_ingest_imports_no_pandas_sklearn_altair_or_streamlit(tmp_path):
    result, packages = imported_packages("ingest", "--workspace", tmp_path / "w.duckdb", shopify_file(tmp_path / "o.csv"),
                                         tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 orders row(s) loaded" in result.stdout
    assert {"core", "duckdb", "cryptography"} <= packages  # the listing is real: the load and its encryption ran
    assert packages & (NEVER | {"pandas"}) == set()


def test_rejected_rows_bring_pandas_for_their_file_and_nothing_else(tmp_path):
    # edge: a rejected row is written to orders.csv.rejected.csv, which needs pandas; the rest stays out
    result, packages = imported_packages("ingest", "--workspace", tmp_path / "w.duckdb",
                                         shopify_file(tmp_path / "o.csv", bad_total=True), "--skip-bad-rows", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 rejected row(s) written" in result.stderr
    assert "pandas" in packages
    assert packages & NEVER == set()
