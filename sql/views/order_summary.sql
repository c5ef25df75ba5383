-- One row per order: what the customer paid, net of refunds. The basis of GMV, AOV and RFM.

with

lines as (
    select * from order_lines
),

per_order as (
    select
        order_id,
        any_value(customer_id) as customer_id,
        min(order_time) as ordered_at,
        any_value(order_total) as order_total,
        any_value(refunded_amount) as refunded_amount,
        any_value(order_total) - any_value(refunded_amount) as order_revenue,
        any_value(status) as status,
        bool_or(is_cancelled) as is_cancelled,
        any_value(channel) as channel,
        any_value(device) as device,
        any_value(region) as region,
        any_value(currency) as currency
    from lines
    group by order_id
)

select * from per_order
