-- Version 5: settings carry the settings version at which they last changed, so a result that depends
-- on a few settings is cached on theirs alone and saving a touch-plan text retrains nothing.
alter table settings add column version bigint not null default 0;
-- Version 5 also: traffic anomalies became a query with bound thresholds (sql/queries/diagnosis/).
drop view if exists traffic_anomalies;
