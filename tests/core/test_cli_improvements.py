"""`python -m core improvements add|list|update` as a script user meets it."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, write_csv


def run(*args):
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=120)


def _shop(tmp_path):
    """Orders: 1-7 March two orders a day at 100, 8-14 March three a day at 100 (GMV 1,400 -> 2,100)."""
    ws = tmp_path / "cli.duckdb"
    lines = ["order_id,customer_id,order_time,order_total,sku,quantity,unit_price"]
    for day in range(1, 15):
        for n in range(2 if day <= 7 else 3):
            lines.append(f"o{day}_{n},c{day}_{n},2026-03-{day:02d} 10:00,100,s1,1,100")
    assert run("ingest", "--workspace", ws, write_csv(tmp_path / "orders.csv", "\n".join(lines))).returncode == 0
    return ws


def add(ws, *extra):
    base = ["improvements", "add", "--workspace", ws, "--title", "More orders", "--metric", "gmv", "--impact", 3,
            "--urgency", 3, "--owner", "Li", "--start", "2026-03-08"]
    return run(*base, *extra)


def test_add_list_update(tmp_path):
    ws = _shop(tmp_path)
    first = add(ws, "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"id": 1}
    assert add(ws, "--impact", 5, "--urgency", 4, "--due", "2026-03-31").returncode == 0
    assert run("improvements", "update", "--workspace", ws, "--id", 1, "--status", "do").returncode == 0
    listing = json.loads(run("improvements", "list", "--workspace", ws, "--json", "--window-days", 7).stdout)["improvements"]
    assert [(e["id"], e["priority"], e["status"]) for e in listing] == [(2, 20, "plan"), (1, 9, "do")]
    entry = listing[1]
    # 1-7 March: 14 orders x 100 = 1,400; 8-14 March: 21 x 100 = 2,100; 2,100 / 1,400 - 1 = 0.5
    assert (entry["before"], entry["after"], entry["change"]) == (1400, 2100, 0.5)
    assert {"id", "title", "metric", "impact", "urgency", "priority", "status", "owner", "start", "due", "before",
            "after", "change"} <= set(entry)
    assert entry["start"] == "2026-03-08" and entry["due"] is None and entry["detail"] is None  # null, never NaN


def test_the_default_window_is_28_days_cut_where_the_data_ends(tmp_path):
    ws = _shop(tmp_path)
    assert add(ws).returncode == 0
    entry = json.loads(run("improvements", "list", "--workspace", ws, "--json").stdout)["improvements"][0]
    # data from 1 to 14 March: 7 days on each side of 8 March, not 28
    assert (entry["before_days"], entry["after_days"]) == (7, 7)


def test_bad_input_exits_2_with_one_line_and_changes_nothing(tmp_path):
    ws = _shop(tmp_path)
    assert add(ws).returncode == 0
    for result, words in (
        (add(ws, "--impact", 6), "Impact"),
        (add(ws, "--metric", "happiness"), "happiness"),
        (run("improvements", "update", "--workspace", ws, "--id", 7, "--status", "done"), "id 7"),
        (run("improvements", "update", "--workspace", ws, "--id", 1, "--status", "finished"), "finished"),
    ):
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and words in result.stderr and "Traceback" not in result.stderr
    listing = json.loads(run("improvements", "list", "--workspace", ws, "--json").stdout)["improvements"]
    assert [(e["id"], e["impact"], e["status"]) for e in listing] == [(1, 3, "plan")]


def test_a_missing_workspace_is_not_created(tmp_path):
    result = add(tmp_path / "nowhere.duckdb")
    assert result.returncode == 2 and not (tmp_path / "nowhere.duckdb").exists()
