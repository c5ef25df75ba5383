-- The dates ShopLens believes: from 1 January 1990 to one year after today, unless the workspace's
-- settings say otherwise (`plausible_earliest_date`, an ISO date; `plausible_years_ahead`, whole years).
-- Uploads reject a date outside this range row by row (core/data/ingest.py, whose EARLIEST_DATE and
-- YEARS_AHEAD name the same defaults), and the usable_* views leave out rows an older workspace stored
-- before that rule, so a year-10000 order never reaches a page's date arithmetic.

with

chosen as (
    select
        max(try_cast(json_extract_string(value, '$') as date)) filter (where key = 'plausible_earliest_date') as earliest,
        max(try_cast(json_extract_string(value, '$') as integer)) filter (where key = 'plausible_years_ahead') as years_ahead
    from settings
    where key in ('plausible_earliest_date', 'plausible_years_ahead')
)

select
    coalesce(earliest, date '1990-01-01') as earliest_date,
    (current_date + to_years(least(greatest(coalesce(years_ahead, 1), 0), 100)))::date as latest_date
from chosen
