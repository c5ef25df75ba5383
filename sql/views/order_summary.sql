-- One row per order: what the customer paid, net of refunds. The basis of GMV, AOV and RFM.
-- `revenue_for_averages` is the same less the lines left out of averages (price outliers, when the owner
-- asks: order_lines.counts_in_averages), and null for an order made only of such lines, so an average
-- (sum over count of it) and a customer's spend leave them out while GMV (order_revenue) keeps them.
-- The per-order sums are stored once per load in `order_rollup` (sql/queries/data/order_rollup.sql).

with

facts as (
    select * from order_rollup
),

outlier_setting as (
    select * from price_outlier_setting
),

final as (
    select
        facts.* exclude (outlier_revenue, has_regular_line),
        case
            when not outlier_setting.exclude_price_outliers then order_revenue
            when has_regular_line then order_revenue - outlier_revenue
        end as revenue_for_averages
    from facts
    cross join outlier_setting
)

select * from final
