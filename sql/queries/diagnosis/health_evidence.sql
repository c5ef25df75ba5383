-- The measured inputs of the health scorecard for the period $start..$end (dates, inclusive).
-- Sell-through looks back $sell_through_days days and turnover $turnover_days days from $end (core/diagnosis/health.py).
-- Both are about the stock, so both come from the inventory file alone: without it they are null, not
-- guessed from the SKUs that happen to appear in the orders.

with

period_orders as (
    select * from order_summary
    where ordered_at::date between $start and $end and not is_cancelled
),

returns as (
    select
        count(*) as count_orders,
        count(*) filter (where refunded_amount > 0 or lower(coalesce(status, '')) in ('refunded', '已退款', '退款成功'))
            as count_returned_orders
    from period_orders
),

sold_recently as (
    -- SKUs with a sale in the $sell_through_days days to the period's end
    select distinct sku
    from order_lines
    where sku is not null and not is_cancelled
      and order_time::date between $end - ($sell_through_days::integer - 1) and $end
),

stocked_skus as (
    select distinct sku from usable_inventory as inventory
),

sell_through as (
    -- the share of the SKUs in the inventory file that sold recently
    select
        count(*) as count_skus,
        count(sold_recently.sku) as count_skus_sold_recently
    from stocked_skus
    left join sold_recently using (sku)
),

cost_of_goods as (
    -- the $turnover_days days to the period's end, at inventory unit cost
    select
        sum(order_lines.quantity * inventory.unit_cost) as cost_of_goods_sold
    from order_lines
    join usable_inventory as inventory using (sku)
    where not order_lines.is_cancelled
      and order_lines.order_time::date between $end - ($turnover_days::integer - 1) and $end
),

stock_value as (
    select sum(stock_on_hand * unit_cost) as inventory_value
    from usable_inventory as inventory
),

traffic as (
    select
        sum(uv) as uv,
        sum(uv * bounce_rate) / nullif(sum(uv) filter (where bounce_rate is not null), 0) as bounce_rate
    from usable_traffic_daily as traffic_daily
    where date between $start and $end
),

data_span as (
    select min(order_time)::date as first_order_date from usable_orders as orders
),

joined as (
    select * from returns, sell_through, cost_of_goods, stock_value, traffic, data_span
)

select * from joined
