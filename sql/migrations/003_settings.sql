-- Version 3: per-workspace settings (thresholds, weights, plans) that pages edit and keep.
create table if not exists settings (
    key varchar primary key,
    value json not null
);
