-- Units sold per SKU and week, the history the demand forecast learns from. Weeks end at $as_of, not on
-- a calendar weekday, so the last week is always a full one: week k back is [$as_of - 7(k+1), $as_of - 7k).
-- Only orders placed before $as_of and not cancelled count (units sold, refunds not taken off); lines
-- without a SKU are skipped. Each SKU gets every week from its first sale (or from $weeks weeks back, when
-- given) up to $as_of, weeks without a sale as 0, so the forecast sees the quiet weeks too.

with

lines as (
    select * from order_lines
),

orders as (
    select * from order_summary
),

sold_lines as (
    select
        lines.sku,
        lines.quantity,
        -- whole weeks between the order and $as_of: 0 for the 7 days just before it
        (($as_of::date - orders.ordered_at::date) - 1) // 7 as weeks_back
    from lines
    inner join orders using (order_id)
    where not orders.is_cancelled
        and lines.sku is not null
        and orders.ordered_at::date < $as_of::date
),

kept_lines as (
    select * from sold_lines
    where weeks_back < coalesce($weeks::integer, 2147483647)
),

units_per_sku_week as (
    select sku, weeks_back, sum(quantity) as units
    from kept_lines
    group by sku, weeks_back
),

first_sale_per_sku as (
    select sku, max(weeks_back) as first_sale_weeks_back
    from units_per_sku_week
    group by sku
),

all_weeks as (
    select unnest(range(0, coalesce(max(first_sale_weeks_back), -1) + 1)) as weeks_back
    from first_sale_per_sku
),

every_sku_week as (
    select first_sale_per_sku.sku, all_weeks.weeks_back
    from first_sale_per_sku
    inner join all_weeks on all_weeks.weeks_back <= first_sale_per_sku.first_sale_weeks_back
),

final as (
    select
        every_sku_week.sku,
        ($as_of::date - (7 * (every_sku_week.weeks_back + 1))::integer) as week_start,
        coalesce(units_per_sku_week.units, 0) as units
    from every_sku_week
    left join units_per_sku_week using (sku, weeks_back)
    order by every_sku_week.sku, week_start
)

select * from final
