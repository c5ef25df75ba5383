"""Everything the Customer tiers page shows, each part a frozen result the page only lays out.

The parts are cached apart on purpose: the churn model reads no settings, so saving tier lines or the
touch plan never retrains it; tiers and movement read the tier lines; the plan reads only the plan.
Cheap combinations of parts already computed (the at-risk list, the export list, checking an edited
plan) take those parts instead of recomputing them.
Which tier lines are in force (scaled to the shop by default, the playbook's, or the owner's) is saved
under the same key as the owner's lines, so everything that splits by tier follows a switch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.customers import churn as churn_model
from core.customers import clusters as grouping
from core.customers import customer_file, rfm, tier_lines
from core.customers import touch_plan as playbook
from core.data import service as data
from core.platform import background
from core.platform.money import money
from core.platform.services import reads_settings
from core.platform.workspace import Workspace
from core.products import service as products

TIERS = rfm.TIERS  # best first
LINES = tier_lines.CHOICES  # scaled to the shop (the default), the playbook's, the owner's
CHURN_HORIZON_DAYS = churn_model.HORIZON_DAYS
EXPORT_COLUMNS = ("customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "tier", "cluster")


@dataclass(frozen=True)
class DateChoice:
    """A date picker's default and bounds."""

    default: date
    earliest: date
    latest: date


@dataclass(frozen=True)
class TierView:
    as_of: date
    window_days: int | None
    customers: pd.DataFrame  # one row per customer: rfm.COLUMNS
    shares: pd.DataFrame  # tier, customers, share, reference_share, goal (catalog key); best tier first
    segments: pd.DataFrame  # segment, customers, recency_days and monetary (medians); largest first
    thresholds: dict  # tier line name -> value, in the order of rfm.Thresholds
    rules: tuple  # (tier, catalog key, params) in the order the rule is applied; amounts in the shop's currency
    currency: str | None  # the shop's usual currency, for the money lines
    lines: str  # the lines in force: "scaled", "playbook" or "custom"
    lines_note: tuple  # (catalog key, params): which lines are in force and why
    money_texts: dict  # catalog key -> params of the texts that quote money (goals, the plan), scaled like the lines
    vip_orders_per_year: float | None  # base of the VIP discount cap; None without VIPs
    movement_from: DateChoice | None  # the earlier date to compare tiers with; None on a one-day history


@dataclass(frozen=True)
class LinesChoice:
    choice: str  # the lines saved as in force
    options: tuple  # what the owner can switch to: scaled, playbook, and custom once they saved their own


@dataclass(frozen=True)
class MovementView:
    summary: pd.DataFrame  # counts: tier_before (rows) x tier_after (columns)
    changes: pd.Series  # customers per change (up, down, same, new, gone), in that order, only those that happened


@dataclass(frozen=True)
class ClusterView:
    k: int | None = None
    silhouette: dict = field(default_factory=dict)  # k tried -> silhouette, higher is better separated
    clusters: pd.DataFrame | None = None  # one row per group, 0 = highest median spending
    labels: pd.DataFrame | None = None  # customer_id, cluster
    problem_key: str | None = None  # catalog key saying why there are no groups
    problem_params: dict = field(default_factory=dict)

    @property
    def silhouette_score(self) -> float | None:
        return self.silhouette.get(self.k)


@dataclass(frozen=True)
class ChurnView:
    horizon_days: int
    problem_key: str | None = None  # catalog key saying why there is no model (too short, too small)
    problem_params: dict = field(default_factory=dict)
    cutoff: date | None = None
    auc: float | None = None
    baseline_auc: float | None = None
    count_holdout: int = 0
    lift: pd.DataFrame | None = None  # holdout customers by risk decile
    scores: pd.DataFrame | None = None  # customer_id, churn_risk for everyone active at as_of


@dataclass(frozen=True)
class PlanView:
    touches: pd.DataFrame  # one row per tier; default texts are catalog keys, typed texts stay as typed
    warnings: tuple  # (catalog key, params) for every contact cap the plan breaks
    text_columns: tuple = playbook.TEXT_COLUMNS
    count_columns: tuple = playbook.COUNT_COLUMNS


@dataclass(frozen=True)
class CustomerList:
    rows: pd.DataFrame  # EXPORT_COLUMNS, plus churn_risk when the churn model could be trained
    file_name: str


def default_as_of(workspace: Workspace) -> date | None:
    """The day after the last order; None without orders."""
    return rfm.default_as_of(workspace)


