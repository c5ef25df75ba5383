-- One row per experiment and variant: totals, the days covered and what was tested.

with

source_rows as (
    select * from usable_experiments
),

per_variant as (
    select
        experiment,
        variant,
        sum(users) as users,
        sum(conversions) as conversions,
        sum(revenue) as revenue,
        -- a sum of squares only means something when every row has one
        case when count(revenue_sq) = count(*) then sum(revenue_sq) end as revenue_sq,
        count(distinct date) as count_days,
        coalesce(min(date), min(start_date)) as first_day,
        coalesce(max(date), max(end_date)) as last_day,
        max(end_date) as planned_end,
        any_value(page) as page,
        count(distinct variable) as count_variables,
        string_agg(distinct variable, ', ') as variables
    from source_rows
    group by experiment, variant
)

select * from per_variant
