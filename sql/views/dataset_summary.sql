-- One row per dataset: how much data the workspace holds and which dates it covers.

with

orders_summary as (
    select
        1 as dataset_order,
        'orders' as dataset_name,
        count(*) as row_count,
        count(distinct order_id) as order_count,
        count(distinct customer_id) as customer_count,
        min(order_time)::date as min_date,
        max(order_time)::date as max_date
    from orders
),

traffic_summary as (
    select 2, 'traffic_daily', count(*), null, null, min(date), max(date) from traffic_daily
),

funnel_summary as (
    select 3, 'funnel_stages', count(*), null, null, min(date), max(date) from funnel_stages
),

spend_summary as (
    select 4, 'marketing_spend', count(*), null, null, min(period_start),
           max(last_day(period_start)) from marketing_spend
),

experiments_summary as (
    select 5, 'experiments', count(*), null, null, min(coalesce(date, start_date)),
           max(coalesce(date, end_date)) from experiments
),

inventory_summary as (
    select 6, 'inventory', count(*), null, null, min(listed_date), max(listed_date) from inventory
),

health_inputs_summary as (
    select 7, 'health_inputs', count(*), null, null, null::date, null::date from health_inputs
),

joined as (
    select * from orders_summary
    union all select * from traffic_summary
    union all select * from funnel_summary
    union all select * from spend_summary
    union all select * from experiments_summary
    union all select * from inventory_summary
    union all select * from health_inputs_summary
)

select * from joined
