-- The funnel for one period ($start..$end, either may be null for "all") and every segment:
-- users entered per stage, users lost before the next stage, loss rate and conversion from the top.

with

stages as (
    select segment, step, any_value(stage) as stage, sum(users) as entered
    from usable_funnel_stages as funnel_stages
    where ($start is null or date >= $start) and ($end is null or date <= $end)
    group by segment, step
),

with_next as (
    select
        *,
        lead(entered) over by_step as next_entered,
        first_value(entered) over by_step as top_entered
    from stages
    window by_step as (partition by segment order by step)
),

measured as (
    select
        segment,
        step,
        stage,
        entered,
        entered - next_entered as lost,
        (entered - next_entered) / nullif(entered, 0) as loss_rate,
        entered / nullif(top_entered, 0) as conversion_from_top
    from with_next
)

select * from measured order by segment, step
