"""Customer groups from RFM: who buys recently, often and a lot, found by k-means.

Recency, frequency and spending are skewed (a few customers buy a great deal), so each is taken as
log1p and standardised before clustering; otherwise the biggest spenders would be a group of their own.
Groups are numbered by spending, so group 0 is always the most valuable one, run after run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from core.platform.i18n import Message, translate

FEATURES = ["recency_days", "frequency", "monetary"]
MIN_CUSTOMERS = 10
SILHOUETTE_SAMPLE = 3000
# above this many customers the number of groups is chosen on a random sample of this many, and only the
# chosen number is fitted on everyone: choosing tried 5 numbers x 10 starts on all 326k customers of a
# 1M-line shop (about 20 s); a sample of 10k finds the same best-separated number in a fraction of that
CHOOSE_ON_SAMPLE = 10_000
FINAL_STARTS = 3  # k-means starts for the final fit on everyone (10 when everyone is the sample)
# below this many customers k-means runs on one thread: starting threads costs more than the work
SINGLE_THREAD_BELOW = 20_000
# a group's average standardised value beyond this is "high" or "low"
LEVEL_THRESHOLD = 0.5


class ClusterError(Message):
    """Too few customers to form the requested groups."""


@dataclass
class ClusterResult:
    k: int
    labels: pd.Series  # cluster per customer, same index and order as the input rows
    silhouette: dict[int, float]  # score per k tried, higher is better separated
    clusters: pd.DataFrame = field(repr=False)  # one row per cluster, 0 = highest median spending

    @property
    def silhouette_score(self) -> float:
        return self.silhouette[self.k]


def features(rfm: pd.DataFrame) -> np.ndarray:
    values = np.log1p(rfm[FEATURES].astype(float).clip(lower=0).to_numpy())
    from sklearn.preprocessing import StandardScaler  # scikit-learn loads in a second: only when grouping

    return StandardScaler().fit_transform(values)


def fit(x: np.ndarray, k: int, random_state: int, starts: int = 10) -> np.ndarray:
    from sklearn.cluster import KMeans

    model = KMeans(n_clusters=k, n_init=starts, random_state=random_state)
    if len(x) < SINGLE_THREAD_BELOW:
        with threadpool_limits(limits=1):
            return model.fit_predict(x)
    return model.fit_predict(x)


def score(x: np.ndarray, labels: np.ndarray, random_state: int) -> float:
    """Silhouette on a fixed sample, so choosing k stays quick on 100k customers."""
    if len(set(labels)) < 2:
        return float("nan")
    from sklearn.metrics import silhouette_score

    return float(silhouette_score(x, labels, sample_size=min(len(x), SILHOUETTE_SAMPLE), random_state=random_state))


def cluster(rfm: pd.DataFrame, k: int | None = None, k_range=range(2, 7), random_state: int = 0) -> ClusterResult:
    """Group customers (columns customer_id, recency_days, frequency, monetary; one row each).

    Without `k`, the number of groups with the best silhouette in `k_range` is used (chosen on a sample of
    CHOOSE_ON_SAMPLE customers when there are more; the silhouette reported is the sample's).
    """
    count = len(rfm)
    needed = max(MIN_CUSTOMERS, (k or 0) + 1)
    if count < needed:
        raise ClusterError("cluster.error.too_few", customers=count, needed=needed)
    x = features(rfm)
    candidates = [k] if k is not None else [n for n in k_range if 2 <= n < count]
    if not candidates:
        raise ClusterError("cluster.error.too_few", customers=count, needed=needed)
    sample = x
    if count > CHOOSE_ON_SAMPLE:
        sample = x[np.random.default_rng(random_state).choice(count, CHOOSE_ON_SAMPLE, replace=False)]
    fitted = {n: fit(sample, n, random_state) for n in candidates}
    silhouette = {n: score(sample, labels, random_state) for n, labels in fitted.items()}
    chosen = k if k is not None else max(candidates, key=lambda n: (np.nan_to_num(silhouette[n], nan=-2), -n))
    raw = fitted[chosen] if sample is x else fit(x, chosen, random_state, FINAL_STARTS)

    members = rfm[FEATURES].astype(float).assign(raw=raw)
    centres = members.groupby("raw")[FEATURES].median()
    sizes = members.groupby("raw").size()
    order = sorted(centres.index, key=lambda c: (-centres.loc[c, "monetary"], -sizes[c], c))
    renumber = {old: new for new, old in enumerate(order)}
    labels = pd.Series([renumber[c] for c in raw], index=rfm.index, name="cluster")

    standardised = pd.DataFrame(x, columns=FEATURES).assign(cluster=labels.to_numpy()).groupby("cluster").mean()
    rows = []
    for old in order:
        new = renumber[old]
        params = {
            "recency": recency_word(standardised.loc[new, "recency_days"]),
            "frequency": level_word(standardised.loc[new, "frequency"]),
            "monetary": level_word(standardised.loc[new, "monetary"]),
        }
        rows.append({"cluster": new, "customers": int(sizes[old]), "share": sizes[old] / count,
                     **centres.loc[old].to_dict(), "description_key": "cluster.describe", "description_params": params})
    return ClusterResult(k=chosen, labels=labels, silhouette=silhouette, clusters=pd.DataFrame(rows))


def level_word(value: float) -> str:
    if value > LEVEL_THRESHOLD:
        return "cluster.level.high"
    if value < -LEVEL_THRESHOLD:
        return "cluster.level.low"
    return "cluster.level.medium"


def recency_word(value: float) -> str:
    """Few days since the last order is good news, so recency gets its own words."""
    if value < -LEVEL_THRESHOLD:
        return "cluster.recency.recent"
    if value > LEVEL_THRESHOLD:
        return "cluster.recency.lapsed"
    return "cluster.recency.a_while"


def describe(row: pd.Series | dict, lang: str = "en") -> str:
    """A cluster's description in `lang`; its parameters are catalog keys themselves."""
    params = {name: translate(key, lang) for name, key in row["description_params"].items()}
    return translate(row["description_key"], lang, **params)
