-- Stored months of spend within plausible_dates, with finite amounts (see usable_orders).

select marketing_spend.*
from marketing_spend
cross join plausible_dates
where period_start between earliest_date and latest_date
  and isfinite(spend) and isfinite(attributed_revenue)
