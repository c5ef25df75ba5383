-- Which days each dataset covers, so a before/after window is cut where the data ends (or begins) rather than
-- read as a period with no sales. Funnel rows without a date count in row_count but not in the dates:
-- an undated funnel snapshot cannot be placed before or after anything.

with

summary as (
    select * from dataset_summary
),

final as (
    select
        dataset_name,
        row_count,
        min_date as first_day,
        max_date as last_day
    from summary
)

select * from final
