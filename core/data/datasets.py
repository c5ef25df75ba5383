"""The canonical datasets an upload maps into, with the header aliases real exports use.

Each field names its type, whether a row without it is useless (required), what to put when it is
missing, and the headers Shopify, WooCommerce, Taobao/Tmall and plain English/Chinese files give it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # id, text, number, integer, rate, timestamp, date, month, bool
    aliases: tuple[str, ...] = ()
    required: bool = False
    default: str | None = None  # SQL literal used when the column is unmapped or blank
    derive: str | None = None  # SQL over other canonical fields, used when unmapped or blank
    fill_median: bool = False  # a missing measure the metrics need: filled with the median, reported
    order_level: bool = False  # orders only: blank on an order's later lines, copied from its first


@dataclass(frozen=True)
class Dataset:
    name: str
    table: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # rows with the same key replace each other: a re-upload does not double-count
    date_column: str | None = None
    ingest_only: tuple[str, ...] = ()  # fields used while loading, not stored
    aggregate: str | None = None  # SQL turning per-user rows (the relation `{rows}`) into the table's grain
    # per-user datasets: the table keeping the rows themselves, so a later file's users add to the earlier
    # ones instead of replacing the day's totals; `key` then names a row in it, not in `table`
    row_table: str | None = None
    melt: tuple[str, str] | None = None  # wide tables: the field taking each column's header, the one taking its cells

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def stored_fields(self) -> list[Field]:
        return [f for f in self.fields if f.name not in self.ingest_only]


def normalise_header(header: str) -> str:
    """Lower-case, drop brackets and punctuation, collapse separators: `Lineitem_Price (CNY)` -> `lineitem price cny`."""
    text = header.replace("\ufeff", "").strip().lower()
    text = re.sub(r"[()（）\[\]【】:：#*\"']", " ", text)
    text = re.sub(r"[\s_\-/.]+", " ", text)
    return text.strip()


ORDERS = Dataset(
    name="orders",
    table="orders",
    key=("order_id", "line_number"),
    date_column="order_time",
    ingest_only=("line_amount",),
    fields=(
        Field("order_id", "id", ("order_id", "order id", "name", "order number", "order no", "订单编号", "订单号", "主订单编号"), required=True),
        Field("customer_id", "id", ("customer_id", "customer id", "email", "customer email", "billing_email",
              "customer_email", "customer", "买家会员名", "买家昵称", "会员名", "客户id", "买家id"),
              required=True, order_level=True),
        Field("order_time", "timestamp", ("order_time", "created at", "created_at", "order date", "order_date", "date",
              "date created", "订单创建时间", "下单时间", "创建时间"),
              required=True, order_level=True),
        Field("paid_at", "timestamp", ("paid at", "paid_at", "paid date", "paid_date", "date paid", "订单付款时间", "付款时间", "支付时间"), order_level=True),
        Field("order_total", "number", ("order_total", "total", "order total", "买家实际支付金额", "实付金额", "实际支付金额", "订单金额"),
              required=True, fill_median=True, order_level=True),
        Field("refunded_amount", "number", ("refunded_amount", "refunded amount", "refunded_total", "refund amount",
              "refunds", "退款金额"),
              default="0", order_level=True),
        Field("status", "text", ("status", "financial status", "order status", "订单状态", "交易状态"), default="'completed'", order_level=True),
        Field("sku", "id", ("sku", "lineitem sku", "item_sku", "item sku", "product sku", "商家编码", "商品编码", "货号")),
        Field("product_name", "text", ("product_name", "product name", "lineitem name", "item_name", "item name", "product",
              "宝贝标题", "商品标题", "商品名称")),
        Field("category", "text", ("category", "product category", "product type", "类目", "商品类目", "品类")),
        Field("quantity", "number", ("quantity", "lineitem quantity", "item_quantity", "item quantity", "qty",
              "宝贝总数量", "购买数量", "商品数量", "数量"), default="1"),
        Field("line_amount", "number", ("line_amount", "line total", "lineitem total", "item_total", "item total", "总金额", "商品总金额")),
        Field("unit_price", "number", ("unit_price", "unit price", "lineitem price", "item_price", "item price", "price", "单价", "商品单价", "商品价格"),
              derive="coalesce(line_amount, order_total) / nullif(quantity, 0)", fill_median=True),
        Field("line_discount", "number", ("line_discount", "lineitem discount", "line discount", "item discount", "discount",
              "优惠金额", "商品优惠"), default="0"),
        Field("channel", "text", ("channel", "source", "source_name", "utm_source", "sales channel", "渠道", "来源", "订单来源"), order_level=True),
        Field("device", "text", ("device", "device type", "设备", "终端"), order_level=True),
        Field("region", "text", ("region", "shipping province", "shipping province name", "billing province",
              "billing_state", "shipping_state", "province", "state", "收货地址省份", "省份", "地区"),
              order_level=True),
        Field("currency", "text", ("currency", "order_currency", "order currency", "币种"), order_level=True),
    ),
)

TRAFFIC_DAILY = Dataset(
    name="traffic_daily",
    table="traffic_daily",
    key=("date", "channel", "device"),
    date_column="date",
    ingest_only=("bounces", "add_to_carts"),
    fields=(
        Field("date", "date", ("date", "day", "日期", "统计日期", "时间"), required=True),
        Field("channel", "text", ("channel", "source", "traffic source", "渠道", "流量来源", "来源"), default="'all'"),
        Field("device", "text", ("device", "device type", "设备", "终端"), default="'all'"),
        Field("uv", "integer", ("uv", "sessions", "visitors", "unique visitors", "users", "访客数", "访客数 uv", "访客", "浏览人数",
              "会话数"),
              required=True, fill_median=True),
        Field("bounces", "integer", ("bounces", "bounced sessions", "跳出次数", "跳出人数")),
        Field("bounce_rate", "rate", ("bounce_rate", "bounce rate", "跳出率"), derive="bounces / nullif(uv, 0)"),
        Field("add_to_carts", "integer", ("add_to_carts", "add to cart", "add to carts", "added to cart", "加购人数", "加购次数", "加购件数")),
        Field("add_to_cart_rate", "rate", ("add_to_cart_rate", "add to cart rate", "add-to-cart rate", "cart rate", "加购率"),
              derive="add_to_carts / nullif(uv, 0)"),
        Field("orders", "integer", ("orders", "orders placed", "订单数", "支付订单数", "下单数", "成交订单数")),
    ),
)

TRAFFIC_WIDE = Dataset(
    name="traffic_wide",
    table="traffic_daily",
    key=TRAFFIC_DAILY.key,
    date_column="date",
    melt=("channel", "uv"),
    fields=(
        TRAFFIC_DAILY.field("date"),
        TRAFFIC_DAILY.field("device"),
        # filled from the columns themselves: each source column's header is the channel, its cells the UV
        Field("channel", "text"),
        Field("uv", "integer"),
    ),
)
"""The playbook's traffic report: one row per day, one column of UV per source (`日期,搜索,信息流,社交`).

