-- One row per day across all channels: the totals the bounce-rate alarm looks at.

with

per_day as (
    select
        date,
        sum(uv) as uv,
        sum(uv * bounce_rate) / nullif(sum(uv) filter (where bounce_rate is not null), 0) as bounce_rate,
        sum(uv * add_to_cart_rate) / nullif(sum(uv) filter (where add_to_cart_rate is not null), 0) as add_to_cart_rate
    from usable_traffic_daily
    group by date
)

select * from per_day
