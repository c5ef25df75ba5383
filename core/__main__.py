"""Headless ShopLens: `python -m core COMMAND ...` runs the same logic as the app.

Exit status 0 on success, 2 with a one-line reason on stderr for input we cannot use.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path

from core.data import service as data_service
from core.platform.errors import WorkspaceError, is_unexpected, user_message
from core.platform.i18n import Message, translate
from core.platform.workspace import Workspace


def existing(path: str) -> Workspace:
    """The workspace a reading command looks at: it must exist (only `ingest` creates one)."""
    if not Path(path).is_file():
        raise WorkspaceError("error.workspace_missing", name=path)
    return Workspace(path)


REJECTED_SUFFIX = ".rejected.csv"
NAME_MAX_BYTES = 255  # the longest file name most file systems take (ext4, APFS, NTFS in UTF-16 units)


def rejected_path(source: Path) -> Path:
    """`orders.csv.rejected.csv` beside the file; a name too long for the file system with the suffix is
    cut (whole characters) so the suffix fits."""
    room = NAME_MAX_BYTES - len(REJECTED_SUFFIX.encode())
    name = source.name.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return source.with_name(name + REJECTED_SUFFIX)


def cmd_ingest(args) -> int:
    target = rejected_path(Path(args.file))

    def write_rejects(report) -> None:
        """Before the load commits: a rejects file that cannot be written stops the load, nothing changed."""
        if not report.rejected_count:
            return
        try:
            data_service.write_rejected(report, target)
        except OSError as error:
            raise Message("error.rejects_not_written", file=report.file_name, target=str(target),
                          reason=error.strerror or type(error).__name__) from None

    report = data_service.load(Workspace(args.workspace), Path(args.file), kind=args.kind, mode=args.mode,
                               skip_bad_rows=args.skip_bad_rows, before_commit=write_rejects)
    for note in report.cleaning:
        print(note.text(), file=sys.stderr)
    if report.rejected_count:
        print(f"{report.rejected_count} rejected row(s) written to {target}", file=sys.stderr)
    print(f"{report.loaded_rows} {report.kind} row(s) loaded ({report.mode}) from {report.file_name}")
    return 0


def cmd_datasets(args) -> int:
    summary = data_service.summary(existing(args.workspace))
    if args.json:
        print(json.dumps({"datasets": summary}, indent=2))
    else:
        for entry in summary:
            span = f"{entry['min_date']} .. {entry['max_date']}" if entry["min_date"] else "-"
            print(f"{entry['name']:<16} {entry['rows']:>10,} rows  {span}")
    return 0


def cmd_sample(args) -> int:
    written = data_service.write_sample(Path(args.out), order_lines=args.rows, seed=args.seed)
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0


def _period(workspace: Workspace, args) -> tuple:
    """--start/--end, else the last 30 days of the data."""
    from datetime import date

    from core.diagnosis import service as diagnosis

    return diagnosis.date_range(workspace).period(date.fromisoformat(args.start) if args.start else None,
                                                  date.fromisoformat(args.end) if args.end else None)


def _emit(payload: dict, as_json: bool, lines: list[str]) -> int:
    print(json.dumps(payload, indent=2, default=str) if as_json else "\n".join(lines))
    return 0


def cmd_health(args) -> int:
    from core.diagnosis import service as diagnosis

    workspace = existing(args.workspace)
    start, end = _period(workspace, args)
    checked = diagnosis.health_check(workspace, start, end)
    card, found = checked.card, checked.problems
    payload = {
        "start": start, "end": end, "total": card.total, "coverage": card.coverage,
        "metrics": [{"metric": r.metric, "dimension": r.dimension, "value": r.value, "score": r.score, "weight": r.weight,
                     "effective_weight": round(r.effective_weight, 4)} for r in card.rows],
        "problems": [{"metric": p.metric, "priority": p.priority, "cause": translate(p.cause), "action": translate(p.action)} for p in found],
    }
    total = "–" if card.total is None else card.total
    lines = [f"health {total} / 5 ({start} .. {end}), scored on {card.coverage:.0%} of the weight"]
    lines += [f"  {r.metric:<32} {'-' if r.value is None else round(r.value, 4)!s:>10}  score {r.score or '-'}" for r in card.rows]
    lines += [f"  {p.priority} {p.metric}: {translate(p.action)}" for p in found]
    return _emit(payload, args.json, lines)


def cmd_funnel(args) -> int:
    from core.diagnosis import service as diagnosis

    table = diagnosis.funnel_stages(existing(args.workspace), args.segment).stages
    stages = [{"stage": r.stage, "entered": int(r.entered), "lost": None if r.lost != r.lost else int(r.lost),
               "loss_rate": None if r.loss_rate != r.loss_rate else round(float(r.loss_rate), 6), "flagged": bool(r.flagged)}
              for r in table.itertuples()]
    lines = [f"{s['stage']:<20} {s['entered']:>10,} {'' if s['loss_rate'] is None else format(s['loss_rate'], '.1%'):>7}"
             f"{'  LEAK' if s['flagged'] else ''}" for s in stages]
    return _emit({"stages": stages}, args.json, lines)


def cmd_anomalies(args) -> int:
    from core.diagnosis import service as diagnosis

    workspace = existing(args.workspace)
    start, end = (None, None) if args.all else _period(workspace, args)
    found = diagnosis.traffic_anomalies(workspace, start, end).days
    rows = [{"date": str(r.date)[:10], "channel": r.channel, "metric": r.metric, "value": round(float(r.value), 6),
             "baseline": round(float(r.baseline), 6)} for r in found.itertuples()]
    lines = [f"{r['date']} {r['channel']:<14} {r['metric']:<19} {r['value']:>12,.4g} baseline {r['baseline']:,.4g}" for r in rows]
    return _emit({"anomalies": rows}, args.json, lines)


def cmd_abtest(args) -> int:
    from core.experiments import service as experiments

    result = experiments.by_hand(args.users_a, args.conv_a, args.users_b, args.conv_b, days=args.days, alpha=args.alpha).result
    keys = ("p_value", "confidence", "rate_a", "rate_b", "abs_lift", "rel_lift", "ci_low", "ci_high",
            "prob_b_beats_a", "srm_p_value", "verdict")
    payload = {key: getattr(result, key) for key in keys} | {"reasons": [translate(k, **p) for k, p in result.reasons]}
    lines = [f"{key:<16} {value}" for key, value in payload.items()]
    return _emit(payload, args.json, lines)


def cmd_samplesize(args) -> int:
    from core.experiments import service as experiments

    n = experiments.plan_experiment(args.baseline, args.mde, relative=args.relative, alpha=args.alpha, power=args.power).n_per_group
    return _emit({"n_per_group": n}, args.json, [f"{n} users per group"])


def cmd_rfm(args) -> int:
    from datetime import date

    from core.customers import service as customers
    from core.platform.export import to_safe_csv

    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        raise Message("rfm.bad_as_of", value=args.as_of) from None
    workspace = existing(args.workspace)
    as_of = as_of or customers.default_as_of(workspace)
    if as_of is None:
        raise Message("error.no_data")
    table = customers.tiers(workspace, as_of, args.window_days).customers
    columns = ["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "tier"]
    rows = table[columns].assign(monetary=table["monetary"].astype(float).round(2))  # money to the cent: no float noise
    # contact details (issue 15): masked unless --contacts full, which the workspace's audit records
    from core.customers.customer_file import with_contacts
    from core.data import personal

    full = args.contacts == "full"
    rows = with_contacts(rows, personal.contacts_of(workspace, rows["customer_id"]), full=full, consented_only=args.consented_only)
    Path(args.out).write_bytes(to_safe_csv(rows))
    if full and "email" in rows.columns:
        personal.log(workspace, "export_full", str(Path(args.out).resolve()), len(rows))
    print(f"{len(rows)} customer(s) as of {as_of} written to {args.out}")
    return 0


def cmd_forget(args) -> int:
    """Erase one customer's personal data: contacts deleted, orders moved to an anonymous key (docs/decisions/0009)."""
    from core.data import personal

    workspace = existing(args.workspace)
    done = personal.forget(workspace, email=args.email, phone=args.phone)
    field = "email" if args.email is not None else "phone"
    if not done.customers:
        print(translate("personal.nobody", field=translate(f"personal.kind.{field}")))
        return 0
    print(translate("personal.forgotten", customers=done.customers, contacts=done.contacts, orders=done.orders))
    return 0


