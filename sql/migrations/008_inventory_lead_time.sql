-- Version 8: inventory may carry each SKU's lead time (days from ordering to stock on the shelf), so
-- replenishment can plan per SKU; a file without it leaves it null and the owner's default applies.
alter table inventory add column lead_time_days bigint;
