"""The deterministic demo shop: a Chinese-style online shop selling in CNY, 2025-11-01 .. 2026-10-31.

`generate(out_dir)` writes seven CSVs (orders, traffic, funnel, marketing, experiments, inventory and
health inputs) that carry a few stories for the dashboard to find:

* a detail-page bounce problem: uv-weighted bounce climbs from ~0.55 to ~0.69 over the last two months;
* a traffic drop: `feed_ads` visitors fall ~38% for four days, 2026-10-12 .. 2026-10-15;
* checkout -> payment loses ~55% of users (mobile worse than desktop), every other step 20-40%;
* `social` returns less than it costs in Aug, Sep and Oct 2026 after paying back earlier;
* `checkout_button_color` has a clear B win (conversion and revenue per visitor), `product_page_video` is
  inconclusive;
* 36 SKUs stop selling months before the end of the year but still hold stock (dead stock);
* products bought together: in a multi-line order holding an anchor product (Running Shoes, Face Serum,
  Backpack, Ceramic Mug, Down Jacket, Jeans) another line is, in ~60% of such orders, its partner in the
  same variant (Socks 3-Pack, Moisturizer, Laptop Sleeve, Scented Candle, Wool Beanie, Leather Belt);
* stock and lead times (7-45 days, by category) that put SKUs in every replenishment state: most hold
  20-75 days of recent sales (those with a long lead time already due to reorder), 12% of the selling SKUs
  hold 120-240 days (overstock, besides the dead stock), ten are down to a few days and six sold out;
* exactly three order lines carry a unit price mistyped 100x (29900 instead of 299).

Everything is drawn from `numpy.random.default_rng`, one independent stream per file (and one each for
the bought-together pairs and the lead times, so adding them moved no other draw: only what follows from
the swapped lines, their prices, order totals and refunds, changed), so the same seed
gives byte-identical files and the smaller files do not change with `order_lines`. All work on order
lines is vectorised: a million lines take a few seconds.
"""

from __future__ import annotations

import math
import pathlib
import tempfile
import zlib

import numpy as np
import pandas as pd

START = np.datetime64("2025-11-01", "D")
N_DAYS = 365  # 2025-11-01 .. 2026-10-31
AS_OF = START + N_DAYS  # 2026-11-01, the day the demo is "looked at"
CURRENCY = "CNY"

CHANNELS = ("search", "feed_ads", "social", "email", "test_channel")
DEVICES = ("mobile", "desktop")
REGIONS = ("Guangdong", "Zhejiang", "Jiangsu", "Shanghai", "Beijing", "Sichuan")
REGION_WEIGHTS = (0.25, 0.18, 0.17, 0.15, 0.14, 0.11)
STAGES = ("home", "category", "product_detail", "add_to_cart", "checkout", "payment")

ORDER_COLUMNS = [
    "order_id", "customer_id", "order_time", "order_total", "refunded_amount", "status", "sku",
    "product_name", "category", "quantity", "unit_price", "line_discount", "channel", "device",
    "region", "currency",
]
TRAFFIC_COLUMNS = ["date", "channel", "device", "uv", "bounce_rate", "add_to_cart_rate", "orders"]
FUNNEL_COLUMNS = ["step", "stage", "users", "segment"]
MARKETING_COLUMNS = ["month", "channel", "spend", "attributed_revenue", "clicks", "orders", "impressions"]
EXPERIMENT_COLUMNS = ["experiment", "variant", "date", "users", "conversions", "revenue", "revenue_sq", "page",
                      "variable"]
INVENTORY_COLUMNS = ["sku", "category", "stock_on_hand", "unit_cost", "listed_date", "lead_time_days"]
HEALTH_COLUMNS = ["metric", "value", "period"]

FILES = {
    "orders": "orders.csv",
    "traffic_daily": "traffic_daily.csv",
    "funnel_stages": "funnel_stages.csv",
    "marketing_spend": "marketing_spend.csv",
    "experiments": "experiments.csv",
    "inventory": "inventory.csv",
    "health_inputs": "health_inputs.csv",
}

# Story dates as day offsets from START.
DOUBLE_11 = 10  # 2025-11-11
DOUBLE_12 = 41  # 2025-12-12
SPRING_FESTIVAL = 108  # 2026-02-17
JUNE_1, JUNE_18 = 212, 229  # the 618 festival
BOUNCE_RAMP_START = 304  # 2026-09-01: bounce starts climbing
BOUNCE_SPIKES = (352, 357, 362)  # 2026-10-19, 10-24, 10-29: worst single days
FEED_DROP = np.arange(345, 349)  # 2026-10-12 .. 2026-10-15
MAX_PRICE = 1899  # well under 10x the mean line price (~220), so only the typos look like outliers
DEAD_SKUS_PER_CATEGORY = 6  # 36 SKUs that stop selling by early July 2026
NEW_SKUS_PER_CATEGORY = 4  # 24 SKUs listed during the year