def cmd_protect(args) -> int:
    """Give a workspace a passphrase for when the app is shared (issue 15); read from a file or stdin, never argv."""
    from core.platform import access

    workspace = existing(args.workspace)
    if args.remove:
        access.unprotect(workspace)
        print(translate("access.unprotected", name=workspace.display_name))
        return 0
    source = Path(args.passphrase_file).read_text(encoding="utf-8") if args.passphrase_file else sys.stdin.read()
    lines = source.splitlines()
    access.protect(workspace, lines[0] if lines else "")
    print(translate("access.protected", name=workspace.display_name))
    return 0


def cmd_budget(args) -> int:
    from core.budget import service as budget

    overview = budget.overview(existing(args.workspace))
    period = budget.plan_period(overview, args.months)
    lowest, highest = dict(args.min), dict(args.max)
    unknown = sorted((set(lowest) | set(highest) | set(args.free)) - set(period.channels))
    if unknown:
        raise Message("error.unknown_channel", channel=", ".join(unknown))
    bounds = {channel: (lowest.get(channel), highest.get(channel)) for channel in period.channels}
    held = tuple(c for c in budget.poor_fits(period) if c not in set(args.free))
    rails = budget.Guardrails(keep_in_history=not args.free_range, held=held)
    best = budget.optimise(period, overview.saved_roles, args.total, bounds, rails)
    table = best.table.set_index("channel")
    payload = {
        "allocation": {c: round(v, 2) for c, v in best.allocation.items()},
        "predicted_revenue": round(best.revenue, 2),
        "current_predicted_revenue": round(best.revenue_today, 2),
        "drop_candidates": list(overview.drop_candidates),
        "guardrails": {"keep_in_history": rails.keep_in_history, "history_low_factor": rails.low_factor,
                       "history_high_factor": rails.high_factor, "held": list(held)},
        "channels": [{"channel": c, "roi_last_3": round(overview.roi_last_3[c], 4),
                      "marginal_roi": round(float(table.loc[c, "marginal_roi"]), 4),
                      "proposed_spend": round(float(table.loc[c, "proposed_spend"]), 2),
                      "predicted_revenue": round(float(table.loc[c, "revenue_new"]), 2),
                      "predicted_revenue_low": round(float(table.loc[c, "revenue_low"]), 2),
                      "predicted_revenue_high": round(float(table.loc[c, "revenue_high"]), 2),
                      "history_low": round(float(table.loc[c, "history_low"]), 2),
                      "history_high": round(float(table.loc[c, "history_high"]), 2),
                      "seen_low": round(float(table.loc[c, "seen_low"]), 2), "seen_high": round(float(table.loc[c, "seen_high"]), 2),
                      "held": bool(table.loc[c, "held"]), "is_outside_history": bool(table.loc[c, "is_outside_history"]),
                      "is_poor_fit": bool(table.loc[c, "is_poor_fit"]), "r2": round(float(table.loc[c, "r2"]), 4),
                      "fit_stopped_early": bool(table.loc[c, "stopped_early"])}
                     for c in period.channels],
        "moves": [{"from": s.move.from_channel, "to": s.move.to_channel, "amount": round(s.move.amount, 2),
                   "revenue_gain": round(s.move.revenue_gain, 2), "to_predicted_revenue": round(s.target_revenue, 2),
                   "to_predicted_revenue_low": round(s.target_low, 2), "to_predicted_revenue_high": round(s.target_high, 2),
                   "warnings": [{"channel": w.channel, "kind": w.kind, "text": w.message.text()} for w in s.cautions]}
                  for s in best.suggestions],
    }
    lines = [f"{c:<16} {v:>14,.0f}" + ("  (held)" if table.loc[c, "held"] else "") for c, v in best.allocation.items()]
    lines.append(f"predicted revenue {payload['predicted_revenue']:,.0f}")
    for s in best.suggestions:
        lines.append(f"move {s.move.amount:,.0f} from {s.move.from_channel} to {s.move.to_channel}: {s.move.revenue_gain:+,.0f}")
        lines += [f"  warning: {w.message.text()}" for w in s.cautions]
    return _emit(payload, args.json, lines)


