"""`python -m core` as a script user meets it: exit codes, one-line reasons, JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta

import pytest

from tests.conftest import ROOT, write_csv
from tests.core.sales.tiny_shop import same


def run(*args):
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_ingest_then_datasets_json(tmp_path):
    ws = tmp_path / "cli.duckdb"
    orders = write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,sku,quantity,unit_price
        A1,c1,2024-05-01 10:00,100,s1,1,100
        A1,c1,2024-05-01 10:00,100,s2,1,0
        A2,c2,2024-05-09 11:00,50,s2,2,25
    """)
    result = run("ingest", "--workspace", ws, orders)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3 orders row(s) loaded (append) from orders.csv"
    listing = json.loads(run("datasets", "--workspace", ws, "--json").stdout)
    orders_entry = listing["datasets"][0]
    assert orders_entry == {"name": "orders", "rows": 3, "hidden_rows": 0, "orders": 2, "customers": 2, "min_date": "2024-05-01", "max_date": "2024-05-09"}
    assert {d["name"] for d in listing["datasets"]} == {
        "orders", "traffic_daily", "funnel_stages", "marketing_spend", "experiments", "inventory", "health_inputs"}


def test_bad_input_exits_2_with_one_line_and_changes_nothing(tmp_path):
    ws = tmp_path / "cli.duckdb"
    good = write_csv(tmp_path / "good.csv", "date,channel,uv\n2024-05-01,a,10\n")
    assert run("ingest", "--workspace", ws, good).returncode == 0
    bad = write_csv(tmp_path / "bad.csv", "date,channel,uv\n2024-05-02,a,10\n2024-05-03,a,lots\n")
    result = run("ingest", "--workspace", ws, bad)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "row 3" in result.stderr and "'uv'" in result.stderr
    listing = json.loads(run("datasets", "--workspace", ws, "--json").stdout)
    assert listing["datasets"][1]["rows"] == 1


def test_unknown_kind_and_missing_file_exit_2(tmp_path):
    ws = tmp_path / "cli.duckdb"
    odd = write_csv(tmp_path / "odd.csv", "foo,bar\n1,2\n")
    result = run("ingest", "--workspace", ws, odd)
    assert result.returncode == 2 and "match no dataset" in result.stderr
    result = run("ingest", "--workspace", ws, tmp_path / "nope.csv")
    assert result.returncode == 2 and "nope.csv" in result.stderr and "Traceback" not in result.stderr
    result = run("ingest", "--workspace", ws, "--kind", "orders", odd)
    assert result.returncode == 2 and "Order ID" in result.stderr  # the field as the upload form names it


