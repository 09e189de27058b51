//! PostgreSQL: catalog from `pg_catalog`, samples with `TABLESAMPLE SYSTEM … REPEATABLE`.
//!
//! Every session runs `SET default_transaction_read_only = on` and a
//! `statement_timeout` before anything else, so no statement of piiscan's (or of a
//! bug in it) can write. Minimum grants: `CONNECT` on the database, `USAGE` on the
//! schemas and `SELECT` on the tables (or the `pg_read_all_data` role, PostgreSQL 14+).

use super::{Column, Connection, Connector, DbError, DbOptions, DbTarget, Row, Table, TlsMode};
use super::{quote_ansi as quote, tls};
use postgres::config::SslMode;
use postgres::{Client, NoTls};
use std::time::Duration;

/// Rows fetched per round trip with `--full` (server-side cursor).
const FETCH: i32 = 2000;
/// A table whose estimate is under this many times the sample is read with a plain
/// `LIMIT` (cheaper than sampling pages, and exact).
const SAMPLE_FACTOR: u64 = 20;

/// Connects to one PostgreSQL database.
pub struct PgConnector {
    config: postgres::Config,
    tls: Option<rustls::ClientConfig>,
    timeout: Duration,
    password: Option<super::Secret>,
}

impl PgConnector {
    pub fn new(target: &DbTarget, opts: &DbOptions) -> Result<PgConnector, DbError> {
        let mode = match target.param("sslmode") {
            Some("disable") => TlsMode::Disable,
            Some("allow" | "prefer") => TlsMode::Prefer,
            Some("require") => TlsMode::Require,
            Some("verify-ca" | "verify-full") => TlsMode::VerifyFull,
            Some(_) => {
                return Err(DbError::Config(
                    "unknown sslmode in the URL (disable, prefer, require, verify-full)".into(),
                ));
            }
            None => opts.tls.unwrap_or_default(),
        };
        let ca = target
            .param("sslrootcert")
            .map(std::path::PathBuf::from)
            .or_else(|| opts.tls_ca.clone());
        let mut config = postgres::Config::new();
        let user = target.user_or_default();
        config
            .host(&target.host)
            .port(target.port)
            .user(user)
            .dbname(target.database.as_deref().unwrap_or(user))
            .application_name("piiscan")
            .connect_timeout(Duration::from_secs(10))
            .ssl_mode(match mode {
                TlsMode::Disable => SslMode::Disable,
                TlsMode::Prefer => SslMode::Prefer,
                TlsMode::Require | TlsMode::VerifyFull => SslMode::Require,
            });
        let password = target.password(opts);
        if let Some(p) = &password {
            config.password(p.expose());
        }
        Ok(PgConnector {
            config,
            tls: tls::client_config(mode, ca.as_deref())?,
            timeout: opts.statement_timeout,
            password,
        })
    }

    /// A read-only session (public for the test that proves writes fail).
    pub fn session(&self) -> Result<PgConnection, DbError> {
        let connected = match &self.tls {
            Some(tls) => self
                .config
                .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls.clone())),
            None => self.config.connect(NoTls),
        };
        let mut client = connected
            .map_err(|e| DbError::Connect(message(&e)).scrubbed(self.password.as_ref()))?;
        client
            .batch_execute(&format!(
                "SET default_transaction_read_only = on; SET statement_timeout = {}; SET lock_timeout = {}",
                self.timeout.as_millis(),
                self.timeout.as_millis().min(10_000),
            ))
            .map_err(|e| DbError::Connect(message(&e)))?;
        Ok(PgConnection { client })
    }
}

impl Connector for PgConnector {
    fn connect(&self) -> Result<Box<dyn Connection>, DbError> {
        Ok(Box::new(self.session()?))
    }
}

/// One read-only PostgreSQL session.
pub struct PgConnection {
    client: Client,
}

impl PgConnection {
    /// The underlying client, for tests that check what the session allows.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// The server's message (and SQLSTATE) or the driver's, on one line.
fn message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => {
            let mut m = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                let text = s.to_string();
                if !m.contains(&text) {
                    m.push_str(": ");
                    m.push_str(&text);
                }
                source = s.source();
            }
            m.replace('\n', " ")
        }
    }
}

