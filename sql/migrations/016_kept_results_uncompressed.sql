-- Version 16: kept results are compressed once, when kept (zlib, core/platform/kept_results.py), and stored as
-- they are: DuckDB's own compression of the column read a 7 MB churn model back in 0.08 s, against 0.01 s for
-- the same bytes stored uncompressed. They are a cache of work done, so the ones kept before are dropped.
drop table if exists kept_results;
create table kept_results (
    service varchar not null,
    inputs varchar not null,
    data_version bigint not null,
    payload blob not null using compression uncompressed,
    signature varchar not null,
    made_at timestamp not null,
    seconds double not null,
    primary key (service, inputs)
);
