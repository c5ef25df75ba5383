-- One row per day and channel: visitors, their share of the day, and UV-weighted bounce and add-to-cart rates.

with

per_channel as (
    select
        date,
        channel,
        sum(uv) as uv,
        sum(uv * bounce_rate) / nullif(sum(uv) filter (where bounce_rate is not null), 0) as bounce_rate,
        sum(uv * add_to_cart_rate) / nullif(sum(uv) filter (where add_to_cart_rate is not null), 0) as add_to_cart_rate
    from usable_traffic_daily
    group by date, channel
),

with_share as (
    select
        *,
        uv / nullif(sum(uv) over (partition by date), 0) as share_of_uv
    from per_channel
)

select * from with_share
