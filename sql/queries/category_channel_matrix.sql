-- Category x channel for the last $days days to the data's end: GMV (line revenue), its share, and
-- its growth against the $days days before, the basis of the analysis matrix.

with

lines as (
    select * from order_lines
    where not is_cancelled and category is not null and channel is not null
),

bounds as (
    select max(order_time)::date as last_day from lines
),

periods as (
    select
        lines.category,
        lines.channel,
        sum(line_revenue) filter (where order_time::date > last_day - $days::integer) as gmv,
        sum(line_revenue) filter (where order_time::date <= last_day - $days::integer
                                    and order_time::date > last_day - 2 * $days::integer) as gmv_before
    from lines, bounds
    group by all
),

final as (
    select
        category,
        channel,
        coalesce(gmv, 0) as gmv,
        coalesce(gmv, 0) / nullif(sum(coalesce(gmv, 0)) over (), 0) as share_of_gmv,
        coalesce(gmv, 0) / nullif(gmv_before, 0) - 1 as growth
    from periods
)

select * from final order by gmv desc
