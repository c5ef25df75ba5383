-- The stored order lines every page may compute with: dates within plausible_dates and finite amounts.
-- Uploads refuse anything else; this only keeps out what a workspace stored before they did.

select orders.*
from orders
cross join plausible_dates
where order_time >= earliest_date and order_time < latest_date + 1
  and (paid_at is null or (paid_at >= earliest_date and paid_at < latest_date + 1))
  and isfinite(order_total) and isfinite(refunded_amount) and isfinite(quantity) and isfinite(line_discount)
  and coalesce(isfinite(unit_price), true)
