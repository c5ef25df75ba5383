-- Visitors, orders, ordering customers and GMV for $start..$end. Sales from the orders (cancelled left out),
-- counted over the whole period: a customer who orders on two days is one ordering customer, not two.
-- Visitors from the daily traffic itself, so a period without any traffic row has uv null (not measured), never 0.

with

sales as (
    select
        count(*) as count_orders,
        count(distinct customer_id) as count_customers,
        coalesce(sum(order_revenue), 0) as gmv
    from order_summary
    where not is_cancelled and ordered_at::date between $start and $end
),

traffic as (
    select sum(uv) as uv
    from traffic_daily
    where date between $start and $end
),

joined as (
    select traffic.uv, sales.count_orders, sales.count_customers, sales.gmv
    from sales, traffic
)

select * from joined
