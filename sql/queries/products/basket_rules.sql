-- Bought together: pairwise rules "orders with product A also hold product B", from orders that were not
-- cancelled, with the rules meeting both $min_support and $min_confidence, strongest lift first.
--
-- A product is its SKU, or its name where a line has no SKU (as in sales/top_products.sql); a product on
-- two lines of one order counts once. The base, `orders`, is the non-cancelled orders with at least one
-- line naming a product: a line with neither SKU nor name cannot be in any rule, so an order made only of
-- such lines is left out of the base too (counting it would shrink every support and inflate every lift).
-- An order is cancelled when any of its lines says so (as in order_summary).
--   support    = orders with both / orders
--   confidence = orders with both / orders with the antecedent
--   lift       = confidence / (orders with the consequent / orders), worked out as
--                both * orders / (antecedent orders * consequent orders), so A->B and B->A get the same lift
--
-- Speed (1M lines): one pass per order finds cancelled orders and whether an order holds two or more
-- products (its first and last product differ); only those orders' lines go to the pair self-join, and an
-- order of one product adds to that product's count without a join. A pair's support cannot exceed either
-- product's, so products below $min_support leave before the join. Each unordered pair is counted once
-- and then read in both directions.
--
-- Every row carries the base (orders, multi_product_orders); when no rule qualifies there is still one row,
-- with the base and empty rule columns, so one scan answers both.

with

lines as (
    select * from order_lines
),

per_order as (
    select
        order_id,
        bool_or(is_cancelled) as is_cancelled,
        min(coalesce(sku, product_name)) as first_product,
        max(coalesce(sku, product_name)) as last_product
    from lines
    group by order_id
),

kept_orders as (
    select
        order_id,
        first_product,
        first_product <> last_product as holds_several_products
    from per_order
    where not is_cancelled
        and first_product is not null
),

base as (
    select
        count(*) as orders,
        count(*) filter (where holds_several_products) as multi_product_orders
    from kept_orders
),

orders_with_several_products as (
    select order_id
    from kept_orders
    where holds_several_products
),

multi_product_lines as (
    select distinct
        lines.order_id,
        coalesce(lines.sku, lines.product_name) as product
    from lines
    semi join orders_with_several_products using (order_id)
    where coalesce(lines.sku, lines.product_name) is not null
),

products_in_orders as (
    select product from multi_product_lines
    union all
    select first_product as product from kept_orders where not holds_several_products
),

product_orders as (
    select
        product,
        count(*) as count_orders
    from products_in_orders
    group by product
),

frequent_products as (
    select product_orders.*
    from product_orders
    cross join base
    where product_orders.count_orders / base.orders >= $min_support
),

frequent_lines as (
    select multi_product_lines.*
    from multi_product_lines
    semi join frequent_products using (product)
),

pairs as (
    select
        first_product.product as product_a,
        second_product.product as product_b,
        count(*) as count_orders_together
    from frequent_lines as first_product
    inner join frequent_lines as second_product
        on first_product.order_id = second_product.order_id
        and first_product.product < second_product.product
    group by all
),

frequent_pairs as (
    select pairs.*
    from pairs
    cross join base
    where pairs.count_orders_together / base.orders >= $min_support
),

both_directions as (
    select product_a as antecedent, product_b as consequent, count_orders_together from frequent_pairs
    union all
    select product_b as antecedent, product_a as consequent, count_orders_together from frequent_pairs
),

measured as (
    select
        both_directions.antecedent,
        both_directions.consequent,
        both_directions.count_orders_together,
        antecedent_orders.count_orders as count_antecedent_orders,
        consequent_orders.count_orders as count_consequent_orders,
        both_directions.count_orders_together / base.orders as support,
        both_directions.count_orders_together / antecedent_orders.count_orders as confidence,
        both_directions.count_orders_together::double * base.orders
            / (antecedent_orders.count_orders::double * consequent_orders.count_orders) as lift
    from both_directions
    cross join base
    inner join frequent_products as antecedent_orders on antecedent_orders.product = both_directions.antecedent
    inner join frequent_products as consequent_orders on consequent_orders.product = both_directions.consequent
),

rules as (
    select *
    from measured
    where confidence >= $min_confidence
),

product_names as (
    select
        coalesce(sku, product_name) as product,
        arg_max(product_name, order_time) filter (where product_name is not null) as product_name  -- the latest, as product_names.sql
    from lines
    where coalesce(sku, product_name) in (select antecedent from rules union select consequent from rules)
    group by all
),

final as (
    select
        base.orders,
        base.multi_product_orders,
        rules.antecedent,
        rules.consequent,
        antecedent_names.product_name as antecedent_name,
        consequent_names.product_name as consequent_name,
        rules.count_orders_together,
        rules.count_antecedent_orders,
        rules.count_consequent_orders,
        rules.support,
        rules.confidence,
        rules.lift
    from base
    left join rules on true
    left join product_names as antecedent_names on antecedent_names.product = rules.antecedent
    left join product_names as consequent_names on consequent_names.product = rules.consequent
    order by
        rules.lift desc nulls last,
        rules.count_orders_together desc,
        antecedent_name,
        consequent_name,
        rules.antecedent,
        rules.consequent
)

select * from final
