-- Stored traffic days within plausible_dates, with finite rates (see usable_orders).

select traffic_daily.*
from traffic_daily
cross join plausible_dates
where date between earliest_date and latest_date
  and coalesce(isfinite(bounce_rate), true) and coalesce(isfinite(add_to_cart_rate), true)
