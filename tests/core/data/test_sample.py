"""The demo-shop generator: determinism, file shapes, internal consistency and the stories it tells."""

from __future__ import annotations

import hashlib
import math
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from core.data import sample
from tests.conftest import ROOT

SAMPLE_DIR = ROOT / "sample_data"
SMALL = 6_000

HEADERS = {
    "orders": "order_id,customer_id,order_time,order_total,refunded_amount,status,sku,product_name,category,"
              "quantity,unit_price,line_discount,channel,device,region,currency",
    "traffic_daily": "date,channel,device,uv,bounce_rate,add_to_cart_rate,orders",
    "funnel_stages": "step,stage,users,segment",
    "marketing_spend": "month,channel,spend,attributed_revenue,clicks,orders,impressions",
    "experiments": "experiment,variant,date,users,conversions,revenue,revenue_sq,page,variable",
    "inventory": "sku,category,stock_on_hand,unit_cost,listed_date,lead_time_days",
    "health_inputs": "metric,value,period",
}
CHANNELS = {"search", "feed_ads", "social", "email", "test_channel"}
ORDER_LEVEL = ["customer_id", "order_time", "order_total", "refunded_amount", "status", "channel", "device",
               "region", "currency"]


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict[str, Path]:
    return sample.generate(tmp_path_factory.mktemp("small"), order_lines=SMALL)


@pytest.fixture(scope="module")
def default(tmp_path_factory) -> dict[str, Path]:
    return sample.generate(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="module")
def data(small) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(path) for name, path in small.items()}


