-- Version 10: customer campaigns (the playbook's touch plan, measured). A campaign is one tier list sent
-- through one channel on one day; each listed customer is either contacted or kept back as the holdout,
-- a random share not contacted, so what the contacted bought can be compared with what they would have.
create table if not exists campaigns (
    id integer primary key,
    tier varchar not null,
    channel varchar not null,  -- 'sms', 'call', 'email', 'push' or the owner's own words
    sent_on date not null,
    holdout_share double not null check (holdout_share >= 0 and holdout_share <= 0.5),
    created_at timestamp not null default current_timestamp,
    note varchar
);

create table if not exists campaign_customers (
    campaign_id integer not null references campaigns (id),
    customer_id varchar not null,  -- the workspace's customer_id, as exported
    is_holdout boolean not null,
    primary key (campaign_id, customer_id)
);
