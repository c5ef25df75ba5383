-- Stored funnel stages whose date (when given) is within plausible_dates (see usable_orders).

select funnel_stages.*
from funnel_stages
cross join plausible_dates
where date is null or date between earliest_date and latest_date
