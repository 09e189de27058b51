#!/usr/bin/env python3
"""Writes a deterministic pg_dump-style plain dump of about SIZE MiB to OUT.

Usage: scripts/gen_pgdump.py OUT SIZE_MIB [SEED]

A schema (CREATE TABLE customers/orders) followed by COPY blocks of customer rows
(names, e-mails, SSNs, birth dates, phones) and order rows (numbers only), as pg_dump
writes them. Used by docs/PERFORMANCE.md to check that dumps stream in bounded memory.
"""
import random
import sys

HEADER = """--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET client_encoding = 'UTF8';

CREATE TABLE public.customers (
    id bigint NOT NULL,
    first_name text,
    last_name text,
    email character varying(254),
    ssn character varying(11),
    date_of_birth date,
    phone text
);

CREATE TABLE public.orders (
    id bigint NOT NULL,
    customer_id bigint,
    total numeric(10,2),
    created_at timestamp with time zone
);

"""


def main() -> None:
    out, size = sys.argv[1], int(sys.argv[2]) << 20
    r = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    written = 0
    cust = orders = 0
    with open(out, "w", buffering=1 << 20) as f:
        f.write(HEADER)
        while written < size:
            f.write("COPY public.customers (id, first_name, last_name, email, ssn, date_of_birth, phone) FROM stdin;\n")
            for _ in range(50000):
                cust += 1
                line = "%d\tMaria%d\tGonzalez%d\tm.g%d@mailbox.net\t%03d-%02d-%04d\t19%02d-%02d-%02d\t(415) 8%02d-%04d\n" % (
                    cust, r.randrange(100), r.randrange(100), cust, 1 + r.randrange(665), 1 + r.randrange(99), 1 + r.randrange(9999),
                    40 + r.randrange(60), 1 + r.randrange(12), 1 + r.randrange(28), 20 + r.randrange(79), r.randrange(10000))
                f.write(line)
                written += len(line)
            f.write("\\.\n\nCOPY public.orders (id, customer_id, total, created_at) FROM stdin;\n")
            for _ in range(100000):
                orders += 1
                line = "%d\t%d\t%d.%02d\t2024-0%d-1%d 10:12:55+00\n" % (orders, r.randrange(1, cust + 1), r.randrange(500), r.randrange(100), 1 + r.randrange(9), r.randrange(10))
                f.write(line)
                written += len(line)
            f.write("\\.\n\n")


if __name__ == "__main__":
    main()