def test_skip_bad_rows_loads_the_rest_and_writes_rejects_beside_the_input(tmp_path):
    ws = tmp_path / "cli.duckdb"
    bad = write_csv(tmp_path / "bad.csv", "date,channel,uv\n2024-05-02,a,10\n2024-05-03,a,=cmd()\n")
    result = run("ingest", "--workspace", ws, bad, "--skip-bad-rows")
    assert result.returncode == 0
    rejected = (tmp_path / "bad.csv.rejected.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rejected[0] == "row,reason,date,channel,uv"
    assert rejected[1] == "3,uv: expected a whole number,2024-05-03,a,'=cmd()"  # a sentence, not a code


def test_sample_writes_the_demo_files(tmp_path):
    result = run("sample", "--rows", 3000, "--out", tmp_path / "demo")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo" / "orders.csv").read_text().count("\n") == 3001


def test_funnel_json_is_the_playbook_example(tmp_path):
    ws = tmp_path / "cli.duckdb"
    stages = ["home", "category", "product_detail", "add_to_cart", "checkout", "payment"]
    users = [100000, 75000, 45000, 27000, 18900, 8505]
    path = write_csv(tmp_path / "funnel.csv", "step,stage,users\n" + "\n".join(f"{i + 1},{s},{u}" for i, (s, u) in enumerate(zip(stages, users))))
    assert run("ingest", "--workspace", ws, path).returncode == 0
    stages_out = json.loads(run("funnel", "--workspace", ws, "--json").stdout)["stages"]
    assert [s["loss_rate"] for s in stages_out] == [0.25, 0.4, 0.4, 0.3, 0.55, None]
    assert [s["stage"] for s in stages_out if s["flagged"]] == ["checkout"]
    assert stages_out[0] == {"stage": "home", "entered": 100000, "lost": 25000, "loss_rate": 0.25, "flagged": False}


def test_health_and_anomalies_json(tmp_path):
    ws = tmp_path / "cli.duckdb"
    traffic = write_csv(tmp_path / "t.csv", "date,channel,uv,bounce_rate\n" + "\n".join(
        f"2024-05-{d:02d},web,{100 if d != 29 else 50},{0.66 if d == 30 else 0.5}" for d in range(1, 31)))
    inputs = write_csv(tmp_path / "h.csv", "metric,value,period\nfirst_screen_load_seconds,6,2024-05\n")
    for path in (traffic, inputs):
        assert run("ingest", "--workspace", ws, path).returncode == 0
    health = json.loads(run("health", "--workspace", ws, "--json").stdout)
    assert set(health) >= {"total", "metrics", "problems"}
    by_metric = {m["metric"]: m for m in health["metrics"]}
    assert set(by_metric["bounce_rate"]) >= {"metric", "dimension", "value", "score", "weight"}
    # bounce (30 days, 1 day at 66%) ~50.5%: score 3; load time 6 s: score 1; only these two count
    assert by_metric["bounce_rate"]["score"] == 3 and by_metric["first_screen_load_seconds"]["score"] == 1
    assert by_metric["return_rate"]["score"] is None
    assert health["coverage"] == 0.3 and health["total"] is None  # 15% + 15% of the weight: below half, no total
    assert [(p["metric"], p["priority"]) for p in health["problems"]] == [("first_screen_load_seconds", "P0")]
    assert set(health["problems"][0]) == {"metric", "priority", "cause", "action"}
    anomalies = json.loads(run("anomalies", "--workspace", ws, "--json").stdout)["anomalies"]
    assert anomalies == [{"date": "2024-05-29", "channel": "web", "metric": "uv_drop", "value": 50.0, "baseline": 100.0}]


def test_abtest_json_matches_statsmodels_and_bad_input_exits_2():
    from statsmodels.stats.proportion import proportions_ztest

    result = run("abtest", "--users-a", 12000, "--conv-a", 300, "--users-b", 12000, "--conv-b", 360, "--json")
    out = json.loads(result.stdout)
    assert set(out) >= {"p_value", "confidence", "rate_a", "rate_b", "abs_lift", "rel_lift", "ci_low", "ci_high",
                        "prob_b_beats_a", "srm_p_value", "verdict"}
    assert abs(out["p_value"] - proportions_ztest([360, 300], [12000, 12000])[1]) < 1e-12
    assert out["verdict"] == "b_wins" and abs(out["rel_lift"] - 0.2) < 1e-12
    bad = run("abtest", "--users-a", 100, "--conv-a", 101, "--users-b", 100, "--conv-b", 5)
    assert bad.returncode == 2 and bad.stderr.strip() == "error: Group A: 101 conversions is more than its 100 users."
    empty = run("abtest", "--users-a", 0, "--conv-a", 0, "--users-b", 100, "--conv-b", 5)
    assert empty.returncode == 2 and "Group A has no users" in empty.stderr


def test_samplesize_json():
    assert json.loads(run("samplesize", "--baseline", 0.1, "--mde", 0.02, "--json").stdout) == {"n_per_group": 3841}
    relative = json.loads(run("samplesize", "--baseline", 0.1, "--mde", 0.2, "--relative", "--json").stdout)
    assert relative == {"n_per_group": 3841}
    assert run("samplesize", "--baseline", 0.1, "--mde", 0.95).returncode == 2


def test_budget_json_spends_exactly_the_total(tmp_path):
    ws = tmp_path / "cli.duckdb"
    rows = ["month,channel,spend,attributed_revenue"]
    for m in range(1, 7):
        for channel, a in (("search", 40), ("social", 8)):
            spend = 1000 * m
            rows.append(f"2024-{m:02d}-01,{channel},{spend},{a * spend ** 0.6:.2f}")
    path = write_csv(tmp_path / "spend.csv", "\n".join(rows))
    assert run("ingest", "--workspace", ws, path).returncode == 0
    out = json.loads(run("budget", "--workspace", ws, "--total", 10000, "--json").stdout)
    assert set(out) == {"allocation", "predicted_revenue", "current_predicted_revenue", "drop_candidates", "channels",
                        "guardrails", "moves"}
    assert abs(sum(out["allocation"].values()) - 10000) < 0.05
    assert out["allocation"]["search"] > out["allocation"]["social"]
    # a quarter with social held to at least 12,000: the best split puts about 2% there (40 against 8
    # on the same power curve), so the floor binds and the rest still adds up to the total
    out = json.loads(run("budget", "--workspace", ws, "--total", 30000, "--months", 3, "--min", "social=12000", "--json").stdout)
    assert out["allocation"]["social"] == pytest.approx(12000, abs=0.05)
    assert sum(out["allocation"].values()) == pytest.approx(30000, abs=0.05)
    refused = run("budget", "--workspace", ws, "--total", 30000, "--max", "tv=5")
    assert refused.returncode == 2 and refused.stderr.strip() == "error: No such channel in the spend data: tv."
    refused = run("budget", "--workspace", ws, "--total", 1000, "--min", "search=2000")
    assert refused.returncode == 2 and "search: its minimum 2,000 is above its maximum 1,000" in refused.stderr
    assert out["predicted_revenue"] >= out["current_predicted_revenue"]
    assert out["drop_candidates"] == ["social"]  # 8 x spend^0.6 / spend < 1 at these spends
    assert {c["channel"] for c in out["channels"]} == {"search", "social"}


def test_matrix_writes_category_channel_and_tier_rows(tmp_path):
    ws = tmp_path / "cli.duckdb"
    orders = write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,category,channel,quantity,unit_price
        a1,=HYPERLINK(1),2024-06-01,100,Bags,search,1,100
        a2,b,2024-06-20,300,Bags,search,1,300
        a3,b,2024-06-25,50,=cmd(),feed,1,50
    """)
    assert run("ingest", "--workspace", ws, orders, "--kind", "orders").returncode == 0
    out = tmp_path / "matrix.csv"
    done = run("matrix", "--workspace", ws, "--days", 10, "--by-tier", "--out", out)
    assert done.returncode == 0, done.stderr
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    # translated headers and tiers, in English (issue 12: no catalog keys in files)
    assert lines[0] == "Category,Channel,Customer tier,GMV,Share of GMV,Growth,ROI,Potential,Suggested action"
    assert "budget." not in out.read_text(encoding="utf-8-sig")
    # the recent period is 16-25 June and b had no orders before it, so both of b's lines count as New;
    # a1 falls before both periods; the formula-looking category is neutralised
    assert lines[1].startswith("Bags,search,New,300.0,") and lines[2].startswith("'=cmd(),feed,New,50.0,")
    assert run("matrix", "--workspace", ws, "--days", 0, "--out", out).returncode == 2


def test_a_damaged_workspace_file_is_one_line_and_exit_2(tmp_path):
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"not a database, just text someone saved with the wrong name\n" * 100)
    for command in (("datasets", "--workspace", damaged), ("health", "--workspace", damaged)):
        result = run(*command)
        assert result.returncode == 2
        assert result.stderr == ("error: The workspace file 'damaged' is damaged or is not a ShopLens workspace. "
                                 "Restore it from a backup, or delete it and load your exports again.\n")


def test_a_workspace_another_process_holds_is_one_line_and_exit_2(tmp_path):
    import duckdb

    held = tmp_path / "held.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(60)", str(held)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        result = run("datasets", "--workspace", held)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2
    assert result.stderr == ("error: The workspace 'held' is open in another ShopLens process. "
                             "Close that app or command, then try again.\n")
    assert duckdb.connect(str(held)).execute("select 1").fetchone() == (1,)  # nothing was left broken


def test_a_reading_command_does_not_create_a_workspace(tmp_path):
    result = run("health", "--workspace", tmp_path / "typo.duckdb")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "typo.duckdb" in result.stderr
    assert not (tmp_path / "typo.duckdb").exists()


def test_health_on_orders_alone_states_its_coverage_and_gives_no_total(tmp_path):
    ws = tmp_path / "orders_only.duckdb"
    orders = write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total,refunded_amount
        A1,c1,2024-05-01 10:00,100,0
        A2,c2,2024-05-02 11:00,50,50
    """)
    assert run("ingest", "--workspace", ws, orders).returncode == 0
    payload = json.loads(run("health", "--workspace", ws, "--json").stdout)
    # only the return rate (1 of 2 orders refunded) is measured: its weight 15% of 100% is below half
    assert payload["coverage"] == 0.15 and payload["total"] is None
    scored = {m["metric"]: m["value"] for m in payload["metrics"] if m["score"] is not None}
    assert scored == {"return_rate": 0.5}
    assert run("health", "--workspace", ws).stdout.splitlines()[0] == (
        "health – / 5 (2024-05-01 .. 2024-05-02), scored on 15% of the weight")


