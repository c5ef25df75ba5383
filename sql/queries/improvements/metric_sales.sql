-- GMV, orders, ordering customers and the order values behind the average order value for the days
-- $start..$end (both included), optionally for one $channel. Cancelled orders are left out, as everywhere.
-- The average uses revenue_for_averages (price outliers out when the owner asks); its count, mean and
-- sample variance are what Welch's test needs to compare two periods. Returned orders (refunded, in part or
-- whole, or marked refunded) are counted as the health scorecard counts them (diagnosis/health_evidence.sql).

with

orders as (
    select * from order_summary
    where not is_cancelled
      and ordered_at::date between $start and $end
      and ($channel is null or channel = $channel)
),

final as (
    select
        coalesce(sum(order_revenue), 0) as gmv,
        count(*) as count_orders,
        count(distinct customer_id) as count_customers,
        count(*) filter (where refunded_amount > 0 or lower(coalesce(status, '')) in ('refunded', '已退款', '退款成功'))
            as count_returned_orders,
        count(revenue_for_averages) as count_orders_for_averages,
        avg(revenue_for_averages) as mean_order_value,
        var_samp(revenue_for_averages) as variance_order_value
    from orders
)

select * from final
