-- Each product's sales in $start..$end against the period before, $previous_start..$previous_end, with
-- its ABC class, its stock, how long since it last sold and whether it is new; cancelled orders left out
-- throughout.
-- A product is its SKU, or its name where the export has no SKU (as in sales/top_products.sql).
--
--   sales      = line sales: quantity x unit price - line discount (as sales/top_products.sql)
--   refunded   = the line's share of its order's refund: exports record refunds per order, so an order's
--                refunded share (refunded amount / order total, kept within 0..1) is applied to each of
--                its lines alike
--   revenue    = sales - refunded: line sales net of refunds, as GMV is order totals net of refunds
--   return_rate = refunded / sales: the share of what was ordered that was refunded (by value)
--   growth     = now / before - 1, null when the period before had nothing (never a made-up 0 or inf)
--   abc_class  = by revenue in the period, highest first (ties by product): A while the revenue of the
--                products ranked above it is under 80% of the total, so the product that crosses 80% is
--                still A; B likewise up to 95%; C the rest, including products without revenue in the
--                period; null when the period has no revenue at all
--   days_since_last_sale, days_since_listed = days from the last sale, or the listed date, to $end: a slow
--                    mover (in stock, no sale in the owner's number of days) is picked from them in
--                    core/products/performance.py, so a new number of days asks nothing of the database
--   is_new_product = first sold, or listed, within $start..$end
--
-- Rows: every product sold in either period, and every SKU of the inventory file (sold or not).
-- Everything about sales looks only at orders up to $end.

with

lines as (
    select * from order_lines
),

inventory_rows as (
    select * from usable_inventory as inventory
),

-- Order-level fields (time, status, total, refund, customer) sit on every line of an order (a load copies
-- them down), so the lines are read alone: joining the per-order summary would double the time on 1M lines.
kept_lines as (
    select
        coalesce(sku, product_name) as product_key,
        sku,
        product_name,
        category,
        order_id,
        customer_id,
        quantity,
        line_revenue,
        line_refunded,
        order_time::date as order_date
    from lines
    where not is_cancelled
        and coalesce(sku, product_name) is not null
        and order_time::date <= $end
),

sale_dates as (
    select
        product_key,
        min(sku) as sku,
        min(product_name) as product_name,
        min(category) as category,
        min(order_date) as first_sale_date,
        max(order_date) as last_sale_date
    from kept_lines
    group by product_key
),

-- the distinct counts are the costly part: only the two periods' lines take them
period_figures as (
    select
        product_key,
        coalesce(sum(quantity) filter (where order_date >= $start), 0) as units,
        coalesce(sum(line_revenue) filter (where order_date >= $start), 0) as sales,
        coalesce(sum(line_refunded) filter (where order_date >= $start), 0) as refunded,
        count(distinct order_id) filter (where order_date >= $start) as orders,
        count(distinct customer_id) filter (where order_date >= $start) as customers,
        coalesce(sum(quantity) filter (where order_date <= $previous_end), 0) as units_before,
        coalesce(sum(line_revenue - line_refunded) filter (where order_date <= $previous_end), 0) as revenue_before,
        count(distinct order_id) filter (where order_date <= $previous_end) as orders_before
    from kept_lines
    where order_date >= $previous_start
    group by product_key
),

per_product as (
    select *
    from sale_dates
    left join period_figures using (product_key)
),

stock as (
    select
        sku as product_key,
        any_value(category) as stock_category,
        sum(stock_on_hand) as stock_on_hand,
        any_value(unit_cost) as unit_cost,
        min(listed_date) as listed_date
    from inventory_rows
    group by sku
),

products as (
    select
        coalesce(per_product.product_key, stock.product_key) as product_key,
        coalesce(per_product.sku, case when per_product.product_key is null then stock.product_key end) as sku,
        coalesce(per_product.product_name, per_product.sku, stock.product_key) as product_name,
        coalesce(per_product.category, stock.stock_category) as category,
        coalesce(per_product.units, 0) as units,
        coalesce(per_product.sales, 0) as sales,
        coalesce(per_product.refunded, 0) as refunded,
        coalesce(per_product.sales, 0) - coalesce(per_product.refunded, 0) as revenue,
        coalesce(per_product.orders, 0) as orders,
        coalesce(per_product.customers, 0) as customers,
        coalesce(per_product.units_before, 0) as units_before,
        coalesce(per_product.revenue_before, 0) as revenue_before,
        coalesce(per_product.orders_before, 0) as orders_before,
        per_product.first_sale_date,
        per_product.last_sale_date,
        stock.stock_on_hand,
        stock.unit_cost,
        stock.stock_on_hand * stock.unit_cost as stock_value,
        stock.listed_date
    from per_product
    full outer join stock using (product_key)
    where stock.product_key is not null
        or per_product.orders > 0
        or per_product.orders_before > 0
),

ranked as (
    select
        *,
        sum(revenue) over () as total_revenue,
        coalesce(sum(revenue) over (
            order by revenue desc, product_key rows between unbounded preceding and 1 preceding
        ), 0) as revenue_ranked_above
    from products
),

final as (
    select
        product_key,
        sku,
        product_name,
        category,
        units,
        sales,
        refunded,
        revenue,
        orders,
        customers,
        revenue / nullif(total_revenue, 0) as revenue_share,
        units_before,
        revenue_before,
        orders_before,
        case when revenue_before > 0 then revenue / revenue_before - 1 end as revenue_growth,
        case when units_before > 0 then units / units_before - 1 end as units_growth,
        refunded / nullif(sales, 0) as return_rate,
        case
            when not total_revenue > 0 then null
            when revenue > 0 and revenue_ranked_above < 0.80 * total_revenue then 'A'
            when revenue > 0 and revenue_ranked_above < 0.95 * total_revenue then 'B'
            else 'C'
        end as abc_class,
        first_sale_date,
        last_sale_date,
        $end::date - last_sale_date as days_since_last_sale,
        stock_on_hand,
        unit_cost,
        stock_value,
        listed_date,
        $end::date - listed_date as days_since_listed,
        coalesce(first_sale_date between $start and $end, false)
            or coalesce(listed_date between $start and $end, false) as is_new_product
    from ranked
    order by revenue desc, product_key
)

select * from final
