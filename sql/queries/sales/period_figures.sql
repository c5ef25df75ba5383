-- One period's sales, $start..$end (days, both included). Cancelled orders are left out of GMV (order
-- totals net of refunds), orders, units and customers and counted on their own; refunds are those of the
-- orders kept. A customer is new when their first kept order ever falls in the period, returning when
-- they also ordered before it. Averages (AOV) take revenue_for_averages over orders_for_averages: the
-- orders and revenue left when price outliers leave averages (order_summary.revenue_for_averages).

with

orders as not materialized (  -- read where each use filters it, not copied whole (5.6M orders at 10M lines)
    select * from order_summary
),

lines as (
    -- an order's time is its earliest line's (order_rollup.sql), so an order placed on or after $start has no
    -- line before it: older lines, most of a long history, leave before the join instead of filling it
    select * from order_lines
    where order_time >= $start
),

period_orders as (
    select * from orders
    where ordered_at::date between $start and $end
),

kept_period_orders as (
    select * from period_orders
    where not is_cancelled
),

order_totals as (
    select
        coalesce(sum(order_revenue) filter (where not is_cancelled), 0) as gmv,
        count(*) filter (where not is_cancelled) as orders,
        coalesce(sum(revenue_for_averages) filter (where not is_cancelled), 0) as revenue_for_averages,
        count(revenue_for_averages) filter (where not is_cancelled) as orders_for_averages,
        count(*) filter (where not is_cancelled and refunded_amount > 0) as refunded_orders,
        coalesce(sum(refunded_amount) filter (where not is_cancelled), 0) as refunded_amount,
        count(*) filter (where is_cancelled) as cancelled_orders,
        coalesce(sum(order_total) filter (where is_cancelled), 0) as cancelled_amount
    from period_orders
),

unit_totals as (
    select coalesce(sum(lines.quantity), 0) as units
    from lines
    inner join kept_period_orders using (order_id)
),

period_customers as (
    select distinct customer_id
    from kept_period_orders
),

first_orders as (  -- of the period's customers only
    select
        customer_id,
        min(ordered_at)::date as first_order_date
    from orders
    semi join period_customers using (customer_id)
    where not is_cancelled
    group by customer_id
),

customer_kinds as (
    select
        count(*) as customers,
        count(*) filter (where first_orders.first_order_date >= $start) as new_customers,
        count(*) filter (where first_orders.first_order_date < $start) as returning_customers
    from period_customers
    inner join first_orders using (customer_id)
),

final as (
    select
        order_totals.gmv,
        order_totals.orders,
        order_totals.revenue_for_averages,
        order_totals.orders_for_averages,
        unit_totals.units,
        customer_kinds.customers,
        customer_kinds.new_customers,
        customer_kinds.returning_customers,
        order_totals.refunded_orders,
        order_totals.refunded_amount,
        order_totals.cancelled_orders,
        order_totals.cancelled_amount
    from order_totals
    cross join unit_totals
    cross join customer_kinds
)

select * from final
