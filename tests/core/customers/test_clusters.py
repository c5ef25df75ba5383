"""Customer groups from RFM: stable numbering, k by silhouette, an owner's override, plain descriptions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.customers import clusters
from core.platform.i18n import Message

# (recency days, orders, spending, customers): regulars, occasional buyers, one-off lapsed buyers
GROUPS = [(5, 20, 20_000, 100), (60, 5, 2_000, 200), (300, 1, 100, 300)]


def blobs(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for recency, frequency, monetary, size in GROUPS:
        noise = lambda size=size: np.exp(rng.normal(0, 0.1, size))  # noqa: E731
        parts.append(pd.DataFrame({"recency_days": recency * noise(), "frequency": np.maximum(1, np.round(frequency * noise())),
                                   "monetary": monetary * noise()}))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sample(frac=1, random_state=seed)  # shuffled, with a non-trivial index
    frame.insert(0, "customer_id", [f"c{i}" for i in frame.index])
    return frame


def test_k_is_chosen_by_silhouette_and_groups_are_recovered():
    rfm = blobs()
    result = clusters.cluster(rfm)
    assert result.k == 3
    assert set(result.silhouette) == {2, 3, 4, 5, 6}
    assert result.silhouette_score == max(result.silhouette.values()) > 0.7
    # numbered by spending: 0 is the regulars
    assert result.clusters["customers"].tolist() == [100, 200, 300]
    assert result.clusters["share"].tolist() == pytest.approx([1 / 6, 2 / 6, 3 / 6])
    assert result.clusters["monetary"].round(-3).tolist() == [20_000, 2_000, 0]
    assert result.clusters.loc[2, "recency_days"] == pytest.approx(300, rel=0.1)
    # labels line up with the input rows: every customer lands in its own group
    truth = pd.Series(np.repeat([0, 1, 2], [100, 200, 300])).loc[rfm.index]
    assert (result.labels.index == rfm.index).all()
    assert (result.labels.to_numpy() == truth.to_numpy()).all()


def test_the_same_data_gives_the_same_labels():
    rfm = blobs(seed=7)
    first, second = clusters.cluster(rfm, random_state=3), clusters.cluster(rfm, random_state=3)
    assert first.labels.equals(second.labels) and first.k == second.k
    assert first.clusters.drop(columns="description_params").equals(second.clusters.drop(columns="description_params"))


def test_the_owner_can_choose_k():
    result = clusters.cluster(blobs(), k=2)
    assert result.k == 2 and list(result.silhouette) == [2]
    assert sorted(result.labels.unique()) == [0, 1]
    assert result.clusters["customers"].sum() == 600
    assert result.clusters["monetary"].is_monotonic_decreasing


def test_descriptions_name_each_group_in_words():
    table = clusters.cluster(blobs()).clusters
    best, worst = table.iloc[0], table.iloc[2]
    assert best["description_key"] == "cluster.describe"
    assert best["description_params"] == {"recency": "cluster.recency.recent", "frequency": "cluster.level.high",
                                          "monetary": "cluster.level.high"}
    assert worst["description_params"] == {"recency": "cluster.recency.lapsed", "frequency": "cluster.level.low",
                                           "monetary": "cluster.level.low"}
    assert clusters.describe(best) == "Last order: recent; orders: high; spending: high"
    assert "高" in clusters.describe(best, "zh")


@pytest.mark.parametrize(("rows", "k"), [(9, None), (12, 12)])
def test_too_few_customers_is_said_plainly(rows, k):
    with pytest.raises(clusters.ClusterError) as raised:
        clusters.cluster(blobs().head(rows), k=k)
    assert isinstance(raised.value, Message) and raised.value.key == "cluster.error.too_few"
    assert raised.value.params["customers"] == rows
    assert str(rows) in str(raised.value)


def test_a_big_shop_chooses_k_on_a_sample_and_fits_everyone_once(monkeypatch):
    monkeypatch.setattr(clusters, "CHOOSE_ON_SAMPLE", 300)  # 600 customers: twice the sample
    sizes = []
    real_fit = clusters.fit
    monkeypatch.setattr(clusters, "fit", lambda x, k, seed, starts=10: sizes.append((len(x), k)) or real_fit(x, k, seed, starts))
    result = clusters.cluster(blobs())
    # five numbers tried on the sample of 300, then only the chosen 3 on all 600
    assert sizes == [(300, 2), (300, 3), (300, 4), (300, 5), (300, 6), (600, 3)]
    assert result.k == 3
    # edge: the groups are still the blobs, counted over everyone, not the sample
    assert result.clusters["customers"].tolist() == [100, 200, 300]
