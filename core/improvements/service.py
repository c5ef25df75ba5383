"""The Improvements page's one door to core, and the CLI's: the register of improvement projects (the
playbook's PDCA table), each judged by its metric before and after it started, measured from the shop's
own data; the quarterly review; and customer campaigns measured against a holdout.

The register is the owner's notes: writing it does not move the data version, so no cached figure is
thrown away; the before/after figures are cached per entry on the data version, and move when new data
is uploaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from core.customers import service as customers
from core.improvements import before_after, campaigns, metrics, register, suggestions
from core.platform.i18n import translate
from core.platform.workspace import Workspace

STATUSES = register.STATUSES
METRICS = metrics.METRICS
WINDOW_DAYS = 28
COUNT_METRICS = ("orders", "customers", "uv")  # totals that are counts: shown as whole numbers
Suggestion = suggestions.Suggestion
# findings elsewhere, as register entries waiting for a click (core/improvements/suggestions.py)
from_problem, from_funnel_stage, from_anomaly = suggestions.from_problem, suggestions.from_funnel_stage, suggestions.from_anomaly
from_ab_winner, from_drop_candidate, from_at_risk = (suggestions.from_ab_winner, suggestions.from_drop_candidate,
                                                     suggestions.from_at_risk)
Comparison = before_after.Comparison
FILE_COLUMNS = ("id", "title", "scope", "metric", "metric_detail", "impact", "urgency", "priority", "owner",
                "start_date", "due_date", "status", "key_result", "before", "after", "change", "p_value", "overdue")


def entries(workspace: Workspace, today: date | None = None) -> pd.DataFrame:
    """Every entry, highest priority first, with `overdue` (past its due date and not done) as of `today`."""
    return register.entries(workspace, today or date.today())


def compare(workspace: Workspace, metric: str, detail: str | None, start: date,
            window_days: int = WINDOW_DAYS) -> Comparison:
    """The metric over the `window_days` before `start` and from `start` on (cut where the data ends)."""
    return before_after.compare(workspace, metric, detail, start, window_days)


def measured(table: pd.DataFrame) -> tuple[tuple[str, str | None, date], ...]:
    """What each entry is judged on, (metric, detail, start): the key its figures are cached on, so an
    edit of an owner or a status does not recompute them."""
    return tuple((r.metric, _detail(r.metric_detail), pd.Timestamp(r.start_date).date()) for r in table.itertuples())


def compare_all(workspace: Workspace, what: tuple[tuple[str, str | None, date], ...],
                window_days: int = WINDOW_DAYS) -> tuple[Comparison, ...]:
    return tuple(compare(workspace, metric, detail, start, window_days) for metric, detail, start in what)


def judged(table: pd.DataFrame, found: tuple[Comparison, ...]) -> pd.DataFrame:
    """The register with before, after, change, the test's p-value and whether it is significant."""
    return table.assign(before=[c.before.value for c in found], after=[c.after.value for c in found],
                        change=[c.change for c in found], p_value=[c.p_value for c in found],
                        significant=[c.significant for c in found], improved=[c.improved for c in found],
                        before_days=[c.before_days for c in found], after_days=[c.after_days for c in found],
                        test=[c.test for c in found],
                        missing=[c.after.missing or c.before.missing for c in found])


def _detail(value) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) or value == "" else str(value)


def add(workspace: Workspace, **fields) -> int:
    """A new entry (see register.add for the fields); returns its id. Nothing is written if a field is wrong."""
    return register.add(workspace, **fields)


def add_suggestion(workspace: Workspace, suggestion: Suggestion, lang: str = "en", start: date | None = None,
                   owner: str = "") -> int:
    """A finding from another page into the register, titled in the reader's language, starting `start`
    (default today): the data after it is what the entry will be judged on."""
    return register.add(workspace, title=suggestion.title(lang), metric=suggestion.metric,
                        metric_detail=suggestion.detail, impact=suggestion.impact, urgency=suggestion.urgency,
                        owner=owner, start=start or date.today(), source=suggestion.source)


def update(workspace: Workspace, entry_id: int, **changes) -> None:
    register.update(workspace, entry_id, **changes)


def save(workspace: Workspace, table: pd.DataFrame) -> None:
    """The edited register replaces the saved one, all or nothing."""
    register.replace_all(workspace, table)


