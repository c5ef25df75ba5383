"""The handbook's churn warning: which customers who still buy are likely to stop.

A model learns from the past with a time split: features from the orders before a cutoff, the
answer from the `horizon_days` after it. The cutoff sits one horizon before `as_of`, so every answer
used for learning has been fully observed; the fitted model then scores today's customers. The model
is only worth showing if it beats the simple rule "the longer since the last order, the likelier
gone", so that rule's score is reported beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.customers.rfm import order_span
from core.platform import queries
from core.platform.i18n import Message
from core.platform.workspace import Workspace

if TYPE_CHECKING:  # scikit-learn takes a second to load: only the training imports it
    from sklearn.ensemble import HistGradientBoostingClassifier

FEATURES = [
    "recency_days", "frequency", "monetary", "tenure_days", "avg_order_value",
    "orders_last_90d", "orders_last_180d", "revenue_last_90d", "days_between_orders",
]
MIN_CUSTOMERS = 200
MIN_PER_CLASS = 20
HOLDOUT_SHARE = 0.3
RANDOM_STATE = 0
HORIZON_DAYS = 90  # "gone" means no order in the 90 days after the cutoff
ACTIVE_DAYS = 365  # only customers who ordered in the year before the cutoff still have something to lose
AT_RISK_TOP = 50  # customers in the at-risk list: a morning of phone calls
VALUE_SHARE = 0.2  # the at-risk list looks at the most valuable fifth of customers


class ChurnError(Message):
    """Not enough history or customers to learn churn from."""


@dataclass
class ChurnModel:
    horizon_days: int
    as_of: date
    cutoff: date  # the training cutoff: as_of - horizon_days
    model: HistGradientBoostingClassifier = field(repr=False)
    auc: float  # holdout ROC AUC of the model
    baseline_auc: float  # holdout ROC AUC of recency_days alone
    lift: pd.DataFrame = field(repr=False)  # holdout customers by risk decile
    scores: pd.DataFrame = field(repr=False)  # one row per active customer at as_of
    count_train: int = 0
    count_holdout: int = 0
    churn_rate: float = 0.0  # share of labelled customers who did not buy in the horizon


def features(workspace: Workspace, cutoff: date, horizon_days: int = HORIZON_DAYS) -> pd.DataFrame:
    """Per customer active in the year before `cutoff`: features from earlier orders, and `churned`."""
    table = queries.frame(workspace, "customers/churn_features", cutoff=cutoff, horizon_days=int(horizon_days),
                          active_days=ACTIVE_DAYS)
    table[FEATURES] = table[FEATURES].astype(float)
    table["churned"] = table["churned"].astype(bool)
    return table


def train(workspace: Workspace, horizon_days: int = HORIZON_DAYS, as_of: date | None = None) -> ChurnModel:
    """Learn at as_of - horizon, check on held-out customers, then score everyone active at as_of."""
    first, last = order_span(workspace)
    if first is None:
        raise ChurnError("churn.error.no_orders")
    as_of = as_of or last + timedelta(days=1)
    history_days = (as_of - first).days
    if history_days < 2 * horizon_days:
        raise ChurnError("churn.error.too_short", days=history_days, needed=2 * horizon_days, horizon=horizon_days)
    cutoff = as_of - timedelta(days=horizon_days)
    labelled = features(workspace, cutoff, horizon_days)
    churned, stayed = int(labelled["churned"].sum()), int((~labelled["churned"]).sum())
    if len(labelled) < MIN_CUSTOMERS or min(churned, stayed) < MIN_PER_CLASS:
        raise ChurnError("churn.error.too_small", customers=len(labelled), churned=churned, stayed=stayed,
                         needed=MIN_CUSTOMERS, per_class=MIN_PER_CLASS)

    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    x, y = labelled[FEATURES].to_numpy(), labelled["churned"].to_numpy()
    x_train, x_hold, y_train, y_hold = train_test_split(
        x, y, test_size=HOLDOUT_SHARE, stratify=y, random_state=RANDOM_STATE)
    checked = new_model().fit(x_train, y_train)
    risk_hold = checked.predict_proba(x_hold)[:, 1]
    recency_hold = x_hold[:, FEATURES.index("recency_days")]

    # the shown model learns from every labelled customer; its quality is the held-out one above
    final = new_model().fit(x, y)
    current = features(workspace, as_of, horizon_days).drop(columns="churned")
    current["churn_risk"] = final.predict_proba(current[FEATURES].to_numpy())[:, 1] if len(current) else []
    return ChurnModel(
        horizon_days=horizon_days, as_of=as_of, cutoff=cutoff, model=final,
        auc=float(roc_auc_score(y_hold, risk_hold)), baseline_auc=float(roc_auc_score(y_hold, recency_hold)),
        lift=lift_table(y_hold, risk_hold, recency_hold),
        scores=current.sort_values("churn_risk", ascending=False, kind="stable").reset_index(drop=True),
        count_train=len(y_train), count_holdout=len(y_hold), churn_rate=float(y.mean()),
    )


def new_model() -> HistGradientBoostingClassifier:
    """Trees need no scaling and cope with the skewed order counts and amounts; shallow trees with
    sizeable leaves keep a few hundred customers from being learnt by heart. The histogram version bins each
    feature once: on the 262k labelled customers of a 1M-line shop it trains in 1.8 s where the classic
    gradient boosting took 20 s, at the same held-out AUC (0.865 against 0.863; demo 0.877 against 0.874)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=100, max_depth=2, learning_rate=0.05, min_samples_leaf=20,
                                          early_stopping=False, random_state=RANDOM_STATE)


