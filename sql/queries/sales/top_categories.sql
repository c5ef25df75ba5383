-- The $top best-selling categories of $start..$end by line sales (quantity x unit price - line discount),
-- cancelled orders left out, with their units and their sales in the period before,
-- $previous_start..$previous_end, for the growth (none when they did not sell before).

with

lines as (
    -- an order's time is its earliest line's (order_rollup.sql), so an order placed on or after $previous_start
    -- has no line before it: older lines, most of a long history, leave before the join instead of filling it
    select * from order_lines
    where order_time >= $previous_start
),

orders as (
    select * from order_summary
),

kept_lines as (
    select
        lines.category,
        lines.quantity,
        lines.line_revenue,
        orders.ordered_at::date as order_date
    from lines
    inner join orders using (order_id)
    where not orders.is_cancelled
        and lines.category is not null
        and orders.ordered_at::date between $previous_start and $end
),

per_category as (
    select
        category,
        count(*) filter (where order_date >= $start) as lines_in_period,
        coalesce(sum(quantity) filter (where order_date >= $start), 0) as units,
        coalesce(sum(line_revenue) filter (where order_date >= $start), 0) as sales,
        coalesce(sum(line_revenue) filter (where order_date <= $previous_end), 0) as sales_before
    from kept_lines
    group by category
),

final as (
    select
        category,
        units,
        sales,
        sales_before,
        sales / nullif(sales_before, 0) - 1 as sales_growth
    from per_category
    where lines_in_period > 0
    order by sales desc, category
    limit $top
)

select * from final
