-- Category x channel (x customer tier when $by_tier) for the $days days before $until against the
-- $days days before those: GMV (line revenue), its share and its growth, the basis of the analysis
-- matrix. `customer_tiers` (customer_id, period, tier) is handed in by the caller: each buyer's tier
-- at the start of each period, so the growth of a tier compares like with like.

with

lines as (
    select * from order_lines
    where not is_cancelled and category is not null and channel is not null
),

tiers as (
    select customer_id::varchar as customer_id, period::varchar as period, tier::varchar as tier
    from customer_tiers
),

windowed_lines as (
    select
        category,
        channel,
        customer_id,
        line_revenue,
        case when order_time >= cast($until as date) - $days::integer then 'recent' else 'before' end as period
    from lines
    where order_time < cast($until as date)
        and order_time >= cast($until as date) - 2 * $days::integer
),

tiered_lines as (
    select
        windowed_lines.*,
        -- one group per category and channel unless tiers are asked for;
        -- a buyer with no orders before the period is new
        case when $by_tier::boolean then coalesce(tiers.tier, 'New') end as customer_tier
    from windowed_lines
    left join tiers
        on $by_tier::boolean
        and tiers.customer_id = windowed_lines.customer_id
        and tiers.period = windowed_lines.period
),

periods as (
    select
        category,
        channel,
        customer_tier,
        sum(line_revenue) filter (where period = 'recent') as gmv,
        sum(line_revenue) filter (where period = 'before') as gmv_before
    from tiered_lines
    group by all
),

final as (
    select
        category,
        channel,
        customer_tier,
        coalesce(gmv, 0) as gmv,
        coalesce(gmv, 0) / nullif(sum(coalesce(gmv, 0)) over (), 0) as share_of_gmv,
        coalesce(gmv, 0) / nullif(gmv_before, 0) - 1 as growth
    from periods
)

select * from final order by gmv desc