# category, SKU prefix, colour/variant names, (product, base price in CNY)
CATALOG = (
    ("Apparel", "AP", ("Black", "White", "Navy", "Beige", "Grey"), (
        ("T-Shirt", 79), ("Hoodie", 199), ("Linen Shirt", 159), ("Down Jacket", 899), ("Knit Sweater", 259),
        ("Jeans", 229), ("Pleated Skirt", 169), ("Trench Coat", 699), ("Polo Shirt", 129), ("Cargo Pants", 189))),
    ("Shoes", "SH", ("Black", "White", "Grey", "Tan", "Olive"), (
        ("Running Shoes", 499), ("Canvas Sneakers", 229), ("Leather Loafers", 599), ("Ankle Boots", 699),
        ("Slides", 79), ("Hiking Boots", 799), ("Court Sneakers", 399), ("Sandals", 159), ("Trail Runners", 649),
        ("Slip-ons", 199))),
    ("Bags", "BG", ("Black", "Brown", "Navy", "Camel", "Green"), (
        ("Leather Tote", 1299), ("Canvas Tote", 99), ("Backpack", 329), ("Crossbody Bag", 459),
        ("Laptop Sleeve", 149), ("Duffel Bag", 399), ("Belt Bag", 189), ("Leather Briefcase", 1599),
        ("Wallet", 199), ("Card Holder", 89))),
    ("Accessories", "AC", ("Black", "White", "Red", "Blue", "Green"), (
        ("Silk Scarf", 259), ("Baseball Cap", 79), ("Leather Belt", 169), ("Sunglasses", 299), ("Wool Beanie", 69),
        ("Socks 3-Pack", 39), ("Watch Strap", 129), ("Hair Clip Set", 29), ("Umbrella", 89), ("Earrings", 199))),
    ("Home", "HM", ("White", "Grey", "Sage", "Blush", "Sand"), (
        ("Towel Set", 129), ("Ceramic Mug", 49), ("Scented Candle", 89), ("Linen Bedding Set", 599),
        ("Throw Blanket", 259), ("Table Lamp", 329), ("Storage Basket", 79), ("Glass Vase", 119),
        ("Cushion Cover", 59), ("Silk Duvet", 899))),
    ("Beauty", "BT", ("Classic", "Travel", "Sensitive", "Night", "Gift Set"), (
        ("Face Serum", 329), ("Moisturizer", 219), ("Sunscreen SPF50", 139), ("Lipstick", 169), ("Cleanser", 99),
        ("Sheet Masks", 89), ("Eye Cream", 289), ("Perfume", 599), ("Hair Oil", 129), ("LED Beauty Device", 1399))),
)

# Products bought together (anchor, partner): in a multi-line order holding the anchor, another line becomes
# the partner, same variant index, with PAIR_CHANCE; the line count and every other draw stay as they were.
BOUGHT_TOGETHER = (
    ("Running Shoes", "Socks 3-Pack"), ("Face Serum", "Moisturizer"), ("Backpack", "Laptop Sleeve"),
    ("Ceramic Mug", "Scented Candle"), ("Down Jacket", "Wool Beanie"), ("Jeans", "Leather Belt"),
)
PAIR_CHANCE = 0.6

# Supplier lead times in days (low, high), by category: accessories come from nearby, beauty is imported.
LEAD_TIMES = {"Apparel": (14, 30), "Shoes": (20, 35), "Bags": (20, 40), "Accessories": (7, 21), "Home": (10, 30),
              "Beauty": (25, 45)}
OVERSTOCKED_SHARE = 0.12  # live SKUs holding 120-240 days of sales
LOW_STOCK_SKUS = 10  # live SKUs down to a few days of sales

# Per-channel behaviour: order share, visit->order conversion, bounce base, ad economics.
ORDER_SHARE = np.array([0.36, 0.26, 0.17, 0.14, 0.07])
ORDER_SHARE_VIP = np.array([0.30, 0.17, 0.13, 0.36, 0.04])  # loyal buyers come back through email
TRAFFIC_CVR = np.array([0.032, 0.018, 0.014, 0.050, 0.020])
DEVICE_CVR = np.array([0.90, 1.25])
BOUNCE_BASE = np.array([0.50, 0.62, 0.60, 0.42, 0.66])
BOUNCE_DEVICE = np.array([0.03, -0.07])
BASE_SPEND = np.array([90_000.0, 70_000.0, 45_000.0, 8_000.0, 9_000.0])  # monthly, at 60,000 lines
TARGET_ROI = np.array([3.4, 2.6, 1.7, 6.0, 1.3])  # at base spend
RESPONSE_B = np.array([0.70, 0.65, 0.60, 0.55, 0.50])  # revenue ~ a * spend ** b
CPC = np.array([2.6, 1.3, 0.9, 0.12, 2.0])
CTR = np.array([0.040, 0.012, 0.015, 0.180, 0.010])

# Funnel step rates (share of the previous stage that reaches this one), mobile and desktop.
FUNNEL_RATES = {
    "mobile": (0.70, 0.66, 0.64, 0.68, 0.41),
    "desktop": (0.74, 0.70, 0.68, 0.74, 0.56),
}


