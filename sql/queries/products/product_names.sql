-- The name the orders give each SKU: the one on its latest line (names get corrected over time), for
-- lists that show SKUs, such as the forecast and the supplier's order list.

with

lines as (
    select * from order_lines
),

named as (
    select
        sku,
        arg_max(product_name, order_time) as product_name
    from lines
    where sku is not null and product_name is not null
    group by sku
),

final as (
    select * from named
    order by sku
)

select * from final
