-- Version 13: results of slow work (the churn model, customer groups) kept with the versions they were made
-- from, so a restarted app shows them at once instead of training again (core/platform/kept_results.py).
-- `inputs` names the data and settings versions and the arguments; `payload` is the result, pickled and
-- signed with a key outside the workspace, so a result from someone else's file is never unpickled.
create table if not exists kept_results (
    service varchar not null,
    inputs varchar not null,
    data_version bigint not null,
    payload blob not null,
    signature varchar not null,
    made_at timestamp not null,
    seconds double not null,
    primary key (service, inputs)
);