def as_of_choice(workspace: Workspace) -> DateChoice | None:
    """Which days tiers can be worked out for: from the day after the first paid order to the day after the
    last order. None when no paid order names a customer."""
    first, _ = rfm.order_span(workspace)
    last = rfm.default_as_of(workspace)
    if first is None or last is None:
        return None
    return DateChoice(default=last, earliest=first + timedelta(days=1), latest=last)


@reads_settings(rfm.SETTINGS_KEY)
def lines_choice(workspace: Workspace) -> LinesChoice:
    """Which tier lines are saved as in force (scaled to the shop when nothing is saved) and the choices."""
    choice, has_custom = tier_lines.saved_choice(workspace)
    return LinesChoice(choice=choice, options=LINES if has_custom or choice == "custom" else LINES[:2])


def choose_lines(workspace: Workspace, choice: str) -> None:
    """Put "scaled", "playbook" or "custom" lines in force for every page; the owner's values stay saved."""
    tier_lines.choose(workspace, choice)


@reads_settings(rfm.SETTINGS_KEY, *data.ORDER_SETTINGS)
def tiers(workspace: Workspace, as_of: date, window_days: int | None = None, lines: str | None = None) -> TierView:
    """Each customer's tier and segment on `as_of` with the page's summaries, under the `lines` chosen
    (None: those saved as in force; scaled to the shop when nothing is saved)."""
    chosen = tier_lines.in_force(workspace, lines)
    thresholds, currency = chosen.thresholds, data.shop_currency(workspace)
    customers = rfm.customers(workspace, as_of, window_days, thresholds)
    first, _ = rfm.order_span(workspace)
    rules = tuple((tier, key, {**params, "amount": money(params["amount"], currency)} if "amount" in params else params)
                  for tier, key, params in rfm.tier_rules(thresholds))
    return TierView(
        as_of=as_of, window_days=window_days, customers=customers, shares=rfm.tier_shares(customers),
        segments=rfm.segment_summary(customers), thresholds=asdict(thresholds), rules=rules, currency=currency,
        lines=chosen.in_force, lines_note=tier_lines.explain(chosen, currency),
        money_texts=tier_lines.money_texts(thresholds, currency),
        vip_orders_per_year=None if first is None else playbook.vip_orders_per_year(customers, as_of, first, window_days),
        movement_from=_movement_from(first, as_of),
    )


def _movement_from(first: date | None, as_of: date) -> DateChoice | None:
    """Any day after the first order and before `as_of`; by default the lookback, if history goes back that far."""
    days = rfm.movement_from(first, as_of)
    return None if days is None else DateChoice(default=days[1], earliest=days[0], latest=days[2])


@reads_settings(rfm.SETTINGS_KEY, *data.ORDER_SETTINGS)
def tiers_at(workspace: Workspace, as_of: date) -> pd.DataFrame:
    """customer_id and tier on `as_of` (all history, the tier lines in force): for other pages that split by tier."""
    return rfm.customers(workspace, as_of=as_of)[["customer_id", "tier"]]


def save_thresholds(workspace: Workspace, values: dict) -> None:
    """Save the owner's tier lines (names as in rfm.Thresholds) and put them in force ("custom");
    lines that do not nest are refused (RfmError)."""
    rfm.save_thresholds(workspace, rfm.Thresholds(**values))


@reads_settings(rfm.SETTINGS_KEY, *data.ORDER_SETTINGS)
def movement(workspace: Workspace, before: date, after: date, window_days: int | None = None,
             lines: str | None = None) -> MovementView:
    """How customers moved between tiers from `before` to `after`, the same `lines` at both dates (as `tiers`):
    counts only, so quick (0.2 s for new days, 0.05 s for other lines, at 326k customers) that the page works it
    out while it draws."""
    moved = rfm.movement(workspace, before, after, window_days, tier_lines.in_force(workspace, lines).thresholds)
    changes = moved.customers["change"].value_counts(sort=False)
    return MovementView(summary=moved.summary, changes=changes[changes > 0].astype("int64").rename_axis("change").rename("customers"))


