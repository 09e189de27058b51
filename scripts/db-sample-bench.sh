#!/usr/bin/env bash
# Sampling cost on a big table: builds a 20-million-row table in PostgreSQL and in
# MariaDB (once; reused while it exists), then times a default scan (1,000 sampled
# rows per table) and prints the query plan of the sample query.
#
#   scripts/db-sample-bench.sh            # both servers
#   ROWS=5000000 scripts/db-sample-bench.sh
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, database test), MariaDB on
# 127.0.0.1:3306 (root, no password), psql, mariadb and hyperfine. Results are
# recorded in docs/DATABASES.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-20000000}
cargo build --release --quiet
BIN=target/release/piiscan

psql() { command psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres test "$@"; }

have=$(psql -tAc "SELECT count(*) FROM pg_class WHERE relname = 'big_customers' AND relnamespace = 'bench_big'::regnamespace" 2>/dev/null || echo 0)
if [ "$have" != "1" ] || [ "$(psql -tAc "SELECT reltuples::bigint >= $ROWS * 0.9 FROM pg_class WHERE relname = 'big_customers'")" != "t" ]; then
  echo "== building bench_big.big_customers ($ROWS rows) in PostgreSQL"
  psql -c "DROP SCHEMA IF EXISTS bench_big CASCADE; CREATE SCHEMA bench_big;
    CREATE TABLE bench_big.big_customers (id bigint PRIMARY KEY, full_name text, email text, ssn text, notes text);
    INSERT INTO bench_big.big_customers
      SELECT i, 'Customer ' || i, 'client' || i || '@corp-mail.net',
             (100 + i % 500) || '-' || lpad((1 + i % 98)::text, 2, '0') || '-' || lpad((1 + (i * 7919) % 9998)::text, 4, '0'),
             'order ' || (i % 997) || ' shipped'
      FROM generate_series(1::bigint, $ROWS) i;
    ANALYZE bench_big.big_customers;"
fi
echo "== PostgreSQL: $(psql -tAc "SELECT pg_size_pretty(pg_total_relation_size('bench_big.big_customers'))"), estimate $(psql -tAc "SELECT reltuples::bigint FROM pg_class WHERE relname = 'big_customers'") rows"
pct=$(psql -tAc "SELECT round((1000 * 4.0 / reltuples * 100)::numeric, 6) FROM pg_class WHERE relname = 'big_customers'")
psql -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id::text, full_name::text, email::text, ssn::text, notes::text FROM bench_big.big_customers TABLESAMPLE SYSTEM ($pct) REPEATABLE (42) LIMIT 1000"
hyperfine --warmup 1 --runs 5 -i \
  "$BIN scan postgres://postgres@127.0.0.1:5432/test --db-include bench_big --no-config -q --format jsonl -o /dev/null"

mysql() { command mariadb -h 127.0.0.1 -u root "$@"; }
rows=$(mysql -N -e "SELECT COALESCE(MAX(TABLE_ROWS), 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'bench_big' AND TABLE_NAME = 'big_customers'")
if [ "$rows" -lt $((ROWS * 8 / 10)) ]; then
  echo "== building bench_big.big_customers ($ROWS rows) in MariaDB"
  mysql -e "DROP DATABASE IF EXISTS bench_big; CREATE DATABASE bench_big; USE bench_big;
    CREATE TABLE bench_big.big_customers (id BIGINT PRIMARY KEY, full_name VARCHAR(40), email VARCHAR(60), ssn CHAR(11), notes VARCHAR(40));
    INSERT INTO bench_big.big_customers
      SELECT seq, CONCAT('Customer ', seq), CONCAT('client', seq, '@corp-mail.net'),
             CONCAT(100 + seq % 500, '-', LPAD(1 + seq % 98, 2, '0'), '-', LPAD(1 + (seq * 7919) % 9998, 4, '0')),
             CONCAT('order ', seq % 997, ' shipped')
      FROM seq_1_to_$ROWS;
    ANALYZE TABLE bench_big.big_customers;"
fi
echo "== MariaDB: estimate $(mysql -N -e "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'bench_big' AND TABLE_NAME = 'big_customers'") rows"
mysql -e "EXPLAIN SELECT id, full_name, email, ssn, notes FROM bench_big.big_customers WHERE id >= 10000001 ORDER BY id LIMIT 100"
hyperfine --warmup 1 --runs 5 -i \
  "$BIN scan mysql://root@127.0.0.1:3306/bench_big --no-config -q --format jsonl -o /dev/null"
