-- One row per order line with its own revenue, for product and category views.

with

source_orders as (
    select * from orders
),

priced as (
    select
        *,
        quantity * unit_price - line_discount as line_revenue,
        lower(coalesce(status, '')) in ('cancelled', 'canceled', 'voided', 'failed', '交易关闭', '已取消', '订单关闭')
            as is_cancelled
    from source_orders
)

select * from priced
