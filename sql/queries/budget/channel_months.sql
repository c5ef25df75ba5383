-- Every channel's spend and return per month: ROI, cost per click, cost per order and conversion rate
-- as the ad platform reports them, beside the shop's own view of the same channel and month: visitors
-- from the traffic report and orders from the order export (cancelled orders left out).
-- A ratio whose denominator is missing or zero is null, never infinite.

with

spend as (
    select * from usable_marketing_spend as marketing_spend
),

traffic as (
    select * from daily_channel_traffic
),

orders as (
    select * from order_summary
    where not is_cancelled and channel is not null
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

site_visits as (
    select
        channel,
        cast(date_trunc('month', date) as date) as month,
        sum(uv) as site_uv
    from traffic
    group by channel, month
),

shop_orders as (
    select
        channel,
        cast(date_trunc('month', ordered_at) as date) as month,
        count(*) as shop_orders
    from orders
    group by channel, month
),

joined as (
    select
        monthly.*,
        site_visits.site_uv,
        shop_orders.shop_orders
    from monthly
    left join site_visits using (channel, month)
    left join shop_orders using (channel, month)
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
        orders / nullif(clicks, 0) as conversion_rate,
        site_uv,
        shop_orders,
        shop_orders / nullif(site_uv, 0) as site_conversion_rate
    from joined
)

select * from final order by channel, month
