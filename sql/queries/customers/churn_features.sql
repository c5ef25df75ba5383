-- Churn features per customer as of $cutoff, from orders placed before it only, and whether the
-- customer then bought nothing in the $horizon_days after it (the label, when it has been observed).
-- Only customers who ordered in the $active_days days before the cutoff count: the ones there is still something to lose.
-- Money features leave out price outliers when the owner asks (order_summary.revenue_for_averages), as RFM does.

with

paid_orders as (
    select customer_id, ordered_at, revenue_for_averages
    from order_summary
    where not is_cancelled and customer_id is not null
),

before_cutoff as (
    select * from paid_orders where ordered_at < $cutoff::timestamp
),

after_cutoff as (
    select customer_id, count(*) as orders_in_horizon
    from paid_orders
    where ordered_at >= $cutoff::timestamp
      and ordered_at < $cutoff::timestamp + to_days($horizon_days::integer)
    group by customer_id
),

per_customer as (
    select
        customer_id,
        date_diff('day', max(ordered_at)::date, $cutoff::date) as recency_days,
        count(*) as frequency,
        coalesce(sum(revenue_for_averages), 0) as monetary,
        date_diff('day', min(ordered_at)::date, $cutoff::date) as tenure_days,
        coalesce(avg(revenue_for_averages), 0) as avg_order_value,
        count(*) filter (where ordered_at >= $cutoff::timestamp - interval 90 day) as orders_last_90d,
        count(*) filter (where ordered_at >= $cutoff::timestamp - interval 180 day) as orders_last_180d,
        coalesce(sum(revenue_for_averages) filter (where ordered_at >= $cutoff::timestamp - interval 90 day), 0)
            as revenue_last_90d,
        max(ordered_at) as last_ordered_at
    from before_cutoff
    group by customer_id
),

active as (
    select * from per_customer
    where last_ordered_at >= $cutoff::timestamp - to_days($active_days::integer)
),

labelled as (
    select
        active.* exclude (last_ordered_at),
        -- the usual gap between orders; a single order's gap is its age
        case when frequency > 1 then tenure_days / (frequency - 1) else tenure_days end::double
            as days_between_orders,
        coalesce(after_cutoff.orders_in_horizon, 0) = 0 as churned
    from active
    left join after_cutoff using (customer_id)
)

select * from labelled
order by customer_id
