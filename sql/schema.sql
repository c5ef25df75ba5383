-- ShopLens workspace schema, version 1. Later changes are forward migrations in sql/migrations/.

create table if not exists workspace_meta (
    key varchar primary key,
    value varchar
);

create table if not exists orders (
    order_id varchar not null,
    line_number integer not null,
    customer_id varchar not null,
    order_time timestamp not null,
    paid_at timestamp,
    order_total double not null,
    refunded_amount double not null default 0,
    status varchar,
    sku varchar,
    product_name varchar,
    category varchar,
    quantity double not null default 1,
    unit_price double,
    line_discount double not null default 0,
    channel varchar,
    device varchar,
    region varchar,
    currency varchar,
    is_price_outlier boolean not null default false
);

create table if not exists traffic_daily (
    date date not null,
    channel varchar not null,
    device varchar not null,
    uv bigint not null,
    bounce_rate double,
    add_to_cart_rate double,
    orders bigint
);

create table if not exists funnel_stages (
    step integer not null,
    stage varchar not null,
    users bigint not null,
    date date,
    segment varchar not null
);

create table if not exists marketing_spend (
    period_start date not null,
    channel varchar not null,
    spend double not null,
    attributed_revenue double not null,
    clicks bigint,
    orders bigint,
    impressions bigint
);

create table if not exists experiments (
    experiment varchar not null,
    variant varchar not null,
    date date,
    page varchar,
    variable varchar,
    start_date date,
    end_date date,
    users bigint not null,
    conversions bigint not null,
    revenue double,
    revenue_sq double
);

create table if not exists inventory (
    sku varchar not null,
    category varchar,
    stock_on_hand bigint not null,
    unit_cost double,
    listed_date date
);

create table if not exists health_inputs (
    metric varchar not null,
    value double not null,
    period varchar not null
);
