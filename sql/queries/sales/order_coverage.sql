-- What the orders export holds: its first and last day, and whether it carries an order status (for
-- cancellations), refund amounts, products and categories, so a figure the export cannot give is shown
-- as missing, never as 0. A load fills a missing status with 'completed' and a missing refund with 0, so
-- an export carries them when a load mapped the column (load_log.mapped_fields), or, for loads made before
-- loads remembered their columns, when some order says otherwise.

with

orders as (
    select * from order_summary
),

lines as (
    select * from order_lines
),

loaded_fields as (
    select
        coalesce(bool_or(list_contains(mapped_fields, 'status')), false) as loaded_status,
        coalesce(bool_or(list_contains(mapped_fields, 'refunded_amount')), false) as loaded_refunds
    from load_log
    where dataset = 'orders'
),

order_facts as (
    select
        min(ordered_at)::date as first_order_date,
        max(ordered_at)::date as last_order_date,
        coalesce(bool_or(lower(status) <> 'completed'), false) as has_other_status,
        coalesce(bool_or(refunded_amount > 0), false) as has_refunds
    from orders
),

line_facts as (
    select
        count(coalesce(sku, product_name)) > 0 as carries_products,
        count(category) > 0 as carries_categories
    from lines
),

final as (
    select
        order_facts.first_order_date,
        order_facts.last_order_date,
        loaded_fields.loaded_status or order_facts.has_other_status as carries_status,
        loaded_fields.loaded_refunds or order_facts.has_refunds as carries_refunds,
        line_facts.carries_products,
        line_facts.carries_categories
    from order_facts
    cross join line_facts
    cross join loaded_fields
)

select * from final
