-- Every channel's spend and return per month: ROI, cost per click, cost per order and conversion rate.
-- A ratio whose denominator is missing or zero is null, never infinite.

with

spend as (
    select * from marketing_spend
),

monthly as (
    select
        channel,
        cast(date_trunc('month', period_start) as date) as month,
        sum(spend) as spend,
        sum(attributed_revenue) as attributed_revenue,
        sum(clicks) as clicks,
        sum(orders) as orders
    from spend
    group by channel, month
),

final as (
    select
        channel,
        month,
        spend,
        attributed_revenue,
        clicks,
        orders,
        attributed_revenue / nullif(spend, 0) as roi,
        spend / nullif(clicks, 0) as cpc,
        spend / nullif(orders, 0) as cpa,
        orders / nullif(clicks, 0) as conversion_rate
    from monthly
)

select * from final order by channel, month
