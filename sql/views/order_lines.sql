-- One row per order line with its own revenue and its share of the order's refund, for product and
-- category views.

with

source_orders as (
    select * from usable_orders
),

outlier_setting as (
    select * from price_outlier_setting
),

priced as (
    select
        source_orders.*,
        quantity * unit_price - line_discount as line_revenue,
        -- exports record refunds per order: each line takes its order's refunded share (within 0..1)
        (quantity * unit_price - line_discount)
            * coalesce(least(greatest(refunded_amount / nullif(order_total, 0), 0), 1), 0) as line_refunded,
        lower(coalesce(status, '')) in ('cancelled', 'canceled', 'voided', 'failed', '交易关闭', '已取消', '订单关闭')
            as is_cancelled,
        -- a flagged price outlier stays in totals but leaves averages when the owner asks
        not (is_price_outlier and outlier_setting.exclude_price_outliers) as counts_in_averages
    from source_orders
    cross join outlier_setting
)

select * from priced
