-- Visitors, orders and GMV for $start..$end. Orders and GMV from the daily KPIs; visitors from the daily
-- traffic itself, so a period without any traffic row has uv null (not measured), never 0.

with

sales as (
    select
        coalesce(sum(count_orders), 0) as count_orders,
        coalesce(sum(gmv), 0) as gmv
    from daily_kpis
    where date between $start and $end
),

traffic as (
    select sum(uv) as uv
    from traffic_daily
    where date between $start and $end
),

joined as (
    select traffic.uv, sales.count_orders, sales.gmv
    from sales, traffic
)

select * from joined
