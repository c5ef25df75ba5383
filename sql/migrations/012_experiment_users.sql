-- Version 12: per-user experiment rows are kept, keyed by (experiment, user), so a second file of users
-- adds to the first instead of replacing the day's totals in `experiments`, which are worked out again
-- from these rows on every load (core/data/ingest.py). The user id is kept hashed (md5): it only has to
-- tell users apart.
create table if not exists experiment_users (
    experiment varchar not null,
    user_key varchar not null,
    variant varchar not null,
    date date,
    page varchar,
    variable varchar,
    start_date date,
    end_date date,
    converted boolean not null,
    revenue double
);