def test_sales_and_cohorts_json_on_the_tiny_shop(tmp_path):
    from tests.core.sales.tiny_shop import TINY_ORDERS

    ws = tmp_path / "tiny.duckdb"
    assert run("ingest", "--workspace", ws, write_csv(tmp_path / "orders.csv", TINY_ORDERS)).returncode == 0
    sales = json.loads(run("sales", "--workspace", ws, "--by", "month", "--json").stdout)
    assert sales["currency"] == "USD"
    # March: M2 40 (c3, new: F2 was cancelled) + M1 60 (c1, back after February) + M3 120 (c4, new)
    assert sales["periods"][2] == {"period": "2024-03", "gmv": 220.0, "orders": 3, "customers": 3, "new_customers": 2,
                                   "returning_customers": 1, "aov": 220 / 3}
    # February: F1 80 - 30 refunded (c2, returning) + F3 70 (c5, new); F2 cancelled counts nowhere
    assert sales["periods"][1] == {"period": "2024-02", "gmv": 120.0, "orders": 2, "customers": 2, "new_customers": 1,
                                   "returning_customers": 1, "aov": 60.0}
    cohorts = {c["cohort"]: c for c in json.loads(run("cohorts", "--workspace", ws, "--json").stdout)["cohorts"]}
    # January: c1 and c2; c2 orders in February (month 1), c1 in March (2), c2 in April (3)
    assert cohorts["2024-01"]["retention"] == [1.0, 0.5, 0.5, 0.5]
    # cumulative revenue over 2 customers: 150, then +50 (F1 net), +60 (M1), +110 (A3)
    assert cohorts["2024-01"]["revenue_per_customer"] == [75.0, 100.0, 130.0, 185.0]
    bad = run("sales", "--workspace", ws, "--from", "yesterday")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--from" in bad.stderr


