-- Version 7: every workspace file gets an id of its own, so a workspace deleted and made again under the
-- same file name never shows the old one's cached results (their data versions start alike).
insert into workspace_meta
select 'workspace_id', uuid()::varchar
where not exists (select 1 from workspace_meta where key = 'workspace_id');
