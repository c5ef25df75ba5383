-- Stored experiment rows whose dates (those given) are within plausible_dates, with finite revenue (see usable_orders).

select experiments.*
from experiments
cross join plausible_dates
where (date is null or date between earliest_date and latest_date)
  and (start_date is null or start_date between earliest_date and latest_date)
  and (end_date is null or end_date between earliest_date and latest_date)
  and coalesce(isfinite(revenue), true) and coalesce(isfinite(revenue_sq), true)
