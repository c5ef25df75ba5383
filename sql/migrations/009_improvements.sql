-- Version 9: the improvement register (the playbook's 表9): one row per problem being worked on, with the
-- metric it should move, ranked by impact x urgency and followed through plan, do, check, act, done.
-- Ids are given by the register (the largest id + 1, in the writing transaction), so they stay small and readable.
create table if not exists improvements (
    id integer primary key,
    title varchar not null,
    scope varchar,
    metric varchar not null,
    metric_detail varchar,
    impact integer not null check (impact between 1 and 5),
    urgency integer not null check (urgency between 1 and 5),
    owner varchar,
    start_date date not null,
    due_date date,
    status varchar not null default 'plan' check (status in ('plan', 'do', 'check', 'act', 'done')),
    key_result varchar,
    source varchar not null default 'manual',
    created_at timestamp default current_timestamp,
    check (due_date is null or due_date >= start_date)
);
