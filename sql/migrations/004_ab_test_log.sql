-- Version 4: the A/B test register (the playbook's record table), kept per workspace.
create table if not exists ab_test_log (
    test_id varchar primary key,
    page varchar,
    variable varchar,
    version_a varchar,
    version_b varchar,
    period varchar,
    sample_size bigint,
    rate_a double,
    rate_b double,
    confidence double,
    conclusion varchar,
    logged_at timestamp not null default current_timestamp
);