Melted at ingest into traffic_daily's date x channel rows, so nothing downstream knows the layout.
Every column that is not the date (or a device column) is a source, except a total column (合计,
total), which would count the visitors twice. Detected when no dataset explains the headers and
they are a date plus at least two columns no dataset knows (`looks_wide`); the owner can also pick it."""

FUNNEL_STAGES = Dataset(
    name="funnel_stages",
    table="funnel_stages",
    key=("date", "segment", "step"),
    date_column="date",
    fields=(
        # without a step column the stages come in the file's order (the playbook's funnel has none)
        Field("step", "integer", ("step", "step order", "stage order", "order", "序号", "步骤", "环节序号"),
              derive="row_number() over (partition by date, segment order by _source_row)"),
        Field("stage", "text", ("stage", "step name", "stage name", "funnel stage", "环节", "阶段", "漏斗环节",
              "用户路径节点", "路径节点", "节点"), required=True),
        Field("users", "integer", ("users", "visitors", "uv", "count", "人数", "用户数", "访客数", "进入人数",
              "users entered", "entered"), required=True),
        Field("date", "date", ("date", "day", "日期")),
        Field("segment", "text", ("segment", "device", "channel", "细分", "分组", "设备", "渠道"), default="'all'"),
        # checked against this stage's users minus the next stage's, not stored (the views derive it)
        Field("lost", "integer", ("lost", "users lost", "drop off", "dropped", "流失人数", "流失数")),
    ),
    ingest_only=("lost",),
)

MARKETING_SPEND = Dataset(
    name="marketing_spend",
    table="marketing_spend",
    key=("period_start", "channel"),
    date_column="period_start",
    fields=(
        Field("period_start", "month", ("month", "period", "date", "day", "月份", "日期", "时间", "周期", "统计周期"),
              required=True),
        Field("channel", "text", ("channel", "campaign channel", "platform", "渠道", "投放渠道", "平台"), required=True),
        Field("spend", "number", ("spend", "cost", "amount spent", "ad spend", "花费", "消耗", "投放金额", "广告花费",
              "投入", "投入金额", "投入成本", "investment"), required=True, fill_median=True),
        Field("attributed_revenue", "number", ("attributed_revenue", "attributed revenue", "revenue", "conversion value",
              "gmv", "成交金额", "归因收入", "销售额", "收入", "产出", "产出金额", "return"),
              required=True, fill_median=True),
        Field("clicks", "integer", ("clicks", "uv", "visitors", "点击量", "访客数", "点击数")),
        Field("orders", "integer", ("orders", "conversions", "purchases", "订单数", "成交订单数", "转化数")),
        Field("impressions", "integer", ("impressions", "展现量", "曝光量", "展示量")),
        # the ROI table's own ratio: read so it is not mistaken for data, not stored (ROI is worked out)
        Field("roi", "text", ("roi", "投入产出比", "roas")),
    ),
    ingest_only=("roi",),
)

_EXPERIMENT_CONTEXT = (
    Field("experiment", "text", ("experiment", "test", "test id", "test_id", "experiment name", "实验", "实验名称", "测试编号"), required=True),
    Field("variant", "text", ("variant", "group", "version", "arm", "版本", "分组", "组别"), required=True),
    Field("date", "date", ("date", "day", "日期")),
    Field("page", "text", ("page", "页面", "测试页面")),
    Field("variable", "text", ("variable", "changed variable", "变量", "测试变量")),
    Field("start_date", "date", ("start_date", "start date", "开始日期")),
    Field("end_date", "date", ("end_date", "end date", "结束日期")),
)

EXPERIMENTS = Dataset(
    name="experiments",
    table="experiments",
    key=("experiment", "variant", "date"),
    date_column="date",
    fields=_EXPERIMENT_CONTEXT
    + (
        Field("users", "integer", ("users", "visitors", "sessions", "sample size", "用户数", "访客数", "样本量"), required=True),
        Field("conversions", "integer", ("conversions", "converted", "converted users", "orders", "转化数", "转化人数", "成交人数"), required=True),
        Field("revenue", "number", ("revenue", "sales", "gmv", "收入", "成交金额")),
        Field("revenue_sq", "number", ("revenue_sq", "revenue sum of squares")),
    ),
)

EXPERIMENT_USERS = Dataset(
    name="experiment_users",
    table="experiments",
    # A user is one row of an experiment whatever the file: a second file appends its users to the first
    # file's (the day's totals are worked out again from all of them), and a file given again replaces
    # its users rather than counting them twice. Rows are kept in `experiment_users` with the user id
    # hashed (md5): it only has to tell users apart.
    key=("experiment", "user_id"),
    row_table="experiment_users",
    date_column="date",
    fields=_EXPERIMENT_CONTEXT
    + (
        Field("user_id", "id", ("user_id", "user", "user id", "visitor id", "visitor_id", "用户id", "访客id"), required=True),
        Field("converted", "bool", ("converted", "is_converted", "conversion", "是否转化", "转化"), required=True),
        Field("revenue", "number", ("revenue", "sales", "收入", "成交金额"), default="0"),
    ),
    # One row per user becomes one row per experiment, variant and day; the sum of squares keeps
    # Welch's t-test on revenue per visitor possible without the user rows.
    aggregate="""
        select experiment, variant, date, any_value(page) as page, any_value(variable) as variable,
               min(start_date) as start_date, max(end_date) as end_date,
               count(distinct user_id) as users, count(distinct user_id) filter (where converted) as conversions,
               sum(revenue) as revenue, sum(revenue * revenue) as revenue_sq
        from {rows} group by experiment, variant, date
    """,
)

AB_REGISTER = Dataset(
    name="ab_register",
    table="ab_test_log",
    key=("test_id",),
    fields=(
        Field("test_id", "text", ("test_id", "test id", "test no", "测试编号", "实验编号"), required=True),
        Field("page", "text", ("page", "test page", "测试页面", "页面")),
        Field("variable", "text", ("variable", "test variable", "测试变量", "变量")),
        Field("version_a", "text", ("version_a", "version a", "variant a", "版本a", "a版本")),
        Field("version_b", "text", ("version_b", "version b", "variant b", "版本b", "b版本")),
        Field("period", "text", ("period", "test period", "duration", "测试周期", "周期", "测试时间")),
        Field("sample_size", "integer", ("sample_size", "sample size", "samples", "样本量", "样本数")),
        Field("rate_a", "rate", ("rate_a", "rate a", "conversion a", "a conversion rate", "a转化率", "a组转化率", "版本a转化率")),
        Field("rate_b", "rate", ("rate_b", "rate b", "conversion b", "b conversion rate", "b转化率", "b组转化率", "版本b转化率")),
        Field("confidence", "rate", ("confidence", "confidence level", "置信度", "置信水平", "显著性")),
        Field("conclusion", "text", ("conclusion", "result", "decision", "结论", "测试结论")),
    ),
)
"""The playbook's A/B record table (表5): one row per finished test, into the register the A/B page keeps.
Rates and confidence read as the register stores them: 3.2% and 0.032 alike, 95 as 95%."""

INVENTORY = Dataset(
    name="inventory",
    table="inventory",
    key=("sku",),
    date_column="listed_date",
    fields=(
        Field("sku", "id", ("sku", "item sku", "product sku", "商家编码", "商品编码", "货号"), required=True),
        Field("category", "text", ("category", "product category", "类目", "品类")),
        Field("stock_on_hand", "integer", ("stock_on_hand", "stock on hand", "stock", "inventory", "quantity on hand",
              "on hand", "库存", "库存数量", "可售库存"),
              required=True),
        Field("unit_cost", "number", ("unit_cost", "unit cost", "cost", "cost price", "成本", "单位成本", "成本价"), fill_median=True),
        Field("listed_date", "date", ("listed_date", "listed date", "created", "date listed", "上架时间", "上架日期")),
        # days from ordering to stock on the shelf, per SKU; replenishment uses the owner's default without it
        Field("lead_time_days", "integer", ("lead_time_days", "lead time days", "lead time", "lead time (days)",
              "leadtime", "supplier lead time", "交货期", "交货周期", "采购周期", "到货天数", "补货周期")),
    ),
)

HEALTH_INPUTS = Dataset(
    name="health_inputs",
    table="health_inputs",
    key=("metric", "period"),
    fields=(
        Field("metric", "text", ("metric", "指标", "指标名称"), required=True),
        Field("value", "number", ("value", "值", "数值"), required=True),
        Field("period", "text", ("period", "month", "周期", "期间", "月份"), default="''"),
    ),
)

DATASETS: dict[str, Dataset] = {
    d.name: d for d in (ORDERS, TRAFFIC_DAILY, TRAFFIC_WIDE, FUNNEL_STAGES, MARKETING_SPEND, EXPERIMENTS, EXPERIMENT_USERS,
                        AB_REGISTER, INVENTORY, HEALTH_INPUTS)
}

# A total column of a wide table: left out of the melt, it would count every visitor twice.
TOTAL_HEADERS = frozenset({"合计", "总计", "汇总", "总访客数", "total", "all", "sum", "总计uv", "total uv"})
# A traffic row whose device is one of these is the channel's day total over every device (a file without
# a device column gets 'all'). Within a file it is dropped where the same channel and day has rows per
# device (reported); across files the newer upload's rows for a channel and day replace the stored ones
# at either grain. Either way the day's visitors are counted once. Mirrored in sql/macros.sql.
TOTAL_DEVICES = ("all", "total", "sum", "合计", "总计", "汇总", "全部", "所有")


# Headers of a Taobao/Tmall order report (千牛 订单报表); such a report names no currency because it is CNY.
TAOBAO_HEADERS = frozenset({"买家会员名", "买家实际支付金额", "宝贝标题", "宝贝总数量", "订单付款时间", "买家应付货款"})


def implied_currency(dataset: Dataset, headers: list[str], mapping: dict[str, str]) -> str | None:
    """The currency an orders file means without naming it: CNY for a Taobao/Tmall report (two or more
    of its own headers), else None."""
    if dataset.name != "orders" or "currency" in mapping:
        return None
    return "CNY" if len({normalise_header(h) for h in headers} & TAOBAO_HEADERS) >= 2 else None


def suggest_mapping(dataset: Dataset, headers: list[str]) -> dict[str, str]:
    """Canonical field -> source header, by alias; each header is used at most once, earlier aliases win."""
    by_normal = {}
    for header in headers:
        by_normal.setdefault(normalise_header(header), header)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for f in dataset.fields:
        for alias in f.aliases:
            header = by_normal.get(normalise_header(alias))
            if header is not None and header not in used:
                mapping[f.name] = header
                used.add(header)
                break
    return mapping


def missing_required(dataset: Dataset, mapping: dict[str, str]) -> list[str]:
    return [f.name for f in dataset.fields if f.required and f.name not in mapping and f.derive is None]


def melted_headers(dataset: Dataset, headers: list[str], mapping: dict[str, str]) -> list[str]:
    """The columns a wide table melts: every one not mapped to a field and not a total."""
    mapped = set(mapping.values())
    return [h for h in headers if h not in mapped and normalise_header(h) not in TOTAL_HEADERS] if dataset.melt else []


def _known_headers() -> frozenset[str]:
    return frozenset(normalise_header(a) for d in DATASETS.values() for f in d.fields for a in f.aliases)


def looks_wide(headers: list[str]) -> bool:
    """A date column and at least two other columns, most of them no field any dataset knows (totals aside;
    "most", as a source may be called `email`): the playbook's traffic report, one column per source. Headers
    only, so a file is recognised before it is read; a column that is not a number then shows as rejected
    values, and the owner can pick another kind."""
    mapping = suggest_mapping(TRAFFIC_WIDE, headers)
    if "date" not in mapping:
        return False
    known = _known_headers()
    sources = melted_headers(TRAFFIC_WIDE, headers, {"date": mapping["date"]})
    return len(sources) >= 2 and 2 * sum(normalise_header(h) in known for h in sources) < len(sources)


def detect_kind(headers: list[str]) -> str | None:
    """The dataset whose required fields all appear, preferring the one that explains the most headers;
    failing that, a wide traffic report (`looks_wide`). A wide table is never chosen by its fields (it
    maps only its date), so an ordinary layout always wins."""
    best, best_score = None, 0
    for dataset in DATASETS.values():
        if dataset.melt:
            continue
        mapping = suggest_mapping(dataset, headers)
        if missing_required(dataset, mapping):
            continue
        score = len(mapping) + sum(1 for f in dataset.fields if f.required)
        if score > best_score:
            best, best_score = dataset.name, score
    if best is None and looks_wide(headers):
        return TRAFFIC_WIDE.name
    return best
