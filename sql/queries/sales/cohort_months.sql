-- Customers grouped by the month of their first order (cancelled orders left out) and, for each month
-- since (0 = the first order's month) up to the last month with orders: the share of the cohort that
-- ordered in that calendar month (retention; month 0 is the whole cohort, so 1), and the cohort's revenue
-- (order totals net of refunds) from its first month through that one per customer (lifetime value). Per customer counts revenue_for_averages: price outliers leave it when
-- the owner asks (order_summary.sql); cumulative_revenue keeps them.

with

orders as (
    select * from order_summary
),

kept_orders as (
    select
        customer_id,
        date_trunc('month', ordered_at)::date as order_month,
        order_revenue,
        revenue_for_averages
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

monthly_activity as (
    select
        first_months.cohort_month,
        date_diff('month', first_months.cohort_month, kept_orders.order_month) as months_since_first_order,
        count(distinct kept_orders.customer_id) as customers_ordering,
        sum(kept_orders.order_revenue) as revenue,
        sum(kept_orders.revenue_for_averages) as revenue_for_averages
    from kept_orders
    inner join first_months using (customer_id)
    group by all
),

with_running_revenue as (
    select
        cohort_months.cohort_month,
        cohort_months.months_since_first_order,
        cohort_months.cohort_customers,
        coalesce(monthly_activity.customers_ordering, 0) as customers_ordering,
        sum(coalesce(monthly_activity.revenue, 0)) over (
            partition by cohort_months.cohort_month
            order by cohort_months.months_since_first_order
        ) as cumulative_revenue,
        sum(coalesce(monthly_activity.revenue_for_averages, 0)) over (
            partition by cohort_months.cohort_month
            order by cohort_months.months_since_first_order
        ) as cumulative_revenue_for_averages
    from cohort_months
    left join monthly_activity using (cohort_month, months_since_first_order)
),

final as (
    select
        strftime(cohort_month, '%Y-%m') as cohort,
        months_since_first_order,
        cohort_customers,
        customers_ordering,
        customers_ordering / cohort_customers as retention_rate,
        cumulative_revenue,
        cumulative_revenue_for_averages / cohort_customers as cumulative_revenue_per_customer
    from with_running_revenue
    order by cohort, months_since_first_order
)

select * from final
