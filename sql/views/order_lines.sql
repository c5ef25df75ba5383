-- One row per order line with its own revenue, for product and category views.

with

source_orders as (
    select * from usable_orders
),

outlier_setting as (
    select coalesce(any_value(value::boolean), false) as exclude_price_outliers
    from settings
    where key = 'exclude_price_outliers'
),

priced as (
    select
        source_orders.*,
        quantity * unit_price - line_discount as line_revenue,
        lower(coalesce(status, '')) in ('cancelled', 'canceled', 'voided', 'failed', '交易关闭', '已取消', '订单关闭')
            as is_cancelled,
        -- a flagged price outlier stays in totals but leaves averages when the owner asks
        not (is_price_outlier and outlier_setting.exclude_price_outliers) as counts_in_averages
    from source_orders
    cross join outlier_setting
)

select * from priced