def register_file(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The register as a download: headers, metrics and statuses in the reader's language; changes as
    percentages; blanks empty."""
    rows = table.reindex(columns=list(FILE_COLUMNS)).copy()
    rows["metric"] = [translate(f"improvements.metric.{m}", lang) for m in rows["metric"]]
    rows["status"] = [translate(f"improvements.status.{s}", lang) for s in rows["status"]]
    rows["change"] = [None if pd.isna(v) else f"{v:+.1%}" for v in rows["change"]]
    rows["p_value"] = [None if pd.isna(v) else round(float(v), 4) for v in rows["p_value"]]
    rows["before"] = [None if pd.isna(v) else round(float(v), 4) for v in rows["before"]]
    rows["after"] = [None if pd.isna(v) else round(float(v), 4) for v in rows["after"]]
    rows["overdue"] = [translate("improvements.yes" if v else "improvements.no", lang) for v in rows["overdue"]]
    return rows.rename(columns={c: translate(f"improvements.col.{c}", lang) for c in rows.columns})


@dataclass(frozen=True)
class Review:
    """A quarter of the register: what was done, what moved, what did not."""
    quarter: str  # 2026-Q3
    done: pd.DataFrame  # of the entries started in the quarter: status done
    moved: pd.DataFrame  # a significant change in the metric's good direction
    not_moved: pd.DataFrame  # measured, but no significant change the good way
    open: pd.DataFrame  # still being worked on (plan, do, check, act)


def quarters(table: pd.DataFrame) -> list[str]:
    """The quarters the register's entries started in, newest first."""
    starts = pd.to_datetime(table["start_date"])
    return sorted({f"{d.year}-Q{(d.month - 1) // 3 + 1}" for d in starts}, reverse=True)


def quarter_span(quarter: str) -> tuple[date, date]:
    year, q = int(quarter[:4]), int(quarter[-1])
    start = date(year, 3 * (q - 1) + 1, 1)
    end = date(year + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def review(judged_table: pd.DataFrame, quarter: str) -> Review:
    """The entries started in `quarter`, sorted into done, moved (a significant change in the good direction),
    not moved, and open."""
    start, end = quarter_span(quarter)
    starts = pd.to_datetime(judged_table["start_date"]).dt.date
    inside = judged_table[(starts >= start) & (starts <= end)]
    improved = inside["improved"].fillna(False).astype(bool) & inside["significant"].fillna(False).astype(bool)
    measured = inside["change"].notna()
    return Review(quarter, inside[inside["status"] == "done"], inside[improved], inside[measured & ~improved],
                  inside[inside["status"] != "done"])


# ------------------------------------------------------------------------------------------- campaigns


def record_campaign(workspace: Workspace, tier: str, channel: str, sent_on: date, customer_ids: list[str],
                    holdout_share: float = 0.1) -> campaigns.Campaign:
    """Remember who is contacted and who is held out (not contacted), so the touch can be measured."""
    return campaigns.record(workspace, tier=tier, channel=channel, sent_on=sent_on, customer_ids=customer_ids,
                            holdout_share=holdout_share)


def campaigns_version(workspace: Workspace) -> tuple[int, int]:
    """Changes whenever a campaign is recorded or deleted: what the campaign figures are cached on, besides
    the data version (recording one does not move that)."""
    return campaigns.version(workspace)


def campaign_results(workspace: Workspace, version: tuple[int, int] | None = None) -> pd.DataFrame:
    """Per campaign and window (7 and 30 days): who bought, contacted against held out, and the lift.
    `version` (campaigns_version) only keys the page's cache."""
    return campaigns.results(workspace)


def tier_kpis(workspace: Workspace, version: tuple[int, int] | None = None) -> pd.DataFrame:
    """Each tier's measured campaign conversion against the playbook's target."""
    return campaigns.tier_kpis(workspace)


def tier_month_rates(workspace: Workspace, months: int = 6) -> pd.DataFrame:
    """Monthly repurchase and retention per tier, with tiers as of the day after the last order."""
    as_of = customers.default_as_of(workspace)
    if as_of is None:
        return pd.DataFrame()
    tiers = customers.tiers_at(workspace, as_of)[["customer_id", "tier"]]
    return campaigns.tier_month_rates(workspace, tiers, months)


def record_demo(workspace: Workspace) -> None:
    """Fill a demo being built: four register entries on its stories and three campaigns with holdouts."""
    for entry in register.demo_entries():
        register.add(workspace, **entry)
    campaigns.record_demo_campaigns(workspace)
