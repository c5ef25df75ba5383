-- One $channel's return on ad spend (attributed revenue / spend) for $start..$end (both included).
-- Spend is reported per month, so each month counts by the share of its days inside the window
-- (a whole month inside counts fully, 10 of its 31 days count 10/31): the assumption is that a month's
-- spend and revenue are spread evenly over its days. Months that do not overlap the window count nothing.

with

spend as (
    select
        date_trunc('month', period_start)::date as month_start,
        last_day(period_start) as month_end,
        spend,
        attributed_revenue
    from usable_marketing_spend as marketing_spend
    where channel = $channel
),

overlapping as (
    select
        *,
        (least(month_end, $end::date) - greatest(month_start, $start::date) + 1)
            / (month_end - month_start + 1) as share_of_month
    from spend
    where month_start <= $end and month_end >= $start
),

final as (
    select
        sum(spend * share_of_month) as spend,
        sum(attributed_revenue * share_of_month) as attributed_revenue,
        count(*) as month_rows
    from overlapping
)

select * from final
