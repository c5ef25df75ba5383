-- Stored stock rows whose listing date (when given) is within plausible_dates, with a finite unit cost
-- (see usable_orders).

select inventory.*
from inventory
cross join plausible_dates
where (listed_date is null or listed_date between earliest_date and latest_date)
  and coalesce(isfinite(unit_cost), true)
