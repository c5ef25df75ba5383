-- Visitors and the UV-weighted bounce rate for $start..$end (both included), optionally for one $channel.
-- Bounced visitors are uv x bounce_rate summed over the rows that report a bounce rate, so the rate is
-- bounced_visitors / visitors_with_bounce (a proportion a two-proportion test can compare).

with

traffic as (
    select * from usable_traffic_daily as traffic_daily
    where date between $start and $end
      and ($channel is null or channel = $channel)
),

final as (
    select
        sum(uv) as uv,
        sum(uv * bounce_rate) as bounced_visitors,
        sum(uv) filter (where bounce_rate is not null) as visitors_with_bounce
    from traffic
)

select * from final