def _orders(rows: list[tuple[str, str, str, int]], day: str = "2024-05-01") -> str:
    """An orders CSV from (order, status, sku, quantity) lines, each unit at 10, with the order's total."""
    totals: dict[str, int] = {}
    for order, _, _, quantity in rows:
        totals[order] = totals.get(order, 0) + 10 * quantity
    lines = ["order_id,customer_id,order_time,order_total,status,sku,product_name,quantity,unit_price"]
    lines += [f"{order},c{order},{day} 10:00,{totals[order]},{status},{sku},Name {sku},{quantity},10"
              for order, status, sku, quantity in rows]
    return "\n".join(lines)


def test_basket_json_is_the_hand_count(tmp_path):
    # 40 orders that count: 12 of A+B, 6 of A+C, 4 of C+D, 4 of A alone, 14 of E alone; one more A+B cancelled
    rows = [(f"ab{i}", "completed", sku, 1) for i in range(12) for sku in ("A", "B")]
    rows += [("ab0", "completed", "A", 2)]  # edge: A on a second line of ab0 still makes one order with A
    rows += [(f"ac{i}", "completed", sku, 1) for i in range(6) for sku in ("A", "C")]
    rows += [(f"cd{i}", "completed", sku, 1) for i in range(4) for sku in ("C", "D")]
    rows += [(f"a{i}", "completed", "A", 1) for i in range(4)] + [(f"e{i}", "completed", "E", 1) for i in range(14)]
    rows += [("x1", "cancelled", "A", 1), ("x1", "cancelled", "B", 1)]
    ws = tmp_path / "basket.duckdb"
    assert run("ingest", "--workspace", ws, write_csv(tmp_path / "orders.csv", _orders(rows))).returncode == 0
    result = run("basket", "--workspace", ws, "--min-support", 0.12, "--min-confidence", 0.5, "--json")
    assert result.returncode == 0, result.stderr
    # orders with A: 12 + 6 + 4 = 22, B: 12, C: 6 + 4 = 10 (D: 4, E: 14 have no pair that survives).
    # Support: A-B 12/40 = 0.3, A-C 6/40 = 0.15, C-D 4/40 = 0.10 < 0.12: dropped.
    # Confidence: A->B 12/22 = 0.545, B->A 12/12 = 1, A->C 6/22 = 0.27 < 0.5: dropped, C->A 6/10 = 0.6.
    # Lift = both x orders / (first x second): A-B 12 x 40 / (22 x 12) = 1.818, A-C 6 x 40 / (22 x 10) = 1.091.
    # A->B and B->A tie on lift; they go by product name (Name A before Name B).
    expected = {"orders": 40, "rules": [
        {"antecedent": "A", "consequent": "B", "support": 0.3, "confidence": 12 / 22, "lift": 480 / 264, "orders_together": 12},
        {"antecedent": "B", "consequent": "A", "support": 0.3, "confidence": 1.0, "lift": 480 / 264, "orders_together": 12},
        {"antecedent": "C", "consequent": "A", "support": 0.15, "confidence": 0.6, "lift": 240 / 220, "orders_together": 6},
    ]}
    payload = json.loads(result.stdout)
    assert same(payload, expected), payload
    assert [r["lift"] for r in payload["rules"]] == sorted((r["lift"] for r in payload["rules"]), reverse=True)
    bad = run("basket", "--workspace", ws, "--min-support", 2)
    # argparse's refusal: usage, then one error line naming the option; nothing on stdout
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.startswith("usage: ")
    assert bad.stderr.splitlines()[-1].endswith("error: argument --min-support: expected a share between 0 and 1, got '2'")