def deciles(score: np.ndarray) -> np.ndarray:
    """1 = the tenth with the highest score; ties broken by position so the tenths stay equal."""
    order = pd.Series(score).rank(method="first", ascending=False)
    return pd.qcut(order, 10, labels=False).to_numpy() + 1


def lift_table(churned: np.ndarray, risk: np.ndarray, recency: np.ndarray) -> pd.DataFrame:
    """How much likelier churners are in each risk tenth than overall, for the model and for recency."""
    overall = churned.mean()
    rows = pd.DataFrame({"churned": churned.astype(float), "model": deciles(risk), "baseline": deciles(recency)})
    model = rows.groupby("model")["churned"].agg(customers="size", churned="sum", churn_rate="mean")
    baseline = rows.groupby("baseline")["churned"].agg(baseline_churn_rate="mean")
    table = model.join(baseline).rename_axis("decile").reset_index()
    table["churned"] = table["churned"].astype(int)
    table["lift"] = table["churn_rate"] / overall
    table["baseline_lift"] = table["baseline_churn_rate"] / overall
    table["cumulative_capture"] = table["churned"].cumsum() / max(int(churned.sum()), 1)
    return table[["decile", "customers", "churned", "churn_rate", "lift", "baseline_churn_rate",
                  "baseline_lift", "cumulative_capture"]]


def at_risk(model: ChurnModel, rfm_frame: pd.DataFrame | None = None, top: int = AT_RISK_TOP,
            value_share: float = VALUE_SHARE) -> pd.DataFrame:
    """The most valuable customers (top `value_share` by monetary) most likely to leave: whom to call first.

    `rfm_frame` needs customer_id and monetary; its other columns are kept. Without it, the
    spending in the model's own features is used.
    """
    value = model.scores[["customer_id", "recency_days", "frequency", "monetary"]] if rfm_frame is None else rfm_frame
    scores = model.scores[["customer_id", "churn_risk"]]
    if value.empty or scores.empty:
        return pd.DataFrame(columns=[*value.columns, "churn_risk"])
    return most_at_risk(value.merge(scores, on="customer_id", how="left"), top, value_share)


def most_at_risk(customers: pd.DataFrame, top: int = AT_RISK_TOP, value_share: float = VALUE_SHARE) -> pd.DataFrame:
    """Of customers with monetary and churn_risk (NaN: not scored), the top `value_share` by monetary, then the
    `top` likeliest to leave among those scored; ties by monetary, then the customers' order."""
    rows = rows_most_at_risk(customers["monetary"].to_numpy(dtype="float64"),
                             customers["churn_risk"].to_numpy(dtype="float64"), top, value_share)
    return customers.iloc[rows].reset_index(drop=True)


def rows_most_at_risk(monetary: np.ndarray, risk: np.ndarray, top: int = AT_RISK_TOP, value_share: float = VALUE_SHARE,
                      among: np.ndarray | None = None) -> np.ndarray:
    """`most_at_risk` as the rows' positions, from the columns' arrays, among the rows of the mask `among` (default
    all): a new day on Customer tiers asks it of every customer (326k at 1M lines), where filtered copies of the
    frame took 0.03 s."""
    looked_at = np.ones(len(monetary), dtype=bool) if among is None else among
    valued = monetary[looked_at]
    valued = valued[~np.isnan(valued)]  # as pandas' quantile, which leaves missing values out
    if not len(valued):
        return np.array([], dtype=np.intp)
    rows = np.flatnonzero(looked_at & (monetary >= np.quantile(valued, 1 - value_share)) & ~np.isnan(risk))
    order = np.lexsort((rows, -monetary[rows], -risk[rows]))  # risk, then monetary, descending; then row order
    return rows[order[:top]]
