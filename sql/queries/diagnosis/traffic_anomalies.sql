-- Days from $start to $end (null: no limit) the daily traffic report should flag, by the playbook's
-- thresholds, bound from core/diagnosis/traffic.py:
--  * a channel's UV $uv_drop (20%) or more below its baseline: the median of the same weekday over the
--    previous $baseline_weeks (4) weeks, with at least $min_baseline_weeks (2) of them seen, so a quiet Monday is compared with Mondays and weekly seasonality raises no alarm;
--  * a day whose bounce rate across all channels is above $high_bounce (70%), channel 'all', metric high_bounce;
--  * a channel whose bounce rate that day is above $high_bounce, metric high_bounce_channel: the playbook
--    flags channels, and one channel at 78% inside a normal day would otherwise go unseen.

with

channel_days as (
    select * from daily_channel_traffic
),

channel_baselines as (
    select
        date,
        channel,
        uv,
        median(uv) over same_weekday_before as baseline_uv,
        count(uv) over same_weekday_before as count_baseline_weeks
    from channel_days
    window same_weekday_before as (
        partition by channel, dayofweek(date)
        order by date
        range between to_days($baseline_weeks::integer * 7) preceding and interval 1 day preceding
    )
),

uv_drops as (
    select
        date,
        channel,
        'uv_drop' as metric,
        uv::double as value,
        baseline_uv::double as baseline,
        uv / baseline_uv - 1 as change
    from channel_baselines
    where count_baseline_weeks >= $min_baseline_weeks and baseline_uv > 0 and uv <= (1 - $uv_drop) * baseline_uv
),

bounce_days as (
    select
        date,
        'all' as channel,
        'high_bounce' as metric,
        bounce_rate as value,
        $high_bounce::double as baseline,
        bounce_rate - $high_bounce as change
    from daily_traffic
    where bounce_rate > $high_bounce
),

bounce_channels as (
    select
        date,
        channel,
        'high_bounce_channel' as metric,
        bounce_rate as value,
        $high_bounce::double as baseline,
        bounce_rate - $high_bounce as change
    from channel_days
    where bounce_rate > $high_bounce
),

joined as (
    select * from uv_drops
    union all
    select * from bounce_days
    union all
    select * from bounce_channels
),

final as (
    select * from joined
    where ($start::date is null or date >= $start) and ($end::date is null or date <= $end)
    order by date desc, metric, channel
)

select * from final
