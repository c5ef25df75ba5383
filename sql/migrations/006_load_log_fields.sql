-- Version 6: each load remembers which of a dataset's fields the file carried, so a figure the export
-- cannot give (no status column: no cancellations) shows as missing rather than as 0 from a default.
alter table load_log add column mapped_fields varchar[];
