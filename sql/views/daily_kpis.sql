-- One row per day: visitors, orders and GMV; the days ShopLens has data for. (Ordering customers are counted per
-- period in sql/queries/diagnosis/kpi_period.sql: a customer ordering on two days is one buyer, not two.)

with

traffic as (
    select date, sum(uv) as uv
    from usable_traffic_daily
    group by date
),

sales as (
    select
        ordered_at::date as date,
        count(*) as count_orders,
        sum(order_revenue) as gmv
    from order_summary
    where not is_cancelled
    group by 1
),

joined as (
    select
        coalesce(traffic.date, sales.date) as date,
        coalesce(traffic.uv, 0) as uv,
        coalesce(sales.count_orders, 0) as count_orders,
        coalesce(sales.gmv, 0) as gmv
    from traffic
    full outer join sales on sales.date = traffic.date
)

select * from joined
