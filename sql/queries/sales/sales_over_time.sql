-- Sales per day, week (from Monday) or month ($grain) over $start..$end: GMV net of refunds, orders and
-- customers, new and returning, cancelled orders left out. A period cut by $start or $end counts only its
-- days inside, and a customer is new in it when their first kept order ever falls on one of those days.
-- Every period in the range has a row; one without orders has zeros and no average order value. The
-- average leaves out the lines order_summary leaves out of averages (price outliers, when the owner asks).

with

orders as (
    select * from order_summary
),

kept_orders as (
    select * from orders
    where not is_cancelled
),

first_orders as (
    select
        customer_id,
        min(ordered_at)::date as first_order_date
    from kept_orders
    group by customer_id
),

periods as (
    select
        period_start::date as period_start,
        greatest(period_start::date, $start::date) as first_day_counted
    from (
        select unnest(generate_series(
            date_trunc($grain, $start::date), date_trunc($grain, $end::date), ('1 ' || $grain)::interval
        )) as period_start
    )
),

period_orders as (
    select
        date_trunc($grain, ordered_at)::date as period_start,
        customer_id,
        order_revenue,
        revenue_for_averages
    from kept_orders
    where ordered_at::date between $start and $end
),

order_totals as (
    select
        period_start,
        sum(order_revenue) as gmv,
        count(*) as orders,
        sum(revenue_for_averages) / nullif(count(revenue_for_averages), 0) as aov
    from period_orders
    group by period_start
),

period_customers as (
    select distinct
        period_orders.period_start,
        period_orders.customer_id,
        first_orders.first_order_date
    from period_orders
    inner join first_orders using (customer_id)
),

customer_kinds as (
    select
        period_customers.period_start,
        count(*) as customers,
        count(*) filter (where period_customers.first_order_date >= periods.first_day_counted) as new_customers,
        count(*) filter (where period_customers.first_order_date < periods.first_day_counted) as returning_customers
    from period_customers
    inner join periods using (period_start)
    group by period_customers.period_start
),

final as (
    select
        case when $grain = 'month' then strftime(periods.period_start, '%Y-%m')
            else strftime(periods.period_start, '%Y-%m-%d') end as period,
        periods.period_start,
        coalesce(order_totals.gmv, 0) as gmv,
        coalesce(order_totals.orders, 0) as orders,
        coalesce(customer_kinds.customers, 0) as customers,
        coalesce(customer_kinds.new_customers, 0) as new_customers,
        coalesce(customer_kinds.returning_customers, 0) as returning_customers,
        order_totals.aov
    from periods
    left join order_totals using (period_start)
    left join customer_kinds using (period_start)
    order by periods.period_start
)

select * from final
