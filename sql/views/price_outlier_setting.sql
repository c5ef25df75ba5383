-- Whether the owner leaves flagged price outliers out of averages (Data page; false until saved): one row,
-- read by order_lines (per line) and order_summary (per order).

select coalesce(any_value(value::boolean), false) as exclude_price_outliers
from settings
where key = 'exclude_price_outliers'
