-- Billing service schema (PostgreSQL)
CREATE TABLE public.customers (
    id            bigserial PRIMARY KEY,
    first_name    varchar(80)  NOT NULL,
    last_name     varchar(80)  NOT NULL,
    email         varchar(254) NOT NULL UNIQUE,
    ssn           varchar(11),              -- full SSN, needed for credit checks
    date_of_birth date,
    phone         varchar(20),
    order_number  varchar(20),
    created_at    timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE public.employees (
    id          serial PRIMARY KEY,
    full_name   text NOT NULL,
    work_email  text,
    ssn_hash    char(40),                   -- sha1(ssn), unsalted
    hired_on    date
);

CREATE TABLE public.shipments (
    id            serial PRIMARY KEY,
    tracking_code varchar(32) NOT NULL,
    zip           varchar(10)
);
