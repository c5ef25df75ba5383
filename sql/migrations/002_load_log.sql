-- Version 2: remember every load, so the sidebar can say how fresh each dataset is.
create table if not exists load_log (
    loaded_at timestamp not null,
    dataset varchar not null,
    source_file varchar not null,
    mode varchar not null,
    rows_loaded bigint not null,
    rows_rejected bigint not null
);