def test_basket_with_too_few_baskets_gives_no_rules_and_says_why(tmp_path):
    # 3 orders of A+B and 5 of A alone: 3 orders with two products, fewer than the 20 rules need
    rows = [(f"ab{i}", "completed", sku, 1) for i in range(3) for sku in ("A", "B")]
    rows += [(f"a{i}", "completed", "A", 1) for i in range(5)]
    ws = tmp_path / "few.duckdb"
    assert run("ingest", "--workspace", ws, write_csv(tmp_path / "orders.csv", _orders(rows))).returncode == 0
    result = run("basket", "--workspace", ws, "--json")
    # edge case: an answer, not an error: the base is there, no rule, and the reason
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"orders": 8, "rules": [], "missing": "products.basket.too_few_baskets"}
    text = run("basket", "--workspace", ws)
    assert text.stdout.strip() == ("Only 3 order(s) hold two or more different products; bought-together rules "
                                   "need at least 20 to be more than chance.")


def test_forecast_json_uses_only_orders_before_as_of(tmp_path):
    # K sells 3 units every week for 10 weeks, Mondays 2024-04-01 .. 06-03; as of Jun 10 (a Monday) the
    # weeks are [Jun 3, Jun 10), [May 27, Jun 3), ...: exactly one Monday each, 3 units each.
    rows = ["order_id,customer_id,order_time,order_total,sku,quantity,unit_price"]
    for week in range(10):
        rows.append(f"K{week},c1,{date(2024, 4, 1) + timedelta(days=7 * week)} 10:00,30,K,3,10")
    # edge: a big order on the as-of day itself, and a SKU first sold after it, must both be left out
    rows += ["BIG,c2,2024-06-10 09:00,500,K,50,10", "NEW,c3,2024-06-12 09:00,40,N,4,10"]
    ws = tmp_path / "forecast.duckdb"
    assert run("ingest", "--workspace", ws, write_csv(tmp_path / "orders.csv", "\n".join(rows))).returncode == 0
    result = run("forecast", "--workspace", ws, "--horizon", 4, "--as-of", "2024-06-10", "--json")
    assert result.returncode == 0, result.stderr
    # a flat series is smooth (a sale every week, no slope), so simple exponential smoothing: every level
    # it reaches is 3 whatever the alpha, and the forecast repeats it for each of the 4 weeks
    assert json.loads(result.stdout) == {"as_of": "2024-06-10", "skus": [{"sku": "K", "method": "ses",
                                                                           "forecast": [3.0, 3.0, 3.0, 3.0]}]}


