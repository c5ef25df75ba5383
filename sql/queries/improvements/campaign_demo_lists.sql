-- The demo shop's campaign lists, picked by simple rules from its orders (the demo has no tiers saved when
-- it is built): a win-back list of customers whose last paid order came 90 to 180 days before
-- $win_back_on (Churned-like), the $top_spenders customers who spent most in the year before
-- $top_spenders_on and bought in its last 90 days (VIP-like), and one-order customers whose order came in
-- the 60 days before $one_order_on (Potential-like). One row per list and customer.

with

orders as (
    select * from order_summary
),

paid_orders as (
    select
        customer_id,
        ordered_at::date as order_day,
        coalesce(order_revenue, 0) as order_revenue
    from orders
    where not is_cancelled
),

win_back as (
    select 'win_back' as list_name, customer_id
    from paid_orders
    where order_day < $win_back_on::date
    group by customer_id
    having max(order_day) between $win_back_on::date - 180 and $win_back_on::date - 90
),

spend_before_top_list as (
    select
        customer_id,
        sum(order_revenue) as spend,
        max(order_day) as last_order_day
    from paid_orders
    where order_day < $top_spenders_on::date
      and order_day >= $top_spenders_on::date - 365
    group by customer_id
),

top_spenders as (
    select 'top_spenders' as list_name, customer_id
    from spend_before_top_list
    where last_order_day >= $top_spenders_on::date - 90
    order by spend desc, customer_id
    limit $top_spenders
),

one_order as (
    select 'one_order' as list_name, customer_id
    from paid_orders
    where order_day < $one_order_on::date
    group by customer_id
    having count(*) = 1 and max(order_day) >= $one_order_on::date - 60
),

final as (
    select * from win_back
    union all
    select * from top_spenders
    union all
    select * from one_order
)

select * from final
