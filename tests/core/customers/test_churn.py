"""The churn warning: features see only the past, labels are checkable by hand, and the model earns its place."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from core.customers import churn
from core.data import ingest
from core.platform.i18n import Message
from tests.conftest import write_csv

HEADER = "order_id,customer_id,order_time,order_total,status,sku,quantity,unit_price"
CUTOFF = date(2024, 5, 1)


def test_features_use_only_orders_before_the_cutoff(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", f"""
        {HEADER}
        A1,alice,2024-01-10 09:00:00,100,completed,s,1,100
        A2,alice,2024-03-01 09:00:00,200,completed,s,1,200
        A3,alice,2024-04-01 09:00:00,999,cancelled,s,1,999
        A4,alice,2024-05-01 00:00:00,5000,completed,s,1,5000
        A5,alice,2024-06-15 09:00:00,7000,completed,s,1,7000
        B1,bob,2024-04-20 12:00:00,80,completed,s,1,80
        B2,bob,2024-08-15 12:00:00,80,completed,s,1,80
        C1,carol,2023-01-01 12:00:00,50,completed,s,1,50
        C2,carol,2024-06-01 12:00:00,50,completed,s,1,50
        D1,dan,2024-05-10 12:00:00,60,completed,s,1,60
    """))
    table = churn.features(workspace, CUTOFF, horizon_days=90).set_index("customer_id")
    # carol last bought more than a year before the cutoff, dan only after it: neither is "active"
    assert sorted(table.index) == ["alice", "bob"]
    alice, bob = table.loc["alice"], table.loc["bob"]
    # the cancelled order and everything from the cutoff on (5000, 7000) stay out of alice's features
    assert alice["recency_days"] == (CUTOFF - date(2024, 3, 1)).days == 61
    assert alice["frequency"] == 2 and alice["monetary"] == 300 and alice["avg_order_value"] == 150
    assert alice["tenure_days"] == (CUTOFF - date(2024, 1, 10)).days
    assert alice["orders_last_90d"] == 1 and alice["orders_last_180d"] == 2 and alice["revenue_last_90d"] == 200
    assert alice["days_between_orders"] == alice["tenure_days"]
    assert bob["recency_days"] == 11 and bob["frequency"] == 1 and bob["monetary"] == 80
    # alice bought on the cutoff day itself, within the horizon; bob's next order came after it ended
    assert not alice["churned"] and bob["churned"]
    later = churn.features(workspace, CUTOFF, horizon_days=200).set_index("customer_id")
    assert later.loc["bob", "churned"] == False  # noqa: E712


def synthetic_orders(path, customers: int = 700, seed: int = 3):
    """Two years of a shop where some customers quit: the frequent and recent ones tend to stay."""
    rng = np.random.default_rng(seed)
    start = date(2023, 1, 1)
    lines, number = [HEADER], 0
    for customer in range(customers):
        first = rng.uniform(0, 500)
        gap = rng.lognormal(np.log(60), 0.6)
        quits = first + rng.exponential(400)
        day = first
        while day < min(quits, 729):
            number += 1
            moment = start + timedelta(days=float(day))
            amount = round(rng.lognormal(5, 0.5), 2)
            lines.append(f"O{number},c{customer},{moment:%Y-%m-%d %H:%M:%S},{amount},completed,s,1,{amount}")
            day += rng.exponential(gap)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def shop(workspace, tmp_path):
    ingest.load(workspace, synthetic_orders(tmp_path / "orders.csv"))
    return workspace


def test_the_model_beats_chance_and_holds_up_against_recency(shop):
    model = churn.train(shop, horizon_days=90)
    assert model.cutoff == model.as_of - timedelta(days=90)
    assert model.auc > 0.7
    assert model.auc >= model.baseline_auc - 0.05  # holdout of ~170: a little noise either way
    assert model.count_train + model.count_holdout >= 200
    lift = model.lift
    assert lift["decile"].tolist() == list(range(1, 11))
    assert lift["customers"].sum() == model.count_holdout
    assert lift["lift"].iloc[0] > 1 > lift["lift"].iloc[-1]
    assert lift["cumulative_capture"].iloc[-1] == pytest.approx(1)
    scores = model.scores
    assert scores["churn_risk"].between(0, 1).all() and scores["churn_risk"].is_monotonic_decreasing
    # today's scores use today's features: the latest orders count
    assert scores["recency_days"].min() < 5

    rfm = scores[["customer_id", "recency_days", "frequency", "monetary"]]
    top = churn.at_risk(model, rfm, top=10)
    assert len(top) == 10 and top["churn_risk"].is_monotonic_decreasing
    assert (top["monetary"] >= rfm["monetary"].quantile(0.8)).all()
    assert churn.at_risk(model, top=5)["customer_id"].tolist() == churn.at_risk(model, rfm, top=5)["customer_id"].tolist()


def test_too_short_a_history_is_said_plainly(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", f"""
        {HEADER}
        O1,a,2024-01-01 10:00:00,10,completed,s,1,10
        O2,b,2024-04-01 10:00:00,10,completed,s,1,10
    """))
    with pytest.raises(churn.ChurnError) as raised:
        churn.train(workspace, horizon_days=90)
    assert isinstance(raised.value, Message) and raised.value.key == "churn.error.too_short"
    assert raised.value.params == {"days": 92, "needed": 180, "horizon": 90}


def test_too_few_customers_is_said_plainly(workspace, tmp_path):
    ingest.load(workspace, synthetic_orders(tmp_path / "orders.csv", customers=60))
    with pytest.raises(churn.ChurnError) as raised:
        churn.train(workspace, horizon_days=90)
    assert raised.value.key == "churn.error.too_small" and raised.value.params["customers"] < 200
    assert "200" in str(raised.value)


def test_the_rows_most_at_risk_are_those_pandas_filters_and_sorts_to():
    """Reference: pandas' quantile, masks and stable sort on the columns, as the list used to be built.
    Edge: coarse risks and spending, so ties decide the order, and unscored and unvalued customers."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"monetary": rng.integers(0, 40, 5_000) * 25.0, "churn_risk": rng.integers(0, 10, 5_000) / 10})
    frame.loc[frame.index % 11 == 0, "churn_risk"] = np.nan
    frame.loc[frame.index % 13 == 0, "monetary"] = np.nan
    among = rng.random(5_000) < 0.7
    looked_at = frame[among]
    high = looked_at[looked_at["monetary"] >= looked_at["monetary"].quantile(0.8)]
    expected = high[high["churn_risk"].notna()].sort_values(["churn_risk", "monetary"], ascending=False, kind="stable")
    rows = churn.rows_most_at_risk(frame["monetary"].to_numpy(), frame["churn_risk"].to_numpy(), 60, 0.2, among)
    assert rows.tolist() == expected.index[:60].tolist()
    everyone = churn.most_at_risk(frame, top=25)
    high = frame[frame["monetary"] >= frame["monetary"].quantile(0.8)]
    assert everyone.equals(high[high["churn_risk"].notna()].sort_values(["churn_risk", "monetary"], ascending=False,
                                                                       kind="stable").head(25).reset_index(drop=True))
