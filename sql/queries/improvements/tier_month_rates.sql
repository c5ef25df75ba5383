-- Monthly repurchase and retention per customer tier (the touch plan's KPIs), for the last $months
-- calendar months of the order data. Each customer's tier comes from the caller (`customer_tiers`:
-- customer_id, tier), so a customer counts in one tier every month.
-- Repurchase: of the tier's customers whose first paid order came before the month, the share who placed a
-- paid order in it (any order of theirs in the month is a repeat purchase).
-- Retention: of the tier's customers who placed a paid order in the month before, the share who placed
-- one in this month too. Cancelled orders count as no order.

with

tiers as (
    select distinct customer_id::varchar as customer_id, tier::varchar as tier
    from customer_tiers
),

orders as (
    select * from order_summary
),

paid_orders as (
    select
        customer_id,
        date_trunc('month', ordered_at)::date as order_month
    from orders
    where not is_cancelled
),

data_span as (
    select
        date_trunc('month', min(ordered_at))::date as first_month,
        date_trunc('month', max(ordered_at))::date as last_month,
        max(ordered_at)::date as last_order_day
    from orders
),

months as (
    select
        unnest(generate_series(
            greatest(first_month, last_month - to_months($months::integer - 1)),
            last_month,
            interval 1 month
        ))::date as month,
        last_order_day
    from data_span
    where last_month is not null
),

customer_months as (
    select distinct customer_id, order_month
    from paid_orders
),

first_paid_months as (
    select customer_id, min(order_month) as first_month
    from paid_orders
    group by customer_id
),

customer_in_month as (
    select
        months.month,
        months.last_order_day,
        tiers.tier,
        tiers.customer_id,
        coalesce(first_paid_months.first_month < months.month, false) as was_customer_before,
        this_month.customer_id is not null as ordered_this_month,
        previous_month.customer_id is not null as ordered_previous_month
    from months
    cross join tiers
    left join first_paid_months
        on first_paid_months.customer_id = tiers.customer_id
    left join customer_months as this_month
        on this_month.customer_id = tiers.customer_id
        and this_month.order_month = months.month
    left join customer_months as previous_month
        on previous_month.customer_id = tiers.customer_id
        and previous_month.order_month = (months.month - interval 1 month)::date
),

tier_months as (
    select
        month,
        tier,
        any_value(last_order_day) >= last_day(month) as month_complete,
        count(*) as tier_customers,
        count(*) filter (where was_customer_before) as customers_before_month,
        count(*) filter (where was_customer_before and ordered_this_month) as repeat_buyers,
        count(*) filter (where ordered_previous_month) as previous_month_buyers,
        count(*) filter (where ordered_previous_month and ordered_this_month) as retained_buyers
    from customer_in_month
    group by month, tier
),

final as (
    select
        month,
        tier,
        month_complete,
        tier_customers,
        customers_before_month,
        repeat_buyers,
        repeat_buyers / nullif(customers_before_month, 0) as repurchase_rate,
        previous_month_buyers,
        retained_buyers,
        retained_buyers / nullif(previous_month_buyers, 0) as retention_rate
    from tier_months
)

select * from final
