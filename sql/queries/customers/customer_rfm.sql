-- Recency, frequency and monetary value per customer as of $as_of (orders before that day only),
-- from $window_start on (null = all history), in customer_id order: the 1-5 quintile scores split ties by
-- that order (core/customers/rfm.py, decision 0003). Cancelled orders do not count; monetary is net of refunds
-- and leaves out price outliers when the owner asks (order_summary.revenue_for_averages).

with

orders as (
    select * from order_summary
),

counted_orders as (
    select
        order_id,
        customer_id,
        ordered_at,
        revenue_for_averages
    from orders
    where not is_cancelled
        and customer_id is not null
        and ordered_at < cast($as_of as date)
        and (cast($window_start as date) is null or ordered_at >= cast($window_start as date))
),

per_customer as (
    select
        customer_id,
        count(*) as frequency,  -- distinct orders: order_summary has one row per order
        coalesce(sum(revenue_for_averages), 0) as monetary,
        max(ordered_at) as last_ordered_at
    from counted_orders
    group by customer_id
),

with_recency as (
    select
        *,
        date_diff('day', cast(last_ordered_at as date), cast($as_of as date)) as recency_days
    from per_customer
),

final as (
    select
        customer_id,
        recency_days,
        frequency,
        monetary
    from with_recency
    order by customer_id
)

select * from final
