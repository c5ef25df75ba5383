-- How the shop's customers spread by what they spent, over the whole history: how many customers, the
-- spend the top shares of them reach ($vip_quantile, $potential_quantile: percentiles with linear
-- interpolation, as numpy and pandas compute them by default), and the share of customers at or above two
-- given money lines ($vip_line, $potential_line). Spend counts as in customer_rfm.sql: cancelled orders
-- and orders without a customer left out, revenue net of refunds, price outliers left out when the owner
-- asks (order_summary.revenue_for_averages).

with

orders as (
    select * from order_summary
),

counted_orders as (
    select
        customer_id,
        revenue_for_averages
    from orders
    where not is_cancelled
        and customer_id is not null
        and ordered_at is not null
),

per_customer as (
    select
        customer_id,
        cast(coalesce(sum(revenue_for_averages), 0) as double) as monetary
    from counted_orders
    group by customer_id
),

final as (
    select
        count(*) as customers,
        quantile_cont(monetary, $vip_quantile) as vip_cutoff,
        quantile_cont(monetary, $potential_quantile) as potential_cutoff,
        avg(case when monetary >= $vip_line then 1.0 else 0.0 end) as vip_reach,
        avg(case when monetary >= $potential_line then 1.0 else 0.0 end) as potential_reach
    from per_customer
)

select * from final
