-- The repurchase rate for $start..$end (both included): of the customers who had ordered before $start,
-- the share who ordered again on those days. Cancelled orders count for neither.

with

orders as (
    select customer_id, ordered_at::date as order_day
    from order_summary
    where not is_cancelled
),

earlier_customers as (
    select distinct customer_id
    from orders
    where order_day < $start
),

returned as (
    select distinct customer_id
    from orders
    where order_day between $start and $end
),

final as (
    select
        count(*) as earlier_customers,
        count(returned.customer_id) as returning_customers
    from earlier_customers
    left join returned using (customer_id)
)

select * from final