def _two_proportion_p(c1, n1, c2, n2) -> float:
    pooled = (c1 + c2) / (n1 + n2)
    z = (c2 / n2 - c1 / n1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return float(2 * stats.norm.sf(abs(z)))


# -- determinism and files -------------------------------------------------------------------------------

def test_same_seed_same_bytes_other_seed_differs(small, tmp_path):
    again = sample.generate(tmp_path / "again", order_lines=SMALL)
    other = sample.generate(tmp_path / "other", order_lines=SMALL, seed=7)
    assert set(again) == set(small) == set(HEADERS)
    for name in HEADERS:
        assert again[name].read_bytes() == small[name].read_bytes(), name
    assert other["orders"].read_bytes() != small["orders"].read_bytes()
    assert other["traffic_daily"].read_bytes() != small["traffic_daily"].read_bytes()


def test_headers_and_encoding(small):
    for name, header in HEADERS.items():
        raw = small[name].read_bytes()
        raw.decode("utf-8")
        assert b"\r" not in raw
        assert raw.split(b"\n", 1)[0].decode() == header, name


def _committed() -> set[str]:
    tracked = subprocess.run(["git", "ls-files", "sample_data"], cwd=ROOT, capture_output=True, text=True, check=True)
    return {Path(line).name for line in tracked.stdout.splitlines()}


def test_committed_sample_data_is_fresh_default_output(default):
    generated = {sample.FILES[name] for name in sample.GENERATED_ON_FIRST_USE}
    committed = _committed()
    assert {name for name in committed if name.endswith(".csv")} == {p.name for p in default.values()} - generated
    for path in default.values():
        if path.name in generated:  # pinned by its checksum instead, so the demo is the same everywhere
            recorded = (SAMPLE_DIR / f"{path.name}.sha256").read_text().split()
            assert recorded == [hashlib.sha256(path.read_bytes()).hexdigest(), path.name]
        else:
            assert (SAMPLE_DIR / path.name).read_bytes() == path.read_bytes(), f"sample_data/{path.name} is stale"
    sizes = [(SAMPLE_DIR / name).stat().st_size for name in committed]
    assert max(sizes) < 5 * 1024 * 1024 and sum(sizes) < 10 * 1024 * 1024


def test_missing_files_are_written_and_present_ones_left_alone(default, tmp_path):
    for path in default.values():
        if path.name != "orders.csv":
            (tmp_path / path.name).write_bytes(b"kept as it was")
    sample.ensure_files(tmp_path)
    assert (tmp_path / "orders.csv").read_bytes() == default["orders"].read_bytes()
    assert (tmp_path / "traffic_daily.csv").read_bytes() == b"kept as it was"
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == sorted(p.name for p in default.values())
    assert not list(tmp_path.glob(".generating-*"))  # the scratch folder is gone


def test_sizes_and_row_counts(default):
    orders = pd.read_csv(default["orders"])
    assert len(orders) == 60_000
    assert 18_000 <= orders["customer_id"].nunique() <= 20_000
    per_order = len(orders) / orders["order_id"].nunique()
    assert 1.6 <= per_order <= 1.85
    assert len(pd.read_csv(default["traffic_daily"])) == 365 * 5 * 2
    assert len(pd.read_csv(default["marketing_spend"])) == 12 * 5
    assert len(pd.read_csv(default["funnel_stages"])) == 6 * 3
    assert len(pd.read_csv(default["inventory"])) == 300


# -- orders ----------------------------------------------------------------------------------------------

def test_orders_values(data):
    o = data["orders"]
    assert len(o) == SMALL
    assert not o.isna().any().any()
    assert o["order_id"].str.fullmatch(r"SO\d{6,}").all()
    assert o["customer_id"].str.fullmatch(r"C\d{5,}").all()
    assert o["order_time"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all()
    times = pd.to_datetime(o["order_time"])
    assert times.min() >= pd.Timestamp("2025-11-01") and times.max() < pd.Timestamp("2026-11-01")
    assert o["order_time"].is_monotonic_increasing
    assert set(o["channel"]) == CHANNELS
    assert set(o["device"]) == {"mobile", "desktop"}
    assert set(o["region"]) <= {"Guangdong", "Zhejiang", "Jiangsu", "Shanghai", "Beijing", "Sichuan"}
    assert set(o["status"]) == {"completed", "refunded", "cancelled"}
    assert set(o["currency"]) == {"CNY"}
    assert set(o["quantity"]) == {1, 2, 3}
    assert o["sku"].nunique() <= 300 and o["category"].nunique() == 6
    assert o.groupby("order_id").size().between(1, 4).all()
    normal = o["unit_price"][o["unit_price"] < 5_000]
    assert normal.min() >= 29 and normal.max() <= 2_000
    gross = o["quantity"] * o["unit_price"]
    share = o["line_discount"] / gross
    assert (share[o["line_discount"] > 0].between(0.049, 0.201)).all()
    assert 0.5 < (o["line_discount"] == 0).mean() < 0.95
    # one line per SKU within an order
    assert not o.duplicated(["order_id", "sku"]).any()


def test_order_totals_add_up(data):
    o = data["orders"]
    lines = (o["quantity"] * o["unit_price"] - o["line_discount"]).groupby(o["order_id"]).sum()
    totals = o.groupby("order_id")["order_total"].first()
    shipping = (totals - lines).round(2)
    assert set(shipping.unique()) <= {0.0, 10.0}


def test_order_level_fields_constant(data):
    o = data["orders"]
    assert (o.groupby("order_id")[ORDER_LEVEL].nunique() == 1).all().all()
    # lines of one order are contiguous
    assert o["order_id"].ne(o["order_id"].shift()).sum() == o["order_id"].nunique()


def test_status_and_refunds(data):
    orders = data["orders"].drop_duplicates("order_id")
    share = orders["status"].value_counts(normalize=True)
    assert 0.015 < share["cancelled"] < 0.05
    assert 0.025 < share["refunded"] < 0.06
    refunded = orders[orders["status"] == "refunded"]
    assert (refunded["refunded_amount"] > 0).all()
    assert (refunded["refunded_amount"] <= refunded["order_total"]).all()
    assert (refunded["refunded_amount"] < refunded["order_total"]).any()  # some partial
    assert (orders.loc[orders["status"] != "refunded", "refunded_amount"] == 0).all()


def test_exactly_three_price_outliers(data, default):
    for o in (data["orders"], pd.read_csv(default["orders"])):
        outliers = o[o["unit_price"] > 10 * o["unit_price"].mean()]
        assert len(outliers) == 3
        assert outliers.index.nunique() == 3


def test_customers_make_believable_rfm_tiers(data):
    orders = data["orders"].drop_duplicates("order_id").assign(t=lambda d: pd.to_datetime(d["order_time"]))
    c = orders.groupby("customer_id").agg(n=("order_id", "size"), spend=("order_total", "sum"), last=("t", "max"))
    recency = (pd.Timestamp("2026-11-01") - c["last"]).dt.days
    champions = (c["n"] >= 4) & (c["spend"] >= 2_000) & (recency <= 60)
    assert 0.02 < champions.mean() < 0.10
    assert 0.10 < c["n"].between(2, 3).mean() < 0.35
    assert (c["n"] == 1).mean() > 0.5
    assert 0.25 < (recency > 180).mean() < 0.6


def test_seasonality(data):
    times = pd.to_datetime(data["orders"].drop_duplicates("order_id")["order_time"])
    daily = times.dt.normalize().value_counts()
    assert daily.idxmax() == pd.Timestamp("2025-11-11")
    by_dow = times.dt.day_of_week.value_counts()
    assert by_dow[[5, 6]].mean() > by_dow[[0, 1, 2]].mean()


# -- traffic ---------------------------------------------------------------------------------------------

def test_traffic_shape(data):
    t = data["traffic_daily"]
    assert len(t) == 365 * 5 * 2
    assert not t.duplicated(["date", "channel", "device"]).any()
    assert t["date"].min() == "2025-11-01" and t["date"].max() == "2026-10-31"
    assert set(t["channel"]) == CHANNELS
    assert t["bounce_rate"].between(0, 1).all() and t["add_to_cart_rate"].between(0, 1).all()
    assert (t["uv"] > 0).all()
    days = pd.to_datetime(t["date"])
    by_dow = t.groupby(days.dt.day_of_week)["uv"].sum()
    assert by_dow[[5, 6]].min() > by_dow[[0, 1, 2, 3]].max()
    orders = data["orders"].drop_duplicates("order_id")
    assert t["orders"].sum() == len(orders)


def test_bounce_problem(data):
    t = data["traffic_daily"]
    daily = t.assign(b=t["uv"] * t["bounce_rate"]).groupby("date")[["b", "uv"]].sum()
    overall = daily["b"].sum() / daily["uv"].sum()
    last30 = daily["b"].iloc[-30:].sum() / daily["uv"].iloc[-30:].sum()
    before = daily["b"].iloc[:-61].sum() / daily["uv"].iloc[:-61].sum()
    assert 0.55 <= overall <= 0.60
    assert 0.53 <= before <= 0.58
    assert 0.66 <= last30 <= 0.72
    assert ((daily["b"] / daily["uv"]) > 0.70).sum() >= 3


def test_feed_ads_drop(data):
    t = data["traffic_daily"]
    feed = t[t["channel"] == "feed_ads"].groupby("date")["uv"].sum()
    trailing = feed.shift(1).rolling(14).median()
    ratio = feed / trailing
    drop_days = ["2026-10-12", "2026-10-13", "2026-10-14", "2026-10-15"]
    assert (ratio[drop_days] <= 0.8).all()
    assert 0.55 <= ratio[drop_days].mean() <= 0.75  # ~35% below usual
    assert ratio["2026-10-16"] > 0.9
    assert sorted(ratio.nsmallest(4).index) == drop_days  # the deepest dip of the year
    others = ratio.drop(drop_days).dropna()
    assert (others > 0.7).all()  # festival hangovers (after Double 11, Spring Festival, 618) are milder
    assert (others["2026-07-15":] > 0.8).all()


# -- funnel ----------------------------------------------------------------------------------------------

def test_funnel_story(data):
    f = data["funnel_stages"]
    assert list(f[f["segment"] == "all"].sort_values("step")["stage"]) == list(sample.STAGES)
    wide = f.pivot(index="step", columns="segment", values="users")
    assert (wide["mobile"] + wide["desktop"] == wide["all"]).all()
    loss = 1 - wide / wide.shift(1)
    all_loss = loss["all"].dropna()
    assert all_loss[6] > 0.40
    assert (all_loss.drop(6) >= 0.20).all() and (all_loss.drop(6) <= 0.40).all()
    assert list(all_loss[all_loss > 0.40].index) == [6]
    assert loss.loc[6, "mobile"] > loss.loc[6, "desktop"]


# -- marketing -------------------------------------------------------------------------------------------

def test_marketing_story(data):
    m = data["marketing_spend"]
    assert len(m) == 60 and not m.duplicated(["month", "channel"]).any()
    assert m["month"].min() == "2025-11-01" and m["month"].max() == "2026-10-01"
    assert (m["month"].str[-2:] == "01").all()
    roi = (m["attributed_revenue"] / m["spend"]).set_axis(pd.MultiIndex.from_frame(m[["month", "channel"]]))
    social = roi.xs("social", level="channel").sort_index()
    assert (social.iloc[-3:] < 1).all()
    assert (social.iloc[:-3] >= 1).all()
    spend_share = m.groupby("channel")["spend"].sum() / m["spend"].sum()
    assert spend_share["test_channel"] < 0.10
    assert spend_share["email"] == spend_share.min() or spend_share["email"] < 0.06
    by_channel = roi.groupby(level="channel").median()
    assert by_channel["email"] == by_channel.max()
    assert by_channel.drop("email").between(1.0, 5.0).all()
    for channel, g in m.groupby("channel"):
        assert g["spend"].max() / g["spend"].min() > 1.3, channel  # enough variation to fit a curve
        if channel != "social":
            b = np.polyfit(np.log(g["spend"]), np.log(g["attributed_revenue"]), 1)[0]
            assert 0.3 < b < 1.0, (channel, b)  # diminishing returns
    assert (m["orders"] <= m["clicks"]).all() and (m["clicks"] <= m["impressions"]).all()


# -- experiments -----------------------------------------------------------------------------------------

def _experiment_totals(e: pd.DataFrame, name: str) -> pd.DataFrame:
    return e[e["experiment"] == name].groupby("variant")[["users", "conversions", "revenue", "revenue_sq"]].sum()


def test_experiments_story(data):
    e = data["experiments"]
    assert set(e["experiment"]) == {"checkout_button_color", "product_page_video", "free_shipping_banner"}
    assert not e.duplicated(["experiment", "variant", "date"]).any()
    days = e.groupby("experiment")["date"].nunique()
    assert days.to_dict() == {"checkout_button_color": 21, "product_page_video": 14, "free_shipping_banner": 10}
    pages = e.groupby("experiment")[["page", "variable"]].first()
    assert pages.loc["checkout_button_color"].tolist() == ["checkout", "button color"]
    assert pages.loc["product_page_video"].tolist() == ["product_detail", "hero video"]
    assert pages.loc["free_shipping_banner"].tolist() == ["home", "banner"]

    button = _experiment_totals(e, "checkout_button_color")
    assert (button["users"] >= 30_000).all()
    a, b = button.loc["A"], button.loc["B"]
    assert b["conversions"] / b["users"] > a["conversions"] / a["users"]
    assert _two_proportion_p(a["conversions"], a["users"], b["conversions"], b["users"]) < 0.001

    video = _experiment_totals(e, "product_page_video")
    a, b = video.loc["A"], video.loc["B"]
    assert _two_proportion_p(a["conversions"], a["users"], b["conversions"], b["users"]) > 0.2

    banner = _experiment_totals(e, "free_shipping_banner")
    assert list(banner.index) == ["A", "B", "C"]
    for name in ("checkout_button_color", "product_page_video", "free_shipping_banner"):
        users = _experiment_totals(e, name)["users"]
        assert stats.chisquare(users).pvalue > 0.05, name  # no sample-ratio mismatch
    assert (e["conversions"] <= e["users"]).all()
    aov = e["revenue"].sum() / e["conversions"].sum()
    assert 300 < aov < 600


def _revenue_per_visitor(totals: pd.Series) -> tuple[float, float, int]:
    """Mean and standard deviation of revenue per visitor (non-converters spend 0) from the sums."""
    n = int(totals["users"])
    mean = totals["revenue"] / n
    return mean, math.sqrt((totals["revenue_sq"] - n * mean**2) / (n - 1)), n


def test_experiment_revenue_squares(data):
    e = data["experiments"]
    assert not e[["revenue", "revenue_sq"]].isna().any().any()
    none = e["conversions"] == 0
    assert (e.loc[none, ["revenue", "revenue_sq"]] == 0).all().all()
    bought = e[~none]
    # the sums describe the same order values: sum x^2 lies between (sum x)^2 / k and (sum x)^2
    assert (bought["revenue_sq"] >= bought["revenue"] ** 2 / bought["conversions"] * (1 - 1e-9)).all()
    assert (bought["revenue_sq"] <= bought["revenue"] ** 2 * (1 + 1e-9)).all()
    assert ((bought["revenue_sq"] < bought["revenue"] ** 2 * (1 - 1e-9)) | (bought["conversions"] == 1)).all()
    # order values spread around the shop's order value, not all equal
    within = (bought["revenue_sq"] - bought["revenue"] ** 2 / bought["conversions"]).sum() / bought["conversions"].sum()
    cv = math.sqrt(within) / (e["revenue"].sum() / e["conversions"].sum())
    assert 0.3 < cv < 1.2


def test_checkout_button_color_raises_revenue_per_visitor(data, default):
    for e in (data["experiments"], pd.read_csv(default["experiments"])):
        button = _experiment_totals(e, "checkout_button_color")
        mean_a, sd_a, n_a = _revenue_per_visitor(button.loc["A"])
        mean_b, sd_b, n_b = _revenue_per_visitor(button.loc["B"])
        assert mean_b > mean_a * 1.1
        welch = stats.ttest_ind_from_stats(mean_b, sd_b, n_b, mean_a, sd_a, n_a, equal_var=False)
        assert welch.pvalue < 0.01
        video = _experiment_totals(e, "product_page_video")
        mean_a, sd_a, n_a = _revenue_per_visitor(video.loc["A"])
        mean_b, sd_b, n_b = _revenue_per_visitor(video.loc["B"])
        assert stats.ttest_ind_from_stats(mean_b, sd_b, n_b, mean_a, sd_a, n_a, equal_var=False).pvalue > 0.05


# -- inventory and health --------------------------------------------------------------------------------

def test_dead_stock(data, default):
    for orders, inv in ((data["orders"], data["inventory"]),
                        (pd.read_csv(default["orders"]), pd.read_csv(default["inventory"]))):
        assert len(inv) == 300 and inv["sku"].is_unique and inv["category"].nunique() == 6
        assert set(orders["sku"]) <= set(inv["sku"])
        recent = set(orders.loc[orders["order_time"] >= "2026-08-03", "sku"])
        dead = inv[~inv["sku"].isin(recent) & (inv["stock_on_hand"] > 0)]
        assert len(dead) >= 30
        assert dead["stock_on_hand"].median() > inv["stock_on_hand"].median()
        assert (inv["listed_date"] <= "2026-10-31").all()


def _item(product_name: pd.Series) -> pd.Series:
    """The product without its variant: `Black Running Shoes` -> `Running Shoes`, `Face Serum Travel` -> `Face Serum`."""
    variants = {v for _, _, names, _ in sample.CATALOG for v in names}
    pattern = "|".join(sorted(variants, key=len, reverse=True))
    return product_name.str.replace(rf"^({pattern}) | ({pattern})$", "", regex=True)


def test_products_bought_together(data, default):
    for o in (data["orders"], pd.read_csv(default["orders"])):
        kept = o[o["status"] != "cancelled"].assign(item=lambda d: _item(d["product_name"]))
        n_orders = kept["order_id"].nunique()
        holds = kept.groupby(["order_id", "item"]).size().unstack(fill_value=0) > 0
        for anchor, partner in sample.BOUGHT_TOGETHER:
            with_anchor = holds[anchor]
            confidence = holds.loc[with_anchor, partner].mean()
            lift = confidence / (holds[partner].sum() / n_orders)
            # ~60% of multi-line anchor orders (about 70% of anchor orders) gain the partner
            assert confidence > 0.3 and lift > 3, (anchor, partner, confidence, lift)
    # outside the pairs nothing pulls like them: no other two products bought together in 30+ orders of the
    # default run reach a lift of 2 (brute force over every pair of the 60 products)
    counts = holds.astype(int)
    together = counts.T @ counts
    alone = np.diag(together)
    lift = together / np.outer(alone, alone) * n_orders
    pairs = {frozenset(p) for p in sample.BOUGHT_TOGETHER}
    others = [lift.loc[a, b] for a in lift.index for b in lift.columns
              if a < b and frozenset((a, b)) not in pairs and together.loc[a, b] >= 30]
    assert len(others) > 100 and max(others) < 2
    # the pairs follow the variant at SKU level: Black Running Shoes (SH001) with Black Socks 3-Pack (AC026)
    o = pd.read_csv(default["orders"])
    orders_with = o.groupby("sku")["order_id"].apply(set)
    assert len(orders_with["SH001"] & orders_with["AC026"]) > 0.25 * len(orders_with["SH001"])


def test_lead_times_and_a_replenishment_mix(default):
    orders = pd.read_csv(default["orders"])
    inv = pd.read_csv(default["inventory"]).set_index("sku")
    for category, (low, high) in sample.LEAD_TIMES.items():
        lead = inv.loc[inv["category"] == category, "lead_time_days"]
        assert lead.between(low, high).all() and lead.nunique() > 3, category
    assert inv["lead_time_days"].between(7, 45).all()
    kept = orders[(orders["status"] != "cancelled") & (orders["order_time"] >= "2026-08-03")]
    daily = kept.groupby("sku")["quantity"].sum().reindex(inv.index, fill_value=0) / 90
    selling = inv[daily > 0].assign(cover=lambda d: d["stock_on_hand"] / daily[d.index])
    # stock-out risk: less stock than the lead time's sales; overstock: beyond 120 days; most in between
    short = selling["cover"] < selling["lead_time_days"]
    over = selling["cover"] > 120
    assert short.sum() >= 10 and over.sum() >= 20
    assert (~short & ~over).sum() > len(selling) / 2


def test_unit_cost_margin(default):
    orders = pd.read_csv(default["orders"])
    inv = pd.read_csv(default["inventory"]).set_index("sku")
    price = orders.groupby("sku")["unit_price"].median()
    ratio = inv.loc[price.index, "unit_cost"] / price
    assert ratio.between(0.39, 0.61).all()


def test_health_inputs(data):
    h = data["health_inputs"].set_index("metric")
    assert set(h.index) == {"first_screen_load_seconds", "server_error_rate", "service_first_response_seconds"}
    assert set(h["period"]) == {"2026-10"}
    assert 0 < h.loc["server_error_rate", "value"] < 0.05
