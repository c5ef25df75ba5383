-- Parsing helpers for uploads, created as TEMP macros on the cursor that loads a file.
-- Everything arrives as text; these turn export-style text into typed values or NULL.

-- '' and whitespace are missing values. Fast path, same result: text that starts and ends with a
-- printable ASCII character has nothing to trim.
create or replace temp macro blank_to_null(x) as
    case when ascii(x) between 33 and 126 and x[-1] between '!' and '~' then x else nullif(trim(x), '') end;
-- blank_to_null(x) is null, without trimming text that starts with a printable ASCII character.
create or replace temp macro is_blank(x) as
    case when x is null then true when ascii(x) between 33 and 126 then false else trim(x) = '' end;

-- Identifiers: Taobao writes order numbers as ="123..." or '123 to stop spreadsheets mangling them.
-- Fast path, same result: text that starts with a printable ASCII character other than " ' and = and
-- ends with one other than " has nothing to trim or strip.
create or replace temp macro parse_id(x) as
    case when ascii(x) between 33 and 126 and ascii(x) not in (34, 39, 61) and x[-1] between '!' and '~' and x[-1] <> '"'
         then x
         else nullif(trim(regexp_replace(trim(x), '^=?"|"$|^''', '', 'g')), '')
    end;

-- Money and counts: currency symbols, thousands separators, a decimal comma, (12.00) for negatives.
create or replace temp macro money_text(x) as
    regexp_replace(
        regexp_replace(trim(x), '^\((.*)\)$', '-\1'),
        '[\s¥￥$€£元]|^(CNY|RMB|USD|EUR|GBP)|(CNY|RMB|USD|EUR|GBP)$', '', 'g');
-- A plain number casts at once (blank text never does); only the rest goes through money_text.
-- NaN, inf, -inf and numbers too large for a double (1e400, read as inf) are no amount: NULL, so they
-- are reported as not a number instead of poisoning every sum.
create or replace temp macro finite_or_null(v) as case when isfinite(v) then v end;
create or replace temp macro parse_number(x) as
    finite_or_null(coalesce(
        try_cast(x as double),
        case when blank_to_null(x) is not null
             then try_cast(
                 case when regexp_matches(money_text(x), '^-?\d{1,3}(\.\d{3})*,\d{1,2}$')
                      then replace(replace(money_text(x), '.', ''), ',', '.')
                      else replace(money_text(x), ',', '')
                 end as double)
        end));

-- Rates: '62%', '62' and '0.62' all mean 0.62 (a bare number above 1 is read as a percentage).
-- A percentage is rounded to 12 places so 2.6% is 0.026, not the division's 0.026000000000000002.
create or replace temp macro parse_rate(x) as
    case when contains(x, '%') then round(parse_number(replace(x, '%', '')) / 100, 12)
         when parse_number(x) > 1 then round(parse_number(x) / 100, 12)
         else parse_number(x)
    end;

-- Timestamps: the wall clock as exported; a trailing UTC offset or zone name is dropped.
create or replace temp macro timestamp_text(x) as
    trim(regexp_replace(
        regexp_replace(regexp_replace(trim(x), '\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})$', ''), '[年月]', '-', 'g'),
        '日|T', ' ', 'g'));
-- Fast path, same result: text DuckDB casts to a timestamp at all is ISO-like (2024-05-01 10:00:00, 2024/05/01) and
-- casts to the wall clock with any UTC offset or zone name after it dropped (Shopify's 2024-05-01 10:00:00 +0000,
-- WooCommerce's 2024-05-01T10:00:00+08:00), which is what timestamp_text and the casts below give it; text in
-- any other shape (01/02/2024, 2024年5月1日) does not cast and goes on. A quarter of the time of the two regular
-- expressions it replaces (tests/core/data/test_macros.py compares the two paths).
create or replace temp macro parse_timestamp(x, day_first) as
    coalesce(
        try_cast(x as timestamp),
        case when blank_to_null(x) is not null then coalesce(
             try_cast(timestamp_text(x) as timestamp),
             case when day_first
                  then try_strptime(timestamp_text(x), ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
                                                        '%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y',
                                                        '%d-%m-%Y %H:%M:%S', '%d-%m-%Y'])
                  else try_strptime(timestamp_text(x), ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y',
                                                        '%m/%d/%y %H:%M', '%m/%d/%y', '%m-%d-%Y %H:%M:%S', '%m-%d-%Y'])
             end,
             try_strptime(timestamp_text(x), ['%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d', '%Y%m%d',
                                             '%Y-%m-%d %H:%M', '%Y.%m.%d', '%d %b %Y', '%b %d, %Y', '%B %d, %Y']))
        end);