def cmd_matrix(args) -> int:
    from core.budget import service as budget
    from core.platform.export import to_safe_csv

    matrix = budget.matrix(existing(args.workspace), days=args.days, by_tier=args.by_tier)
    if matrix.empty:
        raise Message("budget.no_matrix")
    Path(args.out).write_bytes(to_safe_csv(budget.matrix_file(matrix, "en")))  # the CLI speaks English
    print(f"{len(matrix)} row(s) written to {args.out}")
    return 0


def _day(text: str | None, option: str):
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Message("error.bad_date", option=option, value=text) from None


def cmd_sales(args) -> int:
    from core.sales import service as sales

    result = sales.sales(existing(args.workspace), args.by, _day(args.start, "--from"), _day(args.end, "--to"))
    periods = result.records()
    lines = [f"{p['period']:<12} gmv {p['gmv']:>14,.2f}  orders {p['orders']:>7,}  customers {p['customers']:>7,}"
             f" (new {p['new_customers']:,}, returning {p['returning_customers']:,})" for p in periods]
    return _emit({"currency": result.currency, "periods": periods}, args.json, lines)


def cmd_cohorts(args) -> int:
    from core.sales import service as sales

    cohorts = sales.cohorts(existing(args.workspace)).records()
    lines = [f"{c['cohort']}  {c['customers']:>6,} customers  retention " + " ".join(f"{r:.0%}" for r in c["retention"][:13])
             for c in cohorts]
    return _emit({"cohorts": cohorts}, args.json, lines)