@reads_settings(*data.ORDER_SETTINGS)
def clusters(workspace: Workspace, as_of: date, window_days: int | None = None, k: int | None = None) -> ClusterView:
    """Customer groups by recency, frequency and spending; `k` None picks the best separated number.

    Groups use the raw numbers only, never the tier lines, so saving the lines does not regroup."""
    customers = rfm.customers(workspace, as_of, window_days, rfm.Thresholds())
    try:
        result = grouping.cluster(customers, k)
    except grouping.ClusterError as problem:
        return ClusterView(problem_key=problem.key, problem_params=problem.params)
    labels = pd.DataFrame({"customer_id": customers["customer_id"].to_numpy(), "cluster": result.labels.to_numpy()})
    return ClusterView(k=result.k, silhouette=dict(result.silhouette), clusters=result.clusters, labels=labels)


@reads_settings(*data.ORDER_SETTINGS)
def churn(workspace: Workspace, as_of: date) -> ChurnView:
    """The churn model trained up to `as_of`; of the settings it reads only whether price outliers leave
    customers' spend, so saving tier lines or the touch plan never retrains it."""
    try:
        model = churn_model.train(workspace, churn_model.HORIZON_DAYS, as_of=as_of)
    except churn_model.ChurnError as problem:
        return ChurnView(horizon_days=churn_model.HORIZON_DAYS, problem_key=problem.key, problem_params=problem.params)
    return ChurnView(
        horizon_days=model.horizon_days, cutoff=model.cutoff, auc=model.auc, baseline_auc=model.baseline_auc,
        count_holdout=model.count_holdout, lift=model.lift,
        # in customer_id order, as the tier view's customers: matched to them as they are (`_aligned`)
        scores=model.scores[["customer_id", "churn_risk"]].sort_values("customer_id", ignore_index=True),
    )


def keep_models(workspace: Workspace) -> None:
    """Work out and keep what the page computes in the background for its first view (the latest day, all
    history, the lines in force, groups chosen by silhouette), so a first visit shows it at once
    (`python -m core demo`)."""
    choice = as_of_choice(workspace)
    if choice is None:
        return
    view = tiers(workspace, choice.default, None, tier_lines.saved_choice(workspace)[0])
    jobs = [background.job_of(clusters, workspace, view.as_of, None, None), background.job_of(churn, workspace, view.as_of),
            background.job_of(cross_sell, workspace)]
    for job in jobs:
        job.result()


def churn_risk_of(tiers: TierView, churn: ChurnView) -> np.ndarray | None:
    """Each customer's churn risk, in the order of the tier view's customers (NaN: not scored, no order in the
    year before); None without a model. Worked out once per day, window and model: other tier lines reuse it."""
    if churn.scores is None:
        return None
    return _aligned(tiers.customers["customer_id"], churn.scores, "churn_risk").astype("float64")


def group_of(tiers: TierView, groups: ClusterView) -> np.ndarray | None:
    """Each customer's group, in the order of the tier view's customers; None without groups."""
    return None if groups.labels is None else _aligned(tiers.customers["customer_id"], groups.labels, "cluster")


def _aligned(customer_ids: pd.Series, table: pd.DataFrame, column: str) -> np.ndarray:
    """`table[column]` for each of `customer_ids` (NaN where the table has no row). Groups are made from the tier
    view's own customers and churn scores are kept in customer_id order, so the table mostly lists the same
    customers in the same order: then the column as it is (a comparison, 1 ms for 326k customers). Else Arrow's
    hash lookup: 0.05 s, where pandas' reindex or merge take 0.08-0.13 s."""
    if table.empty:
        return np.full(len(customer_ids), np.nan)
    wanted, given = (pa.array(ids, type=pa.string()) for ids in (customer_ids, table["customer_id"]))
    if _chunked(wanted).equals(_chunked(given)):
        return table[column].to_numpy()
    found = pc.index_in(wanted, value_set=given)
    picked = table[column].to_numpy()[found.fill_null(0).to_numpy()]
    missing = found.is_null().to_numpy(zero_copy_only=False)
    return np.where(missing, np.nan, picked.astype("float64")) if missing.any() else picked


def _chunked(array: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """Arrow hands a frame's column back in chunks or whole; compared as chunks, without a copy."""
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])


def at_risk(tiers: TierView, churn_risk: np.ndarray | None, top: int = churn_model.AT_RISK_TOP) -> pd.DataFrame:
    """The valuable customers still buying who are likeliest to leave (`churn_risk_of`); the Churned tier has
    already gone. Empty without a churn model."""
    customers = tiers.customers
    if churn_risk is None:
        return pd.DataFrame(columns=[*customers.columns, "churn_risk"])
    still_buying = (customers["tier"] != "Churned").to_numpy()
    rows = churn_model.rows_most_at_risk(customers["monetary"].to_numpy(dtype="float64"), churn_risk, top,
                                         among=still_buying)
    return customers.iloc[rows].assign(churn_risk=churn_risk[rows]).reset_index(drop=True)


