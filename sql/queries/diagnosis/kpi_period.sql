-- Visitors, orders and GMV for $start..$end, from the daily KPIs.

with

period as (
    select * from daily_kpis where date between $start and $end
),

totals as (
    select
        coalesce(sum(uv), 0) as uv,
        coalesce(sum(count_orders), 0) as count_orders,
        coalesce(sum(gmv), 0) as gmv
    from period
)

select * from totals
