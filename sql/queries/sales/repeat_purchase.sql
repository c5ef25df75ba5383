-- How many customers came back: the share with two or more orders (cancelled ones left out) and the
-- median number of calendar days between a customer's first and second order.

with

orders as (
    select * from order_summary
),

numbered_orders as (
    select
        customer_id,
        ordered_at,
        row_number() over (partition by customer_id order by ordered_at, order_id) as order_number
    from orders
    where not is_cancelled
),

first_two_orders as (
    select
        customer_id,
        min(ordered_at) filter (where order_number = 1) as first_order_at,
        min(ordered_at) filter (where order_number = 2) as second_order_at
    from numbered_orders
    where order_number <= 2
    group by customer_id
),

final as (
    select
        count(*) as customers,
        count(second_order_at) as repeat_customers,
        count(second_order_at) / nullif(count(*), 0) as repeat_customer_rate,
        median(date_diff('day', first_order_at::date, second_order_at::date)) as median_days_to_second_order
    from first_two_orders
)

select * from final
