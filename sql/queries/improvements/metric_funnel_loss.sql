-- One funnel stage's loss for $start..$end (both included): users who reached $stage on those days and users
-- who reached the next step, from dated funnel rows only. The 'all' segment when the file has one, else the
-- segments added up (as the funnel page does). loss rate = (entered - next_entered) / entered.

with

dated as (
    select * from usable_funnel_stages as funnel_stages
    where date between $start and $end
),

chosen_segment as (
    select * from dated
    where segment = 'all' or not exists (select 1 from usable_funnel_stages as funnel_stages where segment = 'all')
),

per_step as (
    select step, any_value(stage) as stage, sum(users) as entered
    from chosen_segment
    group by step
),

with_next as (
    select
        stage,
        entered,
        lead(entered) over (order by step) as next_entered,
        lead(stage) over (order by step) as next_stage
    from per_step
),

final as (
    select * from with_next
    where stage = $stage
)

select * from final
