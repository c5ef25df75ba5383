-- Version 14: one row per order, worked out once per load instead of by every query (issue 16). At 1M order
-- lines the per-order grouping of sql/views/order_summary.sql was the costliest step of nearly every page's
-- queries (0.3-0.5 s each). Rebuilt inside every transaction that bumps the data version and when the plausible
-- date settings change (core/platform/order_rollup.py); order_summary reads it and applies the price-outlier
-- setting, which can change without a rebuild.
create table if not exists order_rollup (
    order_id varchar,
    customer_id varchar,
    ordered_at timestamp,
    order_total double,
    refunded_amount double,
    order_revenue double,
    outlier_revenue double,
    has_regular_line boolean,
    status varchar,
    is_cancelled boolean,
    channel varchar,
    device varchar,
    region varchar,
    currency varchar
);