def _stream(seed: int, name: str) -> np.random.Generator:
    """An independent generator per file, so files do not shift when another file's size changes."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("ascii"))])


def _day_of_week(days: np.ndarray) -> np.ndarray:
    """Monday = 0 for day offsets from START (1970-01-01, day 0, was a Thursday)."""
    return ((START + days).astype("int64") + 3) % 7


def _day_weights() -> np.ndarray:
    """Relative order volume per day: weekly pattern, Double 11 peak, Double 12, Spring Festival dip, 618."""
    days = np.arange(N_DAYS)
    weekly = np.array([0.94, 0.93, 0.95, 0.97, 1.03, 1.10, 1.08])
    w = weekly[_day_of_week(days)] * (1.0 + 0.10 * days / (N_DAYS - 1))
    w[:DOUBLE_11] *= np.linspace(1.05, 1.3, DOUBLE_11)  # presale
    w[DOUBLE_11] *= 4.0
    w[DOUBLE_11 + 1] *= 1.4
    w[DOUBLE_12] *= 1.6
    w *= 1.0 - 0.2 * np.exp(-0.5 * ((days - SPRING_FESTIVAL) / 5.0) ** 2)  # couriers go home
    w[JUNE_1:JUNE_18] *= 1.15
    w[JUNE_18] *= 2.0
    return w


HOUR_WEIGHTS = np.array([0.60, 0.35, 0.20, 0.12, 0.10, 0.12, 0.25, 0.50, 0.80, 1.00, 1.15, 1.20,
                         1.10, 1.00, 1.00, 1.05, 1.05, 1.00, 1.00, 1.15, 1.35, 1.50, 1.40, 1.00])


def _pick(rng: np.random.Generator, cdf: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn from a normalised cumulative distribution."""
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(cdf) - 1)


