-- Visitors, orders, ordering customers and GMV for $start..$end. Sales from the orders (cancelled left out),
-- counted over the whole period: a customer who orders on two days is one ordering customer, not two.
-- Visitors from the daily traffic itself, so a period without any traffic row has uv null (not measured), never 0.
-- The average order value takes revenue_for_averages over the orders that have one (price outliers out when
-- the owner asks, order_summary.revenue_for_averages); GMV, and so the bridge, keeps every order.

with

sales as (
    select
        count(*) as count_orders,
        count(distinct customer_id) as count_customers,
        coalesce(sum(order_revenue), 0) as gmv,
        coalesce(sum(revenue_for_averages), 0) as revenue_for_averages,
        count(revenue_for_averages) as orders_for_averages
    from order_summary
    where not is_cancelled and ordered_at::date between $start and $end
),

traffic as (
    select sum(uv) as uv
    from usable_traffic_daily as traffic_daily
    where date between $start and $end
),

joined as (
    select traffic.uv, sales.*
    from sales, traffic
)

select * from joined