def cmd_basket(args) -> int:
    from core.products import service as products

    found = products.bought_together(existing(args.workspace), args.min_support, args.min_confidence)
    payload = found.to_json()  # with too few baskets: no rules and the reason, not an error
    lines = [translate(found.missing, **found.missing_params) if found.missing else
             f"{len(payload['rules'])} rule(s) from {payload['orders']:,} orders"]
    lines += [f"  {r['antecedent']} -> {r['consequent']}  support {r['support']:.2%}  confidence {r['confidence']:.1%}"
              f"  lift {r['lift']:.2f}  together {r['orders_together']:,}" for r in payload["rules"]]
    return _emit(payload, args.json, lines)


def cmd_forecast(args) -> int:
    from core.products import service as products

    found = products.demand(existing(args.workspace), args.horizon, _day(args.as_of, "--as-of")).forecasts
    if found.reason:
        raise Message(found.reason)
    skus = found.records()
    lines = [f"forecast from {found.as_of}, {found.horizon} weeks, {len(skus)} SKU(s)"]
    lines += [f"  {s['sku']:<14} {s['method']:<13} " + " ".join(f"{u:,.1f}" for u in s["forecast"]) for s in skus]
    return _emit({"as_of": found.as_of, "skus": skus}, args.json, lines)


def cmd_replenish(args) -> int:
    from core.products import service as products

    found = products.restock(existing(args.workspace), args.lead_time_days, args.service_level)
    if found.missing:
        raise Message(found.missing)
    keys = ("sku", "on_hand", "daily_demand", "reorder_point", "days_of_cover", "suggested_order", "status")
    rows = [{"sku": r.sku, "on_hand": int(r.on_hand), "daily_demand": round(float(r.daily_demand), 4),
             "reorder_point": round(float(r.reorder_point), 2),
             "days_of_cover": None if r.days_of_cover != r.days_of_cover else round(float(r.days_of_cover), 1),
             "suggested_order": int(r.suggested_order), "status": r.status} for r in found.plan.itertuples()]
    lines = [" ".join(f"{key}" for key in keys)]
    lines += [" ".join("-" if row[key] is None else str(row[key]) for key in keys) for row in rows]
    return _emit({"as_of": found.as_of, "skus": rows}, args.json, lines)


