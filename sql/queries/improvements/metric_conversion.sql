-- The playbook's conversion rate for $start..$end (both included), optionally for one $channel:
-- ordering customers (a customer ordering on two days is one) over visitors (UV) from the daily traffic.
-- Visitors are null when no traffic row falls in the days (not measured), never 0.

with

buyers as (
    select count(distinct customer_id) as ordering_customers
    from order_summary
    where not is_cancelled
      and ordered_at::date between $start and $end
      and ($channel is null or channel = $channel)
),

visitors as (
    select sum(uv) as uv
    from usable_traffic_daily as traffic_daily
    where date between $start and $end
      and ($channel is null or channel = $channel)
),

final as (
    select buyers.ordering_customers, visitors.uv
    from buyers, visitors
)

select * from final