-- Months: '2024-05', '2024年5月', 'May 2024' or any date in the month.
create or replace temp macro parse_month(x, day_first) as
    date_trunc('month', coalesce(
        parse_timestamp(x, day_first),
        try_strptime(timestamp_text(x), ['%Y-%m', '%Y/%m', '%Y-%m-', '%b %Y', '%B %Y', '%Y%m'])))::date;

-- One CASE, not `in (...)` lists: inside a wide projection DuckDB turned two lists of seven into two
-- hash joins over every row of the file (0.4 s of a 1M-line Shopify load).
create or replace temp macro parse_bool(x) as
    case lower(trim(x))
         when '1' then true when 'true' then true when 'yes' then true when 'y' then true when 't' then true
         when '是' then true when '已转化' then true
         when '0' then false when 'false' then false when 'no' then false when 'n' then false when 'f' then false
         when '否' then false when '未转化' then false
    end;

-- A traffic row's device naming the channel's day total over every device (core/data/datasets.py TOTAL_DEVICES).
create or replace temp macro is_total_device(x) as
    lower(trim(x)) in ('all', 'total', 'sum', '合计', '总计', '汇总', '全部', '所有');

-- Personal data (core/data/personal.py): the same rules as normalise_email, normalise_phone and
-- personal_key there, for text made only of printable ASCII and spaces, where Python's strip, lower,
-- \s and \d mean what trim, lower, ' ' and [0-9] mean here. Other text is normalised in Python.
create or replace temp macro plain_ascii(x) as regexp_full_match(x, '[ -~]*');
create or replace temp macro email_key(x) as
    case when regexp_full_match(lower(trim(x)), '[^@\s]+@[^@\s]+\.[^@\s.]+') then lower(trim(x)) end;
-- A phone as its owner wrote it, for the contact list: trimmed, a leading ' (spreadsheet guard) dropped.
create or replace temp macro phone_shown(x) as ltrim(trim(x), '''');
-- The digits, a +86 before a mainland mobile number dropped (so both spellings are one person).
create or replace temp macro phone_local(d) as
    case when length(d) = 13 and starts_with(d, '86') and regexp_full_match(d[3:], '1[3-9][0-9]{9}') then d[3:] else d end;
-- `strict` (a customer-id column): bare digits are a phone only as a mainland mobile number, so
-- Shopify's numeric customer ids stay ids; a '+' or separators make a phone.
create or replace temp macro phone_checked(v, d, strict) as
    case when length(d) between 6 and 15
              and (not strict or regexp_full_match(d, '1[3-9][0-9]{9}') or starts_with(v, '+') or (v <> d and length(d) >= 7))
         then d end;
create or replace temp macro phone_key(x, strict) as
    case when regexp_full_match(phone_shown(x), '\+?[0-9 ()\-.]+')
         then phone_checked(phone_shown(x), phone_local(regexp_replace(phone_shown(x), '[^0-9]', '', 'g')), strict) end;
create or replace temp macro personal_key(x) as coalesce(email_key(x), phone_key(x, true));
-- 'cu_' and 16 hex digits of HMAC-SHA256 (RFC 2104) of the text: `key_in` and `key_out` are the key padded to
-- 64 bytes and XORed with 0x36 and 0x5c (secrets.WorkspaceKeys.hmac_pads), bound as parameters.
create or replace temp macro pseudonym(x, key_in, key_out) as
    'cu_' || left(sha256(key_out || unhex(sha256(key_in || encode(x)))), 16);