def _pick_rows(rng: np.random.Generator, cdfs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One draw per element of `rows`, each from its own row of cumulative distributions `cdfs`."""
    u = rng.random(len(rows))
    return np.minimum((u[:, None] >= cdfs[rows]).sum(axis=1), cdfs.shape[1] - 1)


def _round_price(price: np.ndarray) -> np.ndarray:
    """Shop prices end in 9: 29, 129, 1299."""
    step = np.where(price >= 1000, 100, 10)
    return np.maximum(29, np.round(price / step) * step - 1).astype(np.int64)


def _catalog(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for category, prefix, variants, products in CATALOG:
        for p, (product, base) in enumerate(products):
            for v, variant in enumerate(variants):
                rows.append((f"{prefix}{p * 5 + v + 1:03d}", f"{variant} {product}" if category != "Beauty"
                             else f"{product} {variant}", category, product, base, p, v))
    cat = pd.DataFrame(rows, columns=["sku", "product_name", "category", "item", "base", "product", "variant"])
    n = len(cat)
    price = cat["base"].to_numpy() * rng.uniform(0.88, 1.12, n)
    beauty = cat["category"].eq("Beauty").to_numpy()
    variant = cat["variant"].to_numpy()
    price[beauty & (variant == 1)] *= 0.55  # travel size
    price[beauty & (variant == 4)] *= 1.45  # gift set
    cat["unit_price"] = np.minimum(_round_price(price), MAX_PRICE)
    # Cheap things sell more; within a product the first colours are the popular ones.
    pop = rng.lognormal(0.0, 0.7, n) * cat["unit_price"].to_numpy() ** -0.45 * (1.0 / (1 + 0.35 * variant))
    cat["popularity"] = pop
    cat["sell_start"] = 0
    cat["sell_end"] = N_DAYS - 1
    cat["dead"] = False
    cat["new"] = False
    for category, *_ in CATALOG:
        idx = np.flatnonzero(cat["category"].to_numpy() == category)
        chosen = rng.permutation(idx)
        dead = np.sort(chosen[:DEAD_SKUS_PER_CATEGORY])
        new = np.sort(chosen[DEAD_SKUS_PER_CATEGORY:DEAD_SKUS_PER_CATEGORY + NEW_SKUS_PER_CATEGORY])
        cat.loc[dead, "dead"] = True
        cat.loc[dead, "sell_end"] = rng.integers(120, 246, len(dead))  # last sale before 2026-07-04
        cat.loc[dead, "popularity"] *= 0.6
        cat.loc[new, "new"] = True
        cat.loc[new, "sell_start"] = rng.integers(20, 300, len(new))
    return cat.drop(columns=["base", "product"])


def _lines_per_order(rng: np.random.Generator, n_orders: int, n_lines: int) -> np.ndarray:
    """1-4 lines per order (mean ~1.75), nudged so the total is exactly n_lines."""
    lines = _pick(rng, np.cumsum([0.47, 0.33, 0.14, 0.06]), n_orders) + 1
    diff = n_lines - int(lines.sum())
    while diff:
        eligible = np.flatnonzero(lines < 4) if diff > 0 else np.flatnonzero(lines > 1)
        k = min(abs(diff), len(eligible))
        if k == 0:
            raise ValueError("cannot spread order lines over orders")
        lines[rng.choice(eligible, k, replace=False)] += 1 if diff > 0 else -1
        diff = n_lines - int(lines.sum())
    return lines


def _bought_together(rng: np.random.Generator, sku: np.ndarray, oi: np.ndarray, lday: np.ndarray,
                     cat: pd.DataFrame) -> None:
    """Turn, in place, one other line of a multi-line order holding an anchor into the anchor's partner
    (same variant index, or the partner's most popular always-listed variant when that one is not on
    sale that day). Anchors and partners already in the order are never replaced, an order that holds
    the partner already is left alone, so every order still has one line per SKU."""
    n_orders = int(oi[-1]) + 1 if len(oi) else 0
    size = np.bincount(oi, minlength=n_orders)
    items, variant = cat["item"].to_numpy(), cat["variant"].to_numpy()
    start, end = cat["sell_start"].to_numpy(), cat["sell_end"].to_numpy()
    steady = ~(cat["dead"].to_numpy() | cat["new"].to_numpy())
    pop = cat["popularity"].to_numpy()
    locked = np.isin(items[sku], [name for pair in BOUGHT_TOGETHER for name in pair])
    for anchor, partner in BOUGHT_TOGETHER:
        partners = np.flatnonzero(items == partner)  # its SKUs, in variant order
        fallback = partners[steady[partners]]
        is_anchor, is_partner = items[sku] == anchor, items[sku] == partner
        holds_partner = np.zeros(n_orders, dtype=bool)
        holds_partner[oi[is_partner]] = True
        first_anchor = np.flatnonzero(is_anchor)
        first_anchor = first_anchor[np.unique(oi[first_anchor], return_index=True)[1]]  # one anchor line per order
        chance = rng.random(len(first_anchor))  # one draw per anchor order, used or not: stable draws
        orders = oi[first_anchor]
        paired = (size[orders] > 1) & ~holds_partner[orders] & (chance < PAIR_CHANCE)
        wanted = np.zeros(n_orders, dtype=np.int64) - 1
        wanted[orders[paired]] = partners[variant[sku[first_anchor[paired]]]]
        # the line to replace: a random unlocked line of each chosen order
        free = np.flatnonzero((wanted[oi] >= 0) & ~locked)
        key = rng.random(len(free))
        free = free[np.lexsort((key, oi[free]))]
        target = free[np.r_[True, oi[free][1:] != oi[free][:-1]]] if len(free) else free
        new = wanted[oi[target]]
        off = (lday[target] < start[new]) | (lday[target] > end[new])
        if len(fallback):
            new[off] = fallback[np.argmax(pop[fallback])]
        else:
            target, new = target[~off], new[~off]
        sku[target] = new
        locked[target] = True


def _orders(rng: np.random.Generator, n_lines: int, cat: pd.DataFrame,
            pair_rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    # -- customers: 0 = frequent high spender, 1 = lapsed loyal, 2 = two/three-timer, 3 = one-time buyer
    n_cust = max(1, n_lines // 3)
    seg = _pick(rng, np.cumsum([0.05, 0.02, 0.22, 0.71]), n_cust)
    n_ord = np.ones(n_cust, dtype=np.int64)
    lo = np.zeros(n_cust, dtype=np.int64)
    hi = np.full(n_cust, N_DAYS - 1, dtype=np.int64)
    vip, lapsed, repeat = seg == 0, seg == 1, seg == 2
    n_ord[vip] = 4 + rng.poisson(3.0, vip.sum())
    lo[vip] = rng.integers(0, 200, vip.sum())
    n_ord[lapsed] = 4 + rng.integers(0, 3, lapsed.sum())
    hi[lapsed] = rng.integers(110, 180, lapsed.sum())  # gone since before May 2026
    n_ord[repeat] = 2 + (rng.random(repeat.sum()) < 0.4)
    churned = repeat & (rng.random(n_cust) < 0.45)
    hi[churned] = rng.integers(60, 180, churned.sum())
    active = repeat & ~churned
    lo[active] = rng.integers(0, 250, active.sum())
    region = _pick(rng, np.cumsum(REGION_WEIGHTS), n_cust)
    pref_device = (rng.random(n_cust) >= 0.74).astype(np.int64)  # 0 mobile, 1 desktop

    # -- orders
    cust = np.repeat(np.arange(n_cust), n_ord)
    if len(cust) > n_lines:  # only for tiny order_lines: keep as many orders as there are lines
        cust = cust[np.sort(rng.choice(len(cust), n_lines, replace=False))]
    n_orders = len(cust)
    olo, ohi = lo[cust].copy(), hi[cust].copy()
    first = np.r_[True, cust[1:] != cust[:-1]]
    recent = first & (seg[cust] == 0)  # frequent buyers were all here in the last 45 days
    olo[recent], ohi[recent] = N_DAYS - 45, N_DAYS - 1
    cdf0 = np.r_[0.0, np.cumsum(_day_weights())]
    cdf0 /= cdf0[-1]
    u = cdf0[olo] + rng.random(n_orders) * (cdf0[ohi + 1] - cdf0[olo])
    day = np.clip(np.searchsorted(cdf0, u, side="right") - 1, olo, ohi)
    hour = _pick(rng, np.cumsum(HOUR_WEIGHTS) / HOUR_WEIGHTS.sum(), n_orders)
    sec = hour * 3600 + rng.integers(0, 3600, n_orders)
    share = np.vstack([ORDER_SHARE, ORDER_SHARE_VIP]).cumsum(axis=1)
    channel = _pick_rows(rng, share, (seg[cust] == 0).astype(np.int64))
    dropped = np.isin(day, FEED_DROP) & (channel == 1) & (rng.random(n_orders) < 0.38)
    channel[dropped] = 0  # the feed outage: some of those buyers came through search instead
    device = np.where(rng.random(n_orders) < 0.88, pref_device[cust], 1 - pref_device[cust])
    oregion = region[cust]
    ustat = rng.random(n_orders)
    status = np.where(ustat < 0.03, 2, np.where(ustat < 0.07, 1, 0))  # 0 completed, 1 refunded, 2 cancelled

    order = np.lexsort((np.arange(n_orders), sec, day))  # chronological; order ids follow time
    cust, day, sec, channel, device, oregion, status = (
        a[order] for a in (cust, day, sec, channel, device, oregion, status))
    # customer ids in order of first purchase
    present, first_idx = np.unique(cust, return_index=True)
    rank = np.empty(n_cust, dtype=np.int64)
    rank[present[np.argsort(first_idx, kind="stable")]] = np.arange(len(present))
    cust_no = rank[cust] + 1

    # -- lines
    lines = _lines_per_order(rng, n_orders, n_lines)
    oi = np.repeat(np.arange(n_orders), lines)
    lday = day[oi]
    start, end = cat["sell_start"].to_numpy(), cat["sell_end"].to_numpy()
    pop = cat["popularity"].to_numpy()
    cdf_all = np.cumsum(pop) / pop.sum()
    core = np.flatnonzero(~(cat["dead"].to_numpy() | cat["new"].to_numpy()))
    cdf_core = np.cumsum(pop[core]) / pop[core].sum()
    sku = _pick(rng, cdf_all, n_lines)
    off = (lday < start[sku]) | (lday > end[sku])  # not on sale that day: pick an always-listed SKU
    sku[off] = core[_pick(rng, cdf_core, int(off.sum()))]
    for _ in range(50):  # one line per SKU within an order
        key = oi * 1000 + sku
        srt = np.argsort(key, kind="stable")
        dup = np.zeros(n_lines, dtype=bool)
        dup[srt[1:]] = key[srt[1:]] == key[srt[:-1]]
        if not dup.any():
            break
        sku[dup] = core[_pick(rng, cdf_core, int(dup.sum()))]
    _bought_together(pair_rng, sku, oi, lday, cat)
    price = cat["unit_price"].to_numpy()[sku].copy()
    qcdf = np.array([[0.60, 0.88, 1.0], [0.78, 0.95, 1.0], [0.92, 0.99, 1.0]])
    qty = _pick_rows(rng, qcdf, np.digitize(price, [100, 500])) + 1
    promo = (lday <= DOUBLE_11 + 1) | (lday == DOUBLE_12) | ((lday >= JUNE_1) & (lday <= JUNE_18))
    discounted = rng.random(n_lines) < np.where(promo, 0.55, 0.18)
    gross = qty * price * 100  # cents
    disc = np.where(discounted, np.round(gross * rng.uniform(0.05, 0.20, n_lines)), 0).astype(np.int64)

    # three data-entry outliers: 299 typed as 29900
    cand = np.flatnonzero((status[oi] == 0) & (qty == 1) & (disc == 0) & (price >= 99) & (price <= 899))
    if len(cand) >= 3:
        bad = np.sort(rng.choice(cand, 3, replace=False))
        price[bad] *= 100
        gross[bad] *= 100

    net = gross - disc
    subtotal = np.bincount(oi, weights=net, minlength=n_orders).astype(np.int64)
    shipping = np.where(subtotal < 9900, 1000, 0)
    total = subtotal + shipping
    refunded = np.zeros(n_orders, dtype=np.int64)
    ref = status == 1
    partial = ref & (rng.random(n_orders) < 0.4)
    refunded[ref] = total[ref]
    refunded[partial] = np.round(total[partial] * rng.uniform(0.2, 0.7, int(partial.sum())))

    names = {k: np.array(v, dtype=object) for k, v in (
        ("channel", CHANNELS), ("device", DEVICES), ("region", REGIONS),
        ("status", ("completed", "refunded", "cancelled")))}
    ts = START.astype("datetime64[s]") + (day * 86400 + sec).astype("timedelta64[s]")
    df = pd.DataFrame({
        "order_id": np.char.add("SO", (100001 + np.arange(n_orders)).astype(str))[oi],
        "customer_id": np.char.add("C", np.char.zfill(cust_no.astype(str), 5))[oi],
        "order_time": ts[oi],
        "order_total": total[oi] / 100,
        "refunded_amount": refunded[oi] / 100,
        "status": names["status"][status][oi],
        "sku": cat["sku"].to_numpy()[sku],
        "product_name": cat["product_name"].to_numpy()[sku],
        "category": cat["category"].to_numpy()[sku],
        "quantity": qty,
        "unit_price": price,
        "line_discount": disc / 100,
        "channel": names["channel"][channel][oi],
        "device": names["device"][device][oi],
        "region": names["region"][oregion][oi],
        "currency": CURRENCY,
    }, columns=ORDER_COLUMNS)
    facts = {
        "day": day, "channel": channel, "device": device, "status": status, "total": total,
        "line_sku": sku, "line_day": lday, "line_qty": qty, "line_order": oi,
    }
    return df, facts


def _traffic(rng: np.random.Generator, facts: dict) -> pd.DataFrame:
    n_ch, n_dev = len(CHANNELS), len(DEVICES)
    counts = np.zeros((N_DAYS, n_ch, n_dev), dtype=np.int64)
    np.add.at(counts, (facts["day"], facts["channel"], facts["device"]), 1)
    yearly = counts.sum(axis=0).astype(float)
    yearly = np.maximum(yearly, yearly.sum() * 0.002 + 1.0)  # never a channel without visits
    w = _day_weights()
    days = np.arange(N_DAYS)
    w = w * np.array([1.0, 1.0, 1.0, 1.0, 1.02, 1.12, 1.10])[_day_of_week(days)]  # browsing peaks at weekends
    expected = yearly[None] * (w / w.sum())[:, None, None]
    cvr = TRAFFIC_CVR[None, :, None] * DEVICE_CVR[None, None, :]
    uv = expected / cvr * rng.lognormal(0.0, 0.05, (N_DAYS, n_ch, n_dev))
    uv[FEED_DROP, 1, :] *= rng.uniform(0.62, 0.68, (len(FEED_DROP), n_dev))  # feed_ads outage
    uv = np.maximum(1, np.round(uv)).astype(np.int64)

    raw = BOUNCE_BASE[None, :, None] + BOUNCE_DEVICE[None, None, :] + rng.normal(0, 0.02, uv.shape)
    base = days < BOUNCE_RAMP_START
    level = (raw[base] * uv[base]).sum() / uv[base].sum()
    ramp = 0.135 * np.clip((days - BOUNCE_RAMP_START) / 30.0, 0.0, 1.0)
    shock = rng.normal(0.0, 0.010, N_DAYS)
    shock[list(BOUNCE_SPIKES)] += 0.035
    bounce = np.clip(raw + (0.553 - level) + (ramp + shock)[:, None, None], 0.05, 0.95)
    atc = np.clip((1 - bounce) * rng.uniform(0.20, 0.26, uv.shape) * (1 + 0.3 * TRAFFIC_CVR[None, :, None] / 0.05),
                  0.0, 1.0)

    d, c, v = np.meshgrid(days, np.arange(n_ch), np.arange(n_dev), indexing="ij")
    return pd.DataFrame({
        "date": np.datetime_as_string(START + d.ravel(), unit="D"),
        "channel": np.array(CHANNELS, dtype=object)[c.ravel()],
        "device": np.array(DEVICES, dtype=object)[v.ravel()],
        "uv": uv.ravel(),
        "bounce_rate": np.round(bounce.ravel(), 4),
        "add_to_cart_rate": np.round(atc.ravel(), 4),
        "orders": counts.ravel(),
    }, columns=TRAFFIC_COLUMNS)


def _funnel(rng: np.random.Generator, traffic: pd.DataFrame) -> pd.DataFrame:
    """A 30-day funnel snapshot: home visitors are the last 30 days' uv per device."""
    last = traffic[traffic["date"] >= str(AS_OF - 30)]
    users = {}
    for device, rates in FUNNEL_RATES.items():
        n = int(last.loc[last["device"] == device, "uv"].sum())
        stage = [n]
        for rate in rates:
            n = int(rng.binomial(n, rate))
            stage.append(n)
        users[device] = stage
    users["all"] = [m + d for m, d in zip(users["mobile"], users["desktop"])]
    rows = [(i + 1, STAGES[i], users[seg][i], seg) for seg in ("all", "mobile", "desktop") for i in range(len(STAGES))]
    return pd.DataFrame(rows, columns=FUNNEL_COLUMNS)


def _marketing(rng: np.random.Generator, scale: float, aov: float) -> pd.DataFrame:
    months = np.arange(np.datetime64("2025-11"), np.datetime64("2026-11"))
    n_m, n_ch = len(months), len(CHANNELS)
    base = BASE_SPEND * scale
    a = TARGET_ROI * base ** (1 - RESPONSE_B)
    mult = rng.uniform(0.70, 1.30, (n_m, n_ch))
    mult[0] *= 1.15  # Double 11 budgets
    social = CHANNELS.index("social")
    mult[-3:, social] = rng.uniform(1.10, 1.30, 3)  # more money into social ...
    a_m = np.tile(a, (n_m, 1))
    a_m[-3:, social] *= 0.45  # ... just as its audience saturates
    spend = np.round(base * mult, 2)
    revenue = np.round(a_m * spend ** RESPONSE_B * rng.uniform(0.90, 1.10, (n_m, n_ch)), 2)
    clicks = np.round(spend / CPC * rng.uniform(0.9, 1.1, (n_m, n_ch))).astype(np.int64)
    impressions = np.round(clicks / CTR * rng.uniform(0.9, 1.1, (n_m, n_ch))).astype(np.int64)
    orders = np.minimum(clicks, np.round(revenue / (aov * rng.uniform(0.9, 1.1, (n_m, n_ch))))).astype(np.int64)
    m, c = np.meshgrid(np.arange(n_m), np.arange(n_ch), indexing="ij")
    return pd.DataFrame({
        "month": np.char.add(np.datetime_as_string(months, unit="M")[m.ravel()], "-01"),
        "channel": np.array(CHANNELS, dtype=object)[c.ravel()],
        "spend": spend.ravel(),
        "attributed_revenue": revenue.ravel(),
        "clicks": clicks.ravel(),
        "orders": orders.ravel(),
        "impressions": impressions.ravel(),
    }, columns=MARKETING_COLUMNS)


def _chi2_sf(x: float, df: int) -> float:
    """Upper tail of the chi-square distribution for 1 or 2 degrees of freedom."""
    if df == 1:
        return math.erfc(math.sqrt(max(x, 0.0) / 2))
    if df == 2:
        return math.exp(-max(x, 0.0) / 2)
    raise ValueError("df must be 1 or 2")


def _balanced(users: np.ndarray) -> bool:
    """No sample-ratio mismatch: the equal-split chi-square test is far from significant."""
    expected = users.mean()
    return _chi2_sf(float(((users - expected) ** 2 / expected).sum()), len(users) - 1) > 0.3


def _two_proportion_p(c1: int, n1: int, c2: int, n2: int) -> float:
    pooled = (c1 + c2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(c2 / n2 - c1 / n1) / se / math.sqrt(2)) if se > 0 else 1.0


def _welch_p(n1: int, sum1: float, sq1: float, n2: int, sum2: float, sq2: float) -> float:
    """Two-sided Welch test of mean revenue per visitor from sums and sums of squares, with the normal
    tail: the groups run to thousands of visitors, where Student's t and the normal agree."""
    m1, m2 = sum1 / n1, sum2 / n2
    se2 = (sq1 - n1 * m1**2) / (n1 - 1) / n1 + (sq2 - n2 * m2**2) / (n2 - 1) / n2
    return math.erfc(abs(m2 - m1) / math.sqrt(se2) / math.sqrt(2)) if se2 > 0 else 1.0


EXPERIMENT_AOV = 460.0  # about the shop's order value (orders.csv at the default size)
ORDER_VALUE_SIGMA = 0.6  # lognormal spread of one converter's order value around the day's mean

EXPERIMENTS = (
    # name, page, variable, first day, days, users/variant/day, conversion per variant, story check,
    # revenue-per-visitor story check (Welch p of B against A)
    ("checkout_button_color", "checkout", "button color", "2026-09-01", 21, 1500, (0.030, 0.036),
     lambda p, conv: p < 0.001 and conv[1] > conv[0], lambda p, rpv: p < 0.001 and rpv[1] > rpv[0]),
    ("product_page_video", "product_detail", "hero video", "2026-09-24", 14, 800, (0.040, 0.0405),
     lambda p, conv: p > 0.2, None),
    ("free_shipping_banner", "home", "banner", "2026-10-14", 10, 600, (0.025, 0.028, 0.026), None, None),
)


def _order_values(rng: np.random.Generator, conv: np.ndarray, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One lognormal order value per converter, in whole cents, around its day's mean `level`; returns
    each cell's revenue and sum of squared order values, so the two always describe the same orders."""
    cells = np.repeat(np.arange(conv.size), conv.ravel())
    spread = rng.lognormal(-ORDER_VALUE_SIGMA**2 / 2, ORDER_VALUE_SIGMA, len(cells))  # mean 1
    cents = np.maximum(100, np.round(level.ravel()[cells] * spread * 100)).astype(np.int64)
    total = np.zeros(conv.size, dtype=np.int64)
    squares = np.zeros(conv.size, dtype=np.int64)
    np.add.at(total, cells, cents)
    np.add.at(squares, cells, cents * cents)
    return (total / 100).reshape(conv.shape), (squares / 10_000).reshape(conv.shape)


def _experiments(rng: np.random.Generator, order_rng: np.random.Generator) -> pd.DataFrame:
    """Daily users, conversions and revenue per variant. Order values come from their own stream
    `order_rng`, so redrawing them for the revenue story leaves users and conversions alone."""
    frames = []
    for name, page, variable, first, n_days, per_day, rates, story, revenue_story in EXPERIMENTS:
        n_var = len(rates)
        for _ in range(1000):  # redraw until the split is balanced and the sample tells the intended story
            users = rng.multinomial(rng.poisson(per_day * n_var, n_days), np.full(n_var, 1 / n_var))
            conv = rng.binomial(users, rates)
            tot_u, tot_c = users.sum(axis=0), conv.sum(axis=0)
            if not _balanced(tot_u):
                continue
            if story is None or story(_two_proportion_p(tot_c[0], tot_u[0], tot_c[1], tot_u[1]),
                                      tot_c / tot_u):
                break
        level = rng.normal(EXPERIMENT_AOV, 30.0, conv.shape)  # the day's mean order value
        for _ in range(1000):  # redraw the order values until revenue per visitor tells its story
            revenue, revenue_sq = _order_values(order_rng, conv, level)
            tot_r, tot_sq = revenue.sum(axis=0), revenue_sq.sum(axis=0)
            if revenue_story is None or revenue_story(
                    _welch_p(tot_u[0], tot_r[0], tot_sq[0], tot_u[1], tot_r[1], tot_sq[1]), tot_r / tot_u):
                break
        d, v = np.meshgrid(np.arange(n_days), np.arange(n_var), indexing="ij")
        frames.append(pd.DataFrame({
            "experiment": name,
            "variant": np.array(list("ABC"), dtype=object)[v.ravel()],
            "date": np.datetime_as_string(np.datetime64(first) + d.ravel(), unit="D"),
            "users": users.ravel(),
            "conversions": conv.ravel(),
            "revenue": revenue.ravel(),
            "revenue_sq": revenue_sq.ravel(),
            "page": page,
            "variable": variable,
        }, columns=EXPERIMENT_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def _inventory(rng: np.random.Generator, cat: pd.DataFrame, facts: dict,
               lead_rng: np.random.Generator) -> pd.DataFrame:
    """Stock of about 20-75 days of the last 90 days' sales, dead SKUs holding far more, a few sold out.
    `lead_rng` adds lead times and the replenishment mix (some SKUs overstocked, some nearly out)
    without moving the draws above."""
    n = len(cat)
    sold = facts["status"][facts["line_order"]] != 2
    qty, sku, lday = facts["line_qty"], facts["line_sku"], facts["line_day"]
    recent = sold & (lday >= N_DAYS - 90)
    velocity = np.bincount(sku[recent], weights=qty[recent], minlength=n) / 90.0
    lifetime = np.bincount(sku[sold], weights=qty[sold], minlength=n)
    stock = np.round(velocity * rng.uniform(20, 75, n)).astype(np.int64) + rng.integers(0, 12, n)
    dead = cat["dead"].to_numpy()
    stock[dead] = np.maximum(60, np.round(lifetime[dead] * rng.uniform(1.5, 3.0, dead.sum()))).astype(np.int64) \
        + rng.integers(40, 200, dead.sum())
    out = rng.choice(np.flatnonzero(~dead), 6, replace=False)
    stock[out] = 0  # a few sold out
    cost = np.round(cat["unit_price"].to_numpy() * rng.uniform(0.40, 0.60, n), 2)
    listed = np.datetime64("2023-03-01") + rng.integers(0, (START - np.datetime64("2023-03-01")).astype(int) - 14, n)
    listed[dead] = np.datetime64("2023-03-01") + rng.integers(0, 540, dead.sum())
    new = cat["new"].to_numpy()
    listed[new] = START + cat["sell_start"].to_numpy()[new]
    low, high = np.array([LEAD_TIMES[c] for c in cat["category"]]).T
    lead = lead_rng.integers(low, high + 1)
    live = np.flatnonzero(~dead & (stock > 0) & (velocity > 0))
    picked = lead_rng.permutation(live)
    over = picked[:round(OVERSTOCKED_SHARE * len(live))]
    stock[over] = np.ceil(velocity[over] * lead_rng.uniform(120, 240, len(over))).astype(np.int64)
    low_stock = picked[len(over):len(over) + LOW_STOCK_SKUS]
    stock[low_stock] = np.floor(velocity[low_stock] * lead_rng.uniform(1, 6, len(low_stock))).astype(np.int64)
    return pd.DataFrame({
        "sku": cat["sku"],
        "category": cat["category"],
        "stock_on_hand": stock,
        "unit_cost": cost,
        "listed_date": np.datetime_as_string(listed.astype("datetime64[D]"), unit="D"),
        "lead_time_days": lead,
    }, columns=INVENTORY_COLUMNS)


def _health() -> pd.DataFrame:
    return pd.DataFrame([
        ("first_screen_load_seconds", 3.2, "2026-10"),
        ("server_error_rate", 0.004, "2026-10"),
        ("service_first_response_seconds", 45.0, "2026-10"),
    ], columns=HEALTH_COLUMNS)


def generate(out_dir: pathlib.Path, order_lines: int = 60_000, seed: int = 20261123) -> dict[str, pathlib.Path]:
    """Write the demo shop's CSVs into out_dir; return {dataset_name: path}.

    `order_lines` sets the size of orders.csv exactly (customers ~ order_lines / 3); traffic volumes and
    marketing spend follow it, the other files keep their size. The stories need a few thousand lines.
    """
    if order_lines < 1:
        raise ValueError("order_lines must be at least 1")
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cat = _catalog(_stream(seed, "catalog"))
    orders, facts = _orders(_stream(seed, "orders"), order_lines, cat, _stream(seed, "bought_together"))
    traffic = _traffic(_stream(seed, "traffic"), facts)
    kept = facts["status"] != 2
    aov = float(facts["total"][kept].mean() / 100) if kept.any() else 400.0
    frames = {
        "orders": orders,
        "traffic_daily": traffic,
        "funnel_stages": _funnel(_stream(seed, "funnel"), traffic),
        "marketing_spend": _marketing(_stream(seed, "marketing"), order_lines / 60_000, aov),
        "experiments": _experiments(_stream(seed, "experiments"), _stream(seed, "experiment_orders")),
        "inventory": _inventory(_stream(seed, "inventory"), cat, facts, _stream(seed, "lead_times")),
        "health_inputs": _health(),
    }
    paths = {}
    for name, frame in frames.items():
        path = out_dir / FILES[name]
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths[name] = path
    return paths


GENERATED_ON_FIRST_USE = ("orders",)  # 7.5 MB at the default size: written from the seed, never committed


def ensure_files(folder: pathlib.Path) -> None:
    """Write any demo file missing from `folder` from the default run (same seed, same bytes). The big
    orders file is not committed; it is made here the first time the demo is built, in about a second.
    Files are written under a temporary name first, so a half-written file is never seen."""
    folder = pathlib.Path(folder)
    missing = [name for name, file_name in FILES.items() if not (folder / file_name).exists()]
    if not missing:
        return
    with tempfile.TemporaryDirectory(prefix=".generating-", dir=folder) as scratch:
        written = generate(pathlib.Path(scratch))
        for name in missing:
            written[name].replace(folder / FILES[name])
