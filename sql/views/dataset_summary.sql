-- One row per dataset: how much data the workspace holds and which dates it covers. The dates are those
-- of the usable rows (sql/views/usable_*.sql); `hidden_count` counts stored rows every page leaves out
-- (a date outside plausible_dates or an amount that is no number, stored before uploads refused them).

with

orders_summary as (
    select
        1 as dataset_order,
        'orders' as dataset_name,
        count(*) as row_count,
        count(distinct order_id) as order_count,
        count(distinct customer_id) as customer_count,
        min(order_time)::date as min_date,
        max(order_time)::date as max_date,
        (select count(*) from orders) - count(*) as hidden_count
    from usable_orders
),

traffic_summary as (
    select 2, 'traffic_daily', count(*), null, null, min(date), max(date),
           (select count(*) from traffic_daily) - count(*) from usable_traffic_daily
),

funnel_summary as (
    select 3, 'funnel_stages', count(*), null, null, min(date), max(date),
           (select count(*) from funnel_stages) - count(*) from usable_funnel_stages
),

spend_summary as (
    select 4, 'marketing_spend', count(*), null, null, min(period_start), max(last_day(period_start)),
           (select count(*) from marketing_spend) - count(*) from usable_marketing_spend
),

experiments_summary as (
    select 5, 'experiments', count(*), null, null, min(coalesce(date, start_date)), max(coalesce(date, end_date)),
           (select count(*) from experiments) - count(*) from usable_experiments
),

inventory_summary as (
    select 6, 'inventory', count(*), null, null, min(listed_date), max(listed_date),
           (select count(*) from inventory) - count(*) from usable_inventory
),

health_inputs_summary as (
    select 7, 'health_inputs', count(*), null, null, null::date, null::date, 0 from health_inputs
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
