-- What each customer campaign did: per campaign, window ($windows, in days) and group (contacted or held
-- out), how many listed customers bought and what they spent. "Bought" means a non-cancelled order on or
-- after the send day and before the send day plus the window. The window is cut at the last order day
-- in the data (days_observed), so a campaign sent lately shows how far it can be measured yet.
-- One row per campaign x window x group, an empty holdout included, so the lift is worked out beside it.

with

campaign_list as (
    select * from campaigns
),

listed_customers as (
    select * from campaign_customers
),

orders as (
    select * from order_summary
),

windows as (
    select unnest($windows::integer[]) as window_days
),

groups as (
    select * from (values (false), (true)) as listed_as (is_holdout)
),

data_end as (
    select max(ordered_at)::date as last_order_day
    from orders
),

campaign_windows as (
    select
        campaign_list.id as campaign_id,
        campaign_list.tier,
        campaign_list.channel,
        campaign_list.sent_on,
        windows.window_days,
        -- days from the send day to the last order day, counting both, no more than the window
        coalesce(greatest(0, least(windows.window_days,
                                   date_diff('day', campaign_list.sent_on, data_end.last_order_day) + 1)), 0)
            as days_observed
    from campaign_list
    cross join windows
    cross join data_end
),

paid_orders as (
    select
        customer_id,
        ordered_at::date as order_day,
        coalesce(order_revenue, 0) as order_revenue
    from orders
    where not is_cancelled
),

customer_purchases as (
    select
        campaign_windows.campaign_id,
        campaign_windows.window_days,
        listed_customers.customer_id,
        listed_customers.is_holdout,
        count(paid_orders.order_day) as orders_in_window,
        coalesce(sum(paid_orders.order_revenue), 0) as revenue_in_window
    from campaign_windows
    inner join listed_customers
        on listed_customers.campaign_id = campaign_windows.campaign_id
    left join paid_orders
        on paid_orders.customer_id = listed_customers.customer_id
        and paid_orders.order_day >= campaign_windows.sent_on
        and paid_orders.order_day < campaign_windows.sent_on + campaign_windows.window_days
    group by all
),

group_totals as (
    select
        campaign_id,
        window_days,
        is_holdout,
        count(*) as customers,
        count(*) filter (where orders_in_window > 0) as buyers,
        sum(revenue_in_window) as revenue
    from customer_purchases
    group by all
),

final as (
    select
        campaign_windows.campaign_id,
        campaign_windows.tier,
        campaign_windows.channel,
        campaign_windows.sent_on,
        campaign_windows.window_days,
        campaign_windows.days_observed,
        campaign_windows.days_observed = campaign_windows.window_days as window_complete,
        groups.is_holdout,
        coalesce(group_totals.customers, 0) as customers,
        coalesce(group_totals.buyers, 0) as buyers,
        coalesce(group_totals.revenue, 0)::double as revenue
    from campaign_windows
    cross join groups
    left join group_totals
        on group_totals.campaign_id = campaign_windows.campaign_id
        and group_totals.window_days = campaign_windows.window_days
        and group_totals.is_holdout = groups.is_holdout
)

select * from final
