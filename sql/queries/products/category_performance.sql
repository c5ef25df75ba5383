-- Each category's sales in $start..$end against the period before, $previous_start..$previous_end,
-- cancelled orders left out, with the same measures as products/product_performance.sql:
--   sales = line sales; refunded = each line's share of its order's refund (refunded amount / order total,
--   within 0..1); revenue = sales - refunded; return_rate = refunded / sales (by value);
--   growth = now / before - 1, null when the period before had nothing.
-- Orders and customers count an order (a customer) once per category however many of its lines it holds.
-- Lines without a category are left out (the export may carry none).

with

lines as (
    select * from order_lines
),

-- order-level fields sit on every line of an order, so the lines are read alone (see product_performance.sql)
kept_lines as (
    select
        category,
        coalesce(sku, product_name) as product_key,
        order_id,
        customer_id,
        quantity,
        line_revenue,
        line_refunded,
        order_time::date as order_date
    from lines
    where not is_cancelled
        and category is not null
        and order_time::date between $previous_start and $end
),

per_category as (
    select
        category,
        coalesce(sum(quantity) filter (where order_date >= $start), 0) as units,
        coalesce(sum(line_revenue) filter (where order_date >= $start), 0) as sales,
        coalesce(sum(line_refunded) filter (where order_date >= $start), 0) as refunded,
        count(distinct order_id) filter (where order_date >= $start) as orders,
        count(distinct customer_id) filter (where order_date >= $start) as customers,
        count(distinct product_key) filter (where order_date >= $start) as products_sold,
        coalesce(sum(quantity) filter (where order_date <= $previous_end), 0) as units_before,
        coalesce(sum(line_revenue - line_refunded) filter (where order_date <= $previous_end), 0) as revenue_before,
        count(distinct order_id) filter (where order_date <= $previous_end) as orders_before
    from kept_lines
    group by category
),

with_revenue as (
    select
        *,
        sales - refunded as revenue
    from per_category
),

final as (
    select
        category,
        units,
        sales,
        refunded,
        revenue,
        orders,
        customers,
        products_sold,
        revenue / nullif(sum(revenue) over (), 0) as revenue_share,
        units_before,
        revenue_before,
        orders_before,
        case when revenue_before > 0 then revenue / revenue_before - 1 end as revenue_growth,
        case when units_before > 0 then units / units_before - 1 end as units_growth,
        refunded / nullif(sales, 0) as return_rate
    from with_revenue
    order by revenue desc, category
)

select * from final
