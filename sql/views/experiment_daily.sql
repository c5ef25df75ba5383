-- One row per experiment, variant and day, with running totals: how the conversion rate moved as
-- the test went on (the picture that shows why peeking early misleads).

with

daily as (
    select experiment, variant, date, sum(users) as users, sum(conversions) as conversions
    from usable_experiments
    where date is not null
    group by experiment, variant, date
),

cumulative as (
    select
        *,
        sum(users) over running as cumulative_users,
        sum(conversions) over running / nullif(sum(users) over running, 0) as cumulative_rate
    from daily
    window running as (partition by experiment, variant order by date)
)

select * from cumulative