def cmd_report(args) -> int:
    from core.report import service as report

    html = report.shop_report(existing(args.workspace), _day(args.start, "--from"), _day(args.end, "--to"), args.lang)
    Path(args.out).write_text(html, encoding="utf-8")
    print(f"report ({args.lang}) written to {args.out}")
    return 0


def _improvement_fields(args) -> dict:
    """The entry fields given on the command line, by the names the register takes (absent ones left out)."""
    names = {"title": "title", "metric": "metric", "detail": "metric_detail", "impact": "impact", "urgency": "urgency",
             "owner": "owner", "start": "start", "due": "due", "scope": "scope", "key_result": "key_result",
             "status": "status", "source": "source"}
    return {field: getattr(args, option) for option, field in names.items() if getattr(args, option, None) is not None}


def _rounded(value):
    return None if value is None else round(value, 6)


def cmd_improvements_add(args) -> int:
    from core.improvements import service as improvements

    entry_id = improvements.add(existing(args.workspace), **({"owner": None} | _improvement_fields(args)))
    return _emit({"id": entry_id}, args.json, [f"improvement {entry_id} added"])


def cmd_improvements_update(args) -> int:
    from core.improvements import service as improvements

    changes = _improvement_fields(args)
    improvements.update(existing(args.workspace), args.id, **changes)
    return _emit({"id": args.id, "changed": sorted(changes)}, args.json, [f"improvement {args.id} updated"])


def cmd_improvements_list(args) -> int:
    from core.improvements import service as improvements

    workspace = existing(args.workspace)
    table = improvements.entries(workspace, _day(args.today, "--today"))
    found = improvements.compare_all(workspace, improvements.measured(table), args.window_days)
    rows = []
    for entry, compared in zip(table.to_dict("records"), found):
        rows.append({
            "id": int(entry["id"]), "title": entry["title"], "metric": entry["metric"], "detail": entry["metric_detail"],
            "impact": int(entry["impact"]), "urgency": int(entry["urgency"]), "priority": int(entry["priority"]),
            "status": entry["status"], "owner": entry["owner"], "start": entry["start_date"], "due": entry["due_date"],
            "overdue": bool(entry["overdue"]), "before": _rounded(compared.before.value),
            "after": _rounded(compared.after.value), "change": _rounded(compared.change),
            "before_days": compared.before_days, "after_days": compared.after_days, "test": compared.test,
            "p_value": compared.p_value, "significant": compared.significant,
            "missing_before": compared.before.missing, "missing_after": compared.after.missing,
        })
    shown = lambda v: "-" if v is None else f"{v:,.4g}"
    lines = [f"{r['id']:>4} P{r['priority']:<3} {r['status']:<6} {r['title'][:40]:<40} {r['metric']:<16} "
             f"{shown(r['before'])} -> {shown(r['after'])} ({'-' if r['change'] is None else format(r['change'], '+.1%')})"
             + ("  OVERDUE" if r["overdue"] else "") for r in rows]
    return _emit({"improvements": rows}, args.json, lines or ["the register is empty"])


