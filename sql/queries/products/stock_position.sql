-- What each SKU of the inventory file holds: stock on hand and the supplier's lead time, for replenishment.
-- A missing lead time stays null (the owner's default applies later). Upload refuses negative lead times;
-- one below 0 that got in some other way is taken as unknown too.

with

inventory_rows as (
    select * from usable_inventory as inventory
),

per_sku as (
    select
        sku,
        any_value(category) as category,
        sum(stock_on_hand) as on_hand,  -- the file's key is the SKU: one row each, summed for safety
        max(case when lead_time_days >= 0 then lead_time_days end) as lead_time_days,
        any_value(unit_cost) as unit_cost,
        min(listed_date) as listed_date
    from inventory_rows
    group by sku
),

final as (
    select * from per_sku
    order by sku
)

select * from final
