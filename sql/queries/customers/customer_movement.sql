-- Each customer's recency, frequency and monetary value on two days, for tier movement: as customer_rfm.sql
-- counts them on $before (orders before that day, from $before_window_start on) and on $after (orders before
-- it, from $after_window_start on; null = all history), in one pass over the orders. A customer with no counted
-- order on a day has a frequency of 0 there; customers with none on either day are left out.

with

orders as (
    select * from order_summary
),

counted_orders as (
    select
        customer_id,
        ordered_at,
        revenue_for_averages,
        ordered_at < cast($before as date)
            and (cast($before_window_start as date) is null
                 or ordered_at >= cast($before_window_start as date)) as counts_before,
        cast($after_window_start as date) is null
            or ordered_at >= cast($after_window_start as date) as counts_after
    from orders
    where not is_cancelled
        and customer_id is not null
        and ordered_at < cast($after as date)
),

per_customer as (
    select
        customer_id,
        count(*) filter (where counts_before) as frequency_before,
        coalesce(sum(revenue_for_averages) filter (where counts_before), 0) as monetary_before,
        max(ordered_at) filter (where counts_before) as last_ordered_before,
        count(*) filter (where counts_after) as frequency_after,
        coalesce(sum(revenue_for_averages) filter (where counts_after), 0) as monetary_after,
        max(ordered_at) filter (where counts_after) as last_ordered_after
    from counted_orders
    group by customer_id
),

final as (
    select
        customer_id,
        date_diff('day', cast(last_ordered_before as date), cast($before as date)) as recency_days_before,
        frequency_before,
        monetary_before,
        date_diff('day', cast(last_ordered_after as date), cast($after as date)) as recency_days_after,
        frequency_after,
        monetary_after
    from per_customer
    where frequency_before > 0 or frequency_after > 0
    order by customer_id
)

select * from final