/// Catalog: ordinary, partitioned and materialized tables and views outside the
/// system schemas (views are kept only with `--db-views`); partitions are read through
/// their parent. A materialized view never refreshed is listed but cannot be read.
const CATALOG: &str = "
SELECT n.nspname::text, c.relname::text,
       CASE WHEN c.relkind = 'm' AND NOT c.relispopulated THEN 'unpopulated' ELSE c.relkind::text END,
       a.attname::text,
       format_type(a.atttypid, a.atttypmod), col_description(c.oid, a.attnum),
       CASE WHEN c.relkind = 'p' THEN
              (SELECT sum(GREATEST(p.reltuples, 0))::bigint FROM pg_catalog.pg_inherits i
                 JOIN pg_catalog.pg_class p ON p.oid = i.inhrelid WHERE i.inhparent = c.oid)
            WHEN c.reltuples >= 0 THEN c.reltuples::bigint
            -- never analyzed: the statistics collector's live-row count
            ELSE (SELECT s.n_live_tup FROM pg_catalog.pg_stat_all_tables s WHERE s.relid = c.oid)
       END
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p', 'm', 'v')
  AND NOT c.relispartition
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY n.nspname, c.relname, a.attnum";

impl Connection for PgConnection {
    fn tables(&mut self, opts: &DbOptions) -> Result<Vec<Table>, DbError> {
        let rows = self
            .client
            .query(CATALOG, &[])
            .map_err(|e| DbError::Catalog(message(&e)))?;
        let mut tables: Vec<Table> = Vec::new();
        for r in rows {
            let schema: String = r.get(0);
            if !opts.wants_schema(&schema) {
                continue;
            }
            let name: String = r.get(1);
            let kind: String = r.get(2);
            // Views store nothing of their own: their rows are the tables' rows.
            if kind == "v" && !opts.views {
                continue;
            }
            let estimate: Option<i64> = r.get(6);
            let column = Column {
                name: r.get(3),
                declared_type: r.get(4),
                comment: r.get(5),
                // bytea is not text; everything else reads fine through `::text`.
                text: r.get::<_, String>(4) != "bytea",
            };
            match tables.last_mut() {
                Some(t) if t.schema == schema && t.name == name => t.columns.push(column),
                _ => tables.push(Table {
                    schema,
                    name,
                    columns: vec![column],
                    rows_estimate: estimate.and_then(|e| u64::try_from(e).ok()),
                    sampled: kind != "unpopulated",
                    key: Some(kind),
                }),
            }
        }
        Ok(tables)
    }

    fn rows(
        &mut self,
        table: &Table,
        limit: Option<u64>,
        seed: u64,
        each: &mut dyn FnMut(Row),
    ) -> Result<(), DbError> {
        let cols = table.select_list(|c| format!("{}::text", quote(c)), "NULL::text");
        let from = format!("{}.{}", quote(&table.schema), quote(&table.name));
        let width = table.columns.len();
        let convert = |r: &postgres::Row| -> Row {
            (0..width)
                .map(|i| r.get::<_, Option<&str>>(i).map(|s| s.as_bytes().to_vec()))
                .collect()
        };
        let err = |e: postgres::Error| DbError::Query(message(&e));
        let Some(limit) = limit else {
            // Every row, through a server-side cursor (a portal), a batch at a time.
            let mut tx = self.client.transaction().map_err(err)?;
            let portal = tx
                .bind(&format!("SELECT {cols} FROM {from}"), &[])
                .map_err(err)?;
            loop {
                let batch = tx.query_portal(&portal, FETCH).map_err(err)?;
                if batch.is_empty() {
                    break;
                }
                for r in &batch {
                    each(convert(r));
                }
            }
            return tx.commit().map_err(err);
        };
        let pageable = matches!(table.key.as_deref(), Some("r" | "p" | "m"));
        let big = table
            .rows_estimate
            .is_some_and(|est| est > limit.saturating_mul(SAMPLE_FACTOR));
        if pageable && big {
            // Pages holding about four times the rows wanted; a percentage so small it
            // reads a handful of pages on a table of 100 million rows.
            let est = table.rows_estimate.unwrap_or(1).max(1) as f64;
            let pct = (limit as f64 * 4.0 / est * 100.0).clamp(0.000_001, 100.0);
            let sql = format!(
                "SELECT {cols} FROM {from} TABLESAMPLE SYSTEM ({pct:.6}) REPEATABLE ({seed}) LIMIT {limit}"
            );
            let rows = self.client.query(&sql, &[]).map_err(err)?;
            // A stale estimate can leave the sample short: then the first rows do.
            if rows.len() as u64 * 2 >= limit {
                for r in &rows {
                    each(convert(r));
                }
                return Ok(());
            }
        }
        let rows = self
            .client
            .query(&format!("SELECT {cols} FROM {from} LIMIT {limit}"), &[])
            .map_err(err)?;
        for r in &rows {
            each(convert(r));
        }
        Ok(())
    }
}