def cmd_demo(args) -> int:
    from core.customers import service as customers
    from core.improvements import service as improvements
    from core.platform import background
    from core.sales import service as sales

    workspace = data_service.demo_workspace()
    # what the pages work out in the background, kept now: a first visit to the demo shows it at once
    customers.keep_models(workspace)
    for job in (background.job_of(sales.cohorts, workspace), background.job_of(improvements.tier_month_rates, workspace)):
        job.result()
    print(f"demo workspace ready: {workspace.path}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m core", description="ShopLens from the command line.")
    commands = root.add_subparsers(dest="command", required=True)

    load = commands.add_parser("ingest", help="load a CSV or XLSX export into a workspace")
    load.add_argument("--workspace", required=True, help="DuckDB file (created if missing)")
    load.add_argument("file")
    load.add_argument("--kind", choices=sorted(data_service.KINDS), help="dataset kind (recognised from the headers if omitted)")
    load.add_argument("--mode", choices=data_service.MODES, default="append")
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

    for name, run, text in (("health", cmd_health, "the weighted health scorecard and its problem list"),
                            ("anomalies", cmd_anomalies, "traffic anomalies: UV drops and high-bounce days")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--workspace", required=True)
        command.add_argument("--start", help="YYYY-MM-DD (default: 30 days before --end)")
        command.add_argument("--end", help="YYYY-MM-DD (default: the last day in the data)")
        command.add_argument("--json", action="store_true")
        command.set_defaults(run=run)
    commands.choices["anomalies"].add_argument("--all", action="store_true", help="the whole history")

    funnel = commands.add_parser("funnel", help="the conversion funnel with leaking stages flagged")
    funnel.add_argument("--workspace", required=True)
    funnel.add_argument("--segment", help="device or channel segment (default: all)")
    funnel.add_argument("--json", action="store_true")
    funnel.set_defaults(run=cmd_funnel)

    ab = commands.add_parser("abtest", help="B against A: significance, lift, probability to beat, verdict")
    for name in ("users-a", "conv-a", "users-b", "conv-b"):
        ab.add_argument(f"--{name}", type=int, required=True)
    ab.add_argument("--alpha", type=float, default=0.05)
    ab.add_argument("--days", type=int, help="days the test ran (fewer than 7 means keep testing)")
    ab.add_argument("--json", action="store_true")
    ab.set_defaults(run=cmd_abtest)

    size = commands.add_parser("samplesize", help="users per group for a two-proportion test")
    size.add_argument("--baseline", type=float, required=True, help="baseline conversion rate, e.g. 0.03")
    size.add_argument("--mde", type=float, required=True, help="minimum detectable effect (absolute, or relative with --relative)")
    size.add_argument("--relative", action="store_true")
    size.add_argument("--alpha", type=float, default=0.05)
    size.add_argument("--power", type=float, default=0.8)
    size.add_argument("--json", action="store_true")
    size.set_defaults(run=cmd_samplesize)

    tiers = commands.add_parser("rfm", help="customer RFM scores and tiers, one row per customer, as CSV")
    tiers.add_argument("--workspace", required=True)
    tiers.add_argument("--as-of", help="YYYY-MM-DD; orders before this day count (default: the day after the last order)")
    tiers.add_argument("--window-days", type=int, help="only orders from this many days before --as-of (default: all history)")
    tiers.add_argument("--out", required=True, help="CSV file to write")
    tiers.add_argument("--contacts", choices=("masked", "full"), default="masked",
                       help="e-mail and phone of customers whose contacts the workspace keeps: masked (default) or full (logged)")
    tiers.add_argument("--consented-only", action="store_true",
                       help="leave out customers whose exports did not record marketing consent as given")
    tiers.set_defaults(run=cmd_rfm)

    erase = commands.add_parser("forget", help="erase one customer's personal data (contacts; orders move to an anonymous key)")
    erase.add_argument("--workspace", required=True)
    who = erase.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="the customer's e-mail address")
    who.add_argument("--phone", help="the customer's phone number")
    erase.set_defaults(run=cmd_forget)

    plan = commands.add_parser("budget", help="the best split of a total over the channels, from fitted response curves")
    plan.add_argument("--workspace", required=True)
    plan.add_argument("--total", type=float, required=True, help="budget for the whole period")
    plan.add_argument("--months", type=int, choices=(1, 3), default=1, help="period: next month (1) or next quarter (3)")
    plan.add_argument("--min", type=_channel_amount, action="append", default=[], metavar="CHANNEL=AMOUNT",
                      help="a channel's least spend in the period (repeatable)")
    plan.add_argument("--max", type=_channel_amount, action="append", default=[], metavar="CHANNEL=AMOUNT",
                      help="a channel's most spend in the period (repeatable)")
    plan.add_argument("--free-range", action="store_true",
                      help="let channels leave the range their history supports (around their lowest and highest monthly spend)")
    plan.add_argument("--free", action="append", default=[], metavar="CHANNEL",
                      help="let a channel whose curve explains too little move from its current spend (repeatable)")
    plan.add_argument("--json", action="store_true")
    plan.set_defaults(run=cmd_budget)

    matrix = commands.add_parser("matrix", help="the analysis matrix: category x channel (x customer tier) as CSV")
    matrix.add_argument("--workspace", required=True)
    matrix.add_argument("--days", type=int, choices=range(1, 3651), metavar="DAYS", default=90, help="length of the period and of the one it is compared with")
    matrix.add_argument("--by-tier", action="store_true", help="split by each buyer's tier at the start of each period")
    matrix.add_argument("--out", required=True, help="CSV file to write")
    matrix.set_defaults(run=cmd_matrix)

    by_period = commands.add_parser("sales", help="GMV, orders and new against returning customers per day, week or month")
    by_period.add_argument("--workspace", required=True)
    by_period.add_argument("--by", choices=("day", "week", "month"), default="month")
    by_period.add_argument("--from", dest="start", help="YYYY-MM-DD (default: the first order)")
    by_period.add_argument("--to", dest="end", help="YYYY-MM-DD (default: the last order)")
    by_period.add_argument("--json", action="store_true")
    by_period.set_defaults(run=cmd_sales)

    cohorts = commands.add_parser("cohorts", help="customers by the month of their first order: retention and revenue per customer")
    cohorts.add_argument("--workspace", required=True)
    cohorts.add_argument("--json", action="store_true")
    cohorts.set_defaults(run=cmd_cohorts)

    rules = commands.add_parser("basket", help="bought together: product -> product rules with support, confidence, lift")
    rules.add_argument("--workspace", required=True)
    rules.add_argument("--min-support", type=_share, default=0.002, help="0-1, share of orders with both (default 0.002)")
    rules.add_argument("--min-confidence", type=_share, default=0.1, help="0-1 (default 0.1)")
    rules.add_argument("--json", action="store_true")
    rules.set_defaults(run=cmd_basket)

    weekly = commands.add_parser("forecast", help="weekly units per SKU for the coming weeks")
    weekly.add_argument("--workspace", required=True)
    weekly.add_argument("--horizon", type=int, default=8, help="weeks ahead, 4-12 (default 8)")
    weekly.add_argument("--as-of", help="YYYY-MM-DD: use orders before it only (default: the day after the last order)")
    weekly.add_argument("--json", action="store_true")
    weekly.set_defaults(run=cmd_forecast)

    restock = commands.add_parser("replenish", help="reorder point, days of cover and what to order per SKU")
    restock.add_argument("--workspace", required=True)
    restock.add_argument("--lead-time-days", type=_days, default=14,
                         help="lead time for SKUs the inventory file gives none (default 14)")
    restock.add_argument("--service-level", type=_open_share, default=0.95, help="0-1 exclusive (default 0.95)")
    restock.add_argument("--json", action="store_true")
    restock.set_defaults(run=cmd_replenish)

    report = commands.add_parser("report", help="the shop report as one self-contained HTML file")
    report.add_argument("--workspace", required=True)
    report.add_argument("--lang", choices=("en", "zh"), default="en")
    report.add_argument("--from", dest="start", help="YYYY-MM-DD (default: 30 days before --to)")
    report.add_argument("--to", dest="end", help="YYYY-MM-DD (default: the last day in the data)")
    report.add_argument("--out", required=True, help="HTML file to write")
    report.set_defaults(run=cmd_report)

    improvements = commands.add_parser("improvements", help="the improvement register: add, list (with before/after), update")
    steps = improvements.add_subparsers(dest="action", required=True)
    statuses = "plan, do, check, act or done"
    add = steps.add_parser("add", help="add a problem to fix, with the metric it should move")
    add.add_argument("--title", required=True, help="the problem")
    add.add_argument("--metric", required=True, help="gmv, orders, customers, uv, aov, conversion_rate, bounce_rate, "
                     "return_rate, funnel_loss_rate, channel_roi or repurchase_rate")
    add.add_argument("--impact", required=True, help="1-5")
    add.add_argument("--urgency", required=True, help="1-5")
    add.add_argument("--owner", required=True)
    add.add_argument("--start", required=True, help="YYYY-MM-DD")
    update = steps.add_parser("update", help="change an entry's status (or other fields)")
    update.add_argument("--id", required=True)
    update.add_argument("--status", help=statuses)
    for name in ("title", "metric", "impact", "urgency", "owner", "start"):
        update.add_argument(f"--{name}")
    for command in (add, update):
        command.add_argument("--workspace", required=True)
        command.add_argument("--due", help="YYYY-MM-DD")
        command.add_argument("--detail", help="the funnel stage (funnel_loss_rate) or channel (channel_roi; optional for others)")
        command.add_argument("--scope")
        command.add_argument("--key-result")
        command.add_argument("--source", help="scorecard, funnel, traffic, ab_test, budget, customers or manual")
        command.add_argument("--json", action="store_true")
    add.add_argument("--status", help=f"{statuses} (default plan)")
    add.set_defaults(run=cmd_improvements_add)
    update.set_defaults(run=cmd_improvements_update)
    listing = steps.add_parser("list", help="the register by priority, with the metric before and after each start")
    listing.add_argument("--workspace", required=True)
    listing.add_argument("--window-days", type=int, choices=range(1, 3651), metavar="DAYS", default=28, help="days before and from each start (default 28)")
    listing.add_argument("--today", help="YYYY-MM-DD: the day entries are overdue against (default: today)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_improvements_list)

    guard = commands.add_parser("protect", help="set a workspace's passphrase, asked when the app is shared (read from stdin)")
    guard.add_argument("--workspace", required=True)
    guard.add_argument("--passphrase-file", help="read the passphrase from this file's first line instead of stdin")
    guard.add_argument("--remove", action="store_true", help="remove the passphrase (only here, never from the app)")
    guard.set_defaults(run=cmd_protect)

    demo = commands.add_parser("demo", help="build the demo workspace from sample_data/ if it is missing")
    demo.set_defaults(run=cmd_demo)
    return root


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}")
    return value


def _open_share(text: str) -> float:
    value = _share(text)
    if value in (0, 1):
        raise argparse.ArgumentTypeError(f"expected a share strictly between 0 and 1, got {text!r}")
    return value


def _days(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}")
    return int(text)


def _channel_amount(text: str) -> tuple[str, float]:
    channel, sep, amount = text.rpartition("=")
    try:
        value = float(amount)
    except ValueError:
        value = float("nan")
    if not sep or not channel or not value >= 0:
        raise argparse.ArgumentTypeError(f"expected CHANNEL=AMOUNT with AMOUNT >= 0, got {text!r}")
    return channel, value


def main(argv: list[str] | None = None) -> int:
    """Run one command; any problem is one line on stderr and exit status 2, never a traceback."""
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # `| head` closed the pipe: not an error of ours
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - core/platform/errors.py words every cause
        message = user_message(error, Path(args.workspace).stem if getattr(args, "workspace", None) else None)
        if is_unexpected(message) and os.environ.get("SHOPLENS_DEBUG"):
            traceback.print_exc()
        print(f"error: {message.text().splitlines()[0] if message.text() else message.key}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
