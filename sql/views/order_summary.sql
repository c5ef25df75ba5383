-- One row per order: what the customer paid, net of refunds. The basis of GMV, AOV and RFM.
-- `revenue_for_averages` is the same less the lines left out of averages (price outliers, when the owner
-- asks: order_lines.counts_in_averages), and null for an order made only of such lines, so an average
-- (sum over count of it) and a customer's spend leave them out while GMV (order_revenue) keeps them.

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
        any_value(order_total) - any_value(refunded_amount)
            - coalesce(sum(line_revenue) filter (where not counts_in_averages), 0) as revenue_without_outliers,
        bool_or(counts_in_averages) as counts_in_averages,
        any_value(status) as status,
        bool_or(is_cancelled) as is_cancelled,
        any_value(channel) as channel,
        any_value(device) as device,
        any_value(region) as region,
        any_value(currency) as currency
    from lines
    group by order_id
),

final as (
    select
        * exclude (revenue_without_outliers, counts_in_averages),
        case when counts_in_averages then revenue_without_outliers end as revenue_for_averages
    from per_order
)

select * from final
