-- Version 15: contacts and consent without primary-key indexes (issue 16). A load of 1M Shopify lines spent
-- 0.6 s of its 8 s building and writing the ART indexes of 260k contacts and 260k consent rows. Nothing looks
-- a contact up by key but the erasure of one person (a scan of a few hundred thousand rows takes
-- milliseconds), and one row per customer and field is kept by the load itself: it deletes a customer's
-- stored rows before inserting the newest, in one transaction, from rows grouped by customer
-- (core/data/personal.py; tests/core/data/test_personal.py checks a file loaded twice).
create table contacts_unkeyed (
    customer_id varchar not null,  -- the orders' customer key (a pseudonym when it was personal)
    field varchar not null,  -- 'email' or 'phone'
    lookup varchar not null,  -- the normalised value's pseudonym: finds a customer for erasure, reveals nothing
    ciphertext blob not null,  -- 12-byte nonce || AES-GCM ciphertext, customer and field authenticated
    updated_at timestamp not null default current_timestamp
);
insert into contacts_unkeyed select customer_id, field, lookup, ciphertext, updated_at from contacts;
drop table contacts;
alter table contacts_unkeyed rename to contacts;

create table contact_consent_unkeyed (
    customer_id varchar not null,
    accepts_marketing boolean not null,
    updated_at timestamp not null default current_timestamp
);
insert into contact_consent_unkeyed select customer_id, accepts_marketing, updated_at from contact_consent;
drop table contact_consent;
alter table contact_consent_unkeyed rename to contact_consent;
