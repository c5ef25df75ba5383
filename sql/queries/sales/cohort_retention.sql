-- Customers grouped by the month of their first order (cancelled orders left out) and, for each month
-- since (0 = the first order's month) up to the last month with orders, the share of the cohort that
-- ordered in that calendar month. Month 0 is the whole cohort, so its share is 1.

with

orders as (
    select * from order_summary
),

kept_orders as (
    select
        customer_id,
        date_trunc('month', ordered_at)::date as order_month
    from orders
    where not is_cancelled
),

last_month as (
    select date_trunc('month', max(ordered_at))::date as last_order_month
    from orders
),

first_months as (
    select
        customer_id,
        min(order_month) as cohort_month
    from kept_orders
    group by customer_id
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_customers
    from first_months
    group by cohort_month
),

cohort_months as (
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_customers,
        unnest(range(0, date_diff('month', cohort_sizes.cohort_month, last_month.last_order_month) + 1))
            as months_since_first_order
    from cohort_sizes
    cross join last_month
),

active_customers as (
    select
        first_months.cohort_month,
        date_diff('month', first_months.cohort_month, kept_orders.order_month) as months_since_first_order,
        count(distinct kept_orders.customer_id) as customers_ordering
    from kept_orders
    inner join first_months using (customer_id)
    group by all
),

final as (
    select
        strftime(cohort_months.cohort_month, '%Y-%m') as cohort,
        cohort_months.months_since_first_order,
        cohort_months.cohort_customers,
        coalesce(active_customers.customers_ordering, 0) as customers_ordering,
        coalesce(active_customers.customers_ordering, 0) / cohort_months.cohort_customers as retention_rate
    from cohort_months
    left join active_customers using (cohort_month, months_since_first_order)
    order by cohort, cohort_months.months_since_first_order
)

select * from final