def customer_list(tiers: TierView, group: np.ndarray | None, churn_risk: np.ndarray | None,
                  tier: str | None = None) -> CustomerList:
    """The customers of one tier (None: all) with their group and churn risk (`group_of`, `churn_risk_of`),
    ready to download."""
    columns = list(EXPORT_COLUMNS)
    listing = tiers.customers.assign(cluster=group)
    if churn_risk is not None:
        listing = listing.assign(churn_risk=churn_risk)
        columns.append("churn_risk")
    chosen = listing if tier is None else listing[listing["tier"] == tier]
    return CustomerList(rows=chosen[columns].reset_index(drop=True), file_name=f"customers-{(tier or 'all').lower()}.csv")


def contact_list(listing: CustomerList, customer_ids, name: str) -> CustomerList:
    """The part of a list to contact (a campaign's holdout left out), under its own file name."""
    keep = set(customer_ids)
    return CustomerList(rows=listing.rows[listing.rows["customer_id"].isin(keep)].reset_index(drop=True), file_name=name)


@dataclass(frozen=True)
class ContactList:
    listing: CustomerList  # the rows with e-mail, phone and consent where the workspace keeps contacts
    has_contacts: bool  # False: the workspace keeps no contact details, the list is as it was
    full: bool  # contact details in full (an explicit choice, logged on download) rather than masked
    left_out: int  # customers left out for not having given marketing consent


def keeps_contacts(workspace: Workspace) -> bool:
    """Whether the workspace keeps any contact details or consent: only then does a list offer them."""
    return data.keeps_contacts(workspace)


def with_contacts(workspace: Workspace, listing: CustomerList, full: bool = False, consented_only: bool = False) -> ContactList:
    """The list with the customers' contact details, masked unless `full` (docs/decisions/0009-personal-data.md);
    `consented_only` (touch lists) leaves out customers whose marketing consent is not recorded as given.
    Not cached on purpose: decrypted contacts never sit in a cache shared between sessions."""
    contacts = data.contacts(workspace, listing.rows["customer_id"])
    if contacts.empty:
        return ContactList(listing=listing, has_contacts=False, full=False, left_out=0)
    rows = customer_file.with_contacts(listing.rows, contacts, full=full, consented_only=consented_only)
    return ContactList(listing=CustomerList(rows=rows, file_name=listing.file_name), has_contacts=True, full=full,
                       left_out=len(listing.rows) - len(rows))


def log_full_export(workspace: Workspace, listing: CustomerList) -> None:
    """A list left with contact details in full: recorded (file, rows, who, when) in the personal-data audit."""
    data.log_full_export(workspace, listing.file_name, len(listing.rows))


def customer_file_rows(listing: CustomerList, lang: str = "en") -> pd.DataFrame:
    """The list as the downloaded file: translated headers and tiers, rounded numbers, a note where risk is blank."""
    return customer_file.customer_file(listing.rows, lang)


def cross_sell(workspace: Workspace, top: int = 3) -> products.CrossSell:
    """What the playbook's "cross-sell" to Potential customers should offer: the products most often bought
    together, from the Products page's rules (each pair once, the way shoppers follow it)."""
    return products.cross_sell(workspace, top)


@reads_settings(playbook.SETTINGS_KEY)
def touch_plan(workspace: Workspace, vip_orders_per_year: float | None = None) -> PlanView:
    """The saved touch plan (the playbook's by default), checked against the contact caps."""
    return check_plan([asdict(touch) for touch in playbook.load_plan(workspace)], vip_orders_per_year)


def check_plan(rows: list[dict], vip_orders_per_year: float | None = None) -> PlanView:
    """A plan as table rows (as the page's editor gives them), checked against the contact caps."""
    plan = playbook.from_rows(rows)
    return PlanView(touches=pd.DataFrame([asdict(touch) for touch in plan]),
                    warnings=tuple(playbook.cap_warnings(plan, vip_orders_per_year)))


def save_plan(workspace: Workspace, rows: list[dict]) -> None:
    playbook.save_plan(workspace, playbook.from_rows(rows))
