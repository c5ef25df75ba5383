-- Recency, frequency and monetary value per customer as of $as_of (orders before that day only),
-- from $window_start on (null = all history), with 1-5 quintile scores. Cancelled orders do not count;
-- monetary is net of refunds and leaves out price outliers when the owner asks
-- (order_summary.revenue_for_averages). Quintiles split ties by customer_id so the same data scores the same way.

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
        min(ordered_at) as first_ordered_at,
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

scored as (
    select
        customer_id,
        recency_days,
        frequency,
        monetary,
        last_ordered_at,
        first_ordered_at,
        -- the most recent customers land in the top fifth
        ntile(5) over (order by recency_days desc, customer_id) as r_score,
        ntile(5) over (order by frequency, customer_id) as f_score,
        ntile(5) over (order by monetary, customer_id) as m_score
    from with_recency
),

final as (
    select * from scored
    order by customer_id
)

select * from final
