-- Version 11: personal data kept apart (issue 15, docs/decisions/0009-personal-data.md). Analysis tables hold
-- only the customer key, a keyed pseudonym when the file's key was an e-mail or phone number; the contact
-- details the owner keeps for touch lists live here, each value encrypted with the key file's key.
create table if not exists contacts (
    customer_id varchar not null,  -- the orders' customer key (a pseudonym when it was personal)
    field varchar not null,  -- 'email' or 'phone'
    lookup varchar not null,  -- the normalised value's pseudonym: finds a customer for erasure, reveals nothing
    ciphertext blob not null,  -- 12-byte nonce || AES-GCM ciphertext, customer and field authenticated
    updated_at timestamp not null default current_timestamp,
    primary key (customer_id, field)
);

-- Marketing consent as the shop's export states it (Shopify's "Accepts Marketing"): not secret, but
-- personal enough to follow the customer out on erasure.
create table if not exists contact_consent (
    customer_id varchar primary key,
    accepts_marketing boolean not null,
    updated_at timestamp not null default current_timestamp
);

-- Exports and erasures that touch contact details in full: when, what, how many rows, who.
create table if not exists personal_audit (
    logged_at timestamp not null default current_timestamp,
    action varchar not null,  -- 'export_full', 'forget'; access.py adds 'protect', 'unlock_ok', 'unlock_failed', 'unlock_refused'
    what varchar not null,  -- the file written, or the field the customer was found by
    rows bigint not null,
    who varchar  -- the operating-system user that ran it
);