def test_replenish_json_and_without_inventory(tmp_path):
    # K sells 7 a week and M 14 a week, every Monday for 10 weeks (2024-04-01 .. 06-03)
    rows = ["order_id,customer_id,order_time,order_total,sku,quantity,unit_price"]
    for week in range(10):
        day = date(2024, 4, 1) + timedelta(days=7 * week)
        rows += [f"K{week},c1,{day} 10:00,70,K,7,10", f"M{week},c2,{day} 11:00,140,M,14,10"]
    ws = tmp_path / "stock.duckdb"
    assert run("ingest", "--workspace", ws, write_csv(tmp_path / "orders.csv", "\n".join(rows))).returncode == 0
    # edge: without the inventory file there is no plan, only a one-line reason naming the file
    missing = run("replenish", "--workspace", ws, "--json")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "inventory file" in missing.stderr
    assert missing.stdout == ""
    stock = write_csv(tmp_path / "inventory.csv", "sku,stock_on_hand,lead_time_days\nK,8,10\nM,100,\n")
    assert run("ingest", "--workspace", ws, stock, "--kind", "inventory").returncode == 0
    result = run("replenish", "--workspace", ws, "--lead-time-days", 5, "--json")
    assert result.returncode == 0, result.stderr
    # Constant weeks: the forecast is 7 (K) and 14 (M) a week, daily 1 and 2. Every one-step error of a flat
    # series is 0, so the forecast's band has width 0, the daily sd is 0 and there is no safety stock, at
    # any service level. K: lead 10 days from the file, point 1 x 10 = 10; 8 on hand <= 10: stock-out risk,
    # cover 8 / 1 = 8 days, order 10 + 30 days x 1 - 8 = 32. M: no lead time in the file, so --lead-time-days
    # 5: point 2 x 5 = 10; 100 on hand, 50 days of cover (not over 90): ok, nothing to order.
    assert json.loads(result.stdout) == {"as_of": "2024-06-04", "skus": [
        {"sku": "K", "on_hand": 8, "daily_demand": 1.0, "reorder_point": 10.0, "days_of_cover": 8.0,
         "suggested_order": 32, "status": "stockout_risk"},
        {"sku": "M", "on_hand": 100, "daily_demand": 2.0, "reorder_point": 10.0, "days_of_cover": 50.0,
         "suggested_order": 0, "status": "ok"},
    ]}
