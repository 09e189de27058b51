//! MySQL and MariaDB: catalog from `information_schema`, samples by primary-key ranges.
//!
//! Every session runs `SET SESSION TRANSACTION READ ONLY` and a statement time limit
//! (`max_execution_time` on MySQL, `max_statement_time` on MariaDB), and reads each
//! table inside `START TRANSACTION READ ONLY`. Minimum grants: `SELECT` on the
//! databases to scan (`GRANT SELECT ON app.* TO 'piiscan'@'%'`).

use super::{Column, Connection, Connector, DbError, DbOptions, DbTarget, Row, Table, TlsMode};
use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder, SslOpts, Value};
use std::time::Duration;

/// Tables whose estimate is under this many times the sample are read with a plain
/// `LIMIT`.
const SAMPLE_FACTOR: u64 = 20;
/// Key ranges a sample is spread over.
const RANGES: u64 = 10;

const SYSTEM_SCHEMAS: &[&str] = &["mysql", "information_schema", "performance_schema", "sys"];

const BINARY_TYPES: &[&str] = &[
    "binary",
    "varbinary",
    "tinyblob",
    "blob",
    "mediumblob",
    "longblob",
    "bit",
    "geometry",
    "point",
    "linestring",
    "polygon",
    "multipoint",
    "multilinestring",
    "multipolygon",
    "geometrycollection",
];

const INTEGER_TYPES: &[&str] = &[
    "tinyint",
    "smallint",
    "mediumint",
    "int",
    "integer",
    "bigint",
];

/// Connects to one MySQL or MariaDB server.
pub struct MysqlConnector {
    opts: OptsBuilder,
    /// TLS mode `prefer`: fall back to a plain connection when the server has no TLS.
    prefer: bool,
    /// The database named in the URL: the only one read unless `--db-include` says more.
    database: Option<String>,
    timeout: Duration,
    password: Option<super::Secret>,
}

impl MysqlConnector {
    pub fn new(target: &DbTarget, opts: &DbOptions) -> Result<MysqlConnector, DbError> {
        let mode = match target
            .param("ssl-mode")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("disabled") => TlsMode::Disable,
            Some("preferred") => TlsMode::Prefer,
            Some("required") => TlsMode::Require,
            Some("verify_ca" | "verify_identity") => TlsMode::VerifyFull,
            Some(_) => {
                return Err(DbError::Config(
                    "unknown ssl-mode in the URL (disabled, preferred, required, verify_identity)"
                        .into(),
                ));
            }
            None => opts.tls.unwrap_or(TlsMode::Prefer),
        };
        let password = target.password(opts);
        let ssl = match mode {
            TlsMode::Disable => None,
            TlsMode::Prefer | TlsMode::Require => Some(
                SslOpts::default()
                    .with_danger_accept_invalid_certs(true)
                    .with_danger_skip_domain_validation(true),
            ),
            TlsMode::VerifyFull => Some(
                SslOpts::default().with_root_cert_path(
                    opts.tls_ca
                        .clone()
                        .map(std::borrow::Cow::<'static, std::path::Path>::Owned),
                ),
            ),
        };
        let builder = OptsBuilder::new()
            .ip_or_hostname(Some(target.host.clone()))
            .tcp_port(target.port)
            .user(Some(target.user_or_default()))
            .pass(password.as_ref().map(|p| p.expose().to_string()))
            .db_name(target.database.clone())
            .prefer_socket(false)
            .tcp_connect_timeout(Some(Duration::from_secs(10)))
            .ssl_opts(ssl);
        Ok(MysqlConnector {
            opts: builder,
            prefer: mode == TlsMode::Prefer,
            database: target.database.clone(),
            timeout: opts.statement_timeout,
            password,
        })
    }

    /// A read-only session (public for the test that proves writes fail).
    pub fn session(&self) -> Result<MysqlConnection, DbError> {
        let scrub =
            |e: mysql::Error| DbError::Connect(message(&e)).scrubbed(self.password.as_ref());
        let conn = match Conn::new(self.opts.clone()) {
            Err(mysql::Error::DriverError(mysql::DriverError::TlsNotSupported)) if self.prefer => {
                Conn::new(self.opts.clone().ssl_opts(None::<SslOpts>)).map_err(scrub)?
            }
            other => other.map_err(scrub)?,
        };
        let mut conn = conn;
        let version: Option<String> = conn
            .query_first("SELECT VERSION()")
            .map_err(|e| DbError::Connect(message(&e)))?;
        let mariadb = version.is_some_and(|v| v.contains("MariaDB"));
        let limit = if mariadb {
            format!(
                "SET SESSION max_statement_time = {}",
                self.timeout.as_secs_f64()
            )
        } else {
            format!(
                "SET SESSION max_execution_time = {}",
                self.timeout.as_millis()
            )
        };
        conn.query_drop("SET SESSION TRANSACTION READ ONLY")
            .and_then(|_| conn.query_drop(limit))
            .map_err(|e| DbError::Connect(message(&e)))?;
        Ok(MysqlConnection {
            conn,
            database: self.database.clone(),
        })
    }
}

impl Connector for MysqlConnector {
    fn connect(&self) -> Result<Box<dyn Connection>, DbError> {
        Ok(Box::new(self.session()?))
    }
}

/// One read-only MySQL session.
pub struct MysqlConnection {
    conn: Conn,
    database: Option<String>,
}

impl MysqlConnection {
    /// The underlying connection, for tests that check what the session allows.
    pub fn conn(&mut self) -> &mut Conn {
        &mut self.conn
    }
}

/// The server's message (and error code) or the driver's, on one line.
fn message(e: &mysql::Error) -> String {
    match e {
        mysql::Error::MySqlError(e) => format!("{} (error {})", e.message, e.code),
        e => {
            // The driver's Display is its Debug form: `DriverError { … }`.
            let m = e.to_string().replace('\n', " ");
            m.split_once(" { ")
                .and_then(|(_, rest)| rest.strip_suffix(" }"))
                .map_or(m.clone(), str::to_string)
        }
    }
}

fn err(e: mysql::Error) -> DbError {
    DbError::Query(message(&e))
}

/// Runs `sql` and hands each row over (the text protocol gives every value as its
/// text form). With `skip == 1` the first column is the key, remembered in `last`.
fn stream(
    conn: &mut Conn,
    sql: &str,
    skip: usize,
    width: usize,
    last: &mut Option<i64>,
    each: &mut dyn FnMut(Row),
) -> Result<u64, DbError> {
    let mut n = 0u64;
    for row in conn.query_iter(sql).map_err(err)? {
        let row = row.map_err(err)?;
        if skip == 1 {
            *last = text(row.as_ref(0)).and_then(|k| k.parse().ok());
        }
        each(
            (0..width)
                .map(|i| match row.as_ref(i + skip) {
                    Some(Value::Bytes(b)) => Some(b.clone()),
                    v => text(v).map(String::into_bytes),
                })
                .collect(),
        );
        n += 1;
    }
    Ok(n)
}

fn quote(ident: &str) -> String {
    format!("`{}`", ident.replace('`', "``"))
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::NULL => None,
        Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        v => Some(v.as_sql(true).trim_matches('\'').to_string()),
    }
}

const CATALOG: &str = "
SELECT c.TABLE_SCHEMA, c.TABLE_NAME, t.TABLE_TYPE, c.COLUMN_NAME, c.COLUMN_TYPE,
       c.COLUMN_COMMENT, t.TABLE_ROWS, c.DATA_TYPE, c.COLUMN_KEY
FROM information_schema.COLUMNS c
JOIN information_schema.TABLES t
  ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE t.TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED')
  AND c.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')";
const CATALOG_ORDER: &str = " ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION";

impl Connection for MysqlConnection {
    fn tables(&mut self, opts: &DbOptions) -> Result<Vec<Table>, DbError> {
        let rows: Vec<mysql::Row> = self
            .conn
            .query(if opts.include.is_none() && self.database.is_some() {
                // The URL's database alone: let the server skip the others (reading
                // every database's statistics is what makes this query slow).
                format!("{CATALOG} AND c.TABLE_SCHEMA = DATABASE(){CATALOG_ORDER}")
            } else {
                format!("{CATALOG}{CATALOG_ORDER}")
            })
            .map_err(|e| DbError::Catalog(message(&e)))?;
        let mut tables: Vec<Table> = Vec::new();
        // Per table: integer primary-key columns, and primary-key columns in all.
        let mut keys: Vec<(Vec<String>, usize)> = Vec::new();
        for r in rows {
            let get = |i| text(r.as_ref(i)).unwrap_or_default();
            let schema = get(0);
            if SYSTEM_SCHEMAS.contains(&schema.to_ascii_lowercase().as_str())
                || !opts.wants_schema(&schema)
            {
                continue;
            }
            // The URL's database alone, unless --db-include widens the scan.
            if opts.include.is_none() && self.database.as_ref().is_some_and(|d| *d != schema) {
                continue;
            }
            // Views store nothing of their own: their rows are the tables' rows.
            if get(2) == "VIEW" && !opts.views {
                continue;
            }
            let name = get(1);
            let data_type = get(7).to_ascii_lowercase();
            let column = Column {
                name: get(3),
                declared_type: get(4),
                comment: Some(get(5)).filter(|c| !c.is_empty()),
                text: !BINARY_TYPES.contains(&data_type.as_str()),
            };
            let primary = get(8) == "PRI";
            let integer = INTEGER_TYPES.contains(&data_type.as_str());
            if !matches!(tables.last(), Some(t) if t.schema == schema && t.name == name) {
                tables.push(Table {
                    schema,
                    name,
                    columns: Vec::new(),
                    rows_estimate: get(6).parse().ok(),
                    sampled: true,
                    key: None,
                });
                keys.push((Vec::new(), 0));
            }
            let (ints, all) = keys.last_mut().expect("pushed with its table");
            if primary {
                *all += 1;
                if integer {
                    ints.push(column.name.clone());
                }
            }
            tables.last_mut().expect("pushed").columns.push(column);
        }
        for (t, (ints, all)) in tables.iter_mut().zip(keys) {
            if all == 1 && ints.len() == 1 {
                t.key = ints.into_iter().next();
            }
        }
        Ok(tables)
    }

    fn rows(
        &mut self,
        table: &Table,
        limit: Option<u64>,
        _seed: u64,
        each: &mut dyn FnMut(Row),
    ) -> Result<(), DbError> {
        let cols = table.select_list(quote, "NULL");
        let from = format!("{}.{}", quote(&table.schema), quote(&table.name));
        let width = table.columns.len();
        self.conn
            .query_drop("START TRANSACTION READ ONLY")
            .map_err(err)?;
        let result = (|| -> Result<(), DbError> {
            let Some(limit) = limit else {
                stream(
                    &mut self.conn,
                    &format!("SELECT {cols} FROM {from}"),
                    0,
                    width,
                    &mut None,
                    each,
                )?;
                return Ok(());
            };
            let big = table
                .rows_estimate
                .is_some_and(|est| est > limit.saturating_mul(SAMPLE_FACTOR));
            match (&table.key, big) {
                (Some(key), true) => {
                    // Ten key ranges spread between the lowest and highest key: ten
                    // index seeks, whatever the table's size.
                    let k = quote(key);
                    let bounds: Option<(Option<i64>, Option<i64>)> = self
                        .conn
                        .query_first(format!("SELECT MIN({k}), MAX({k}) FROM {from}"))
                        .map_err(err)?;
                    let Some((Some(lo), Some(hi))) = bounds else {
                        return Ok(());
                    };
                    let per = limit.div_ceil(RANGES).max(1);
                    let span = (hi - lo) as i128 + 1;
                    let mut next = lo;
                    let mut read = 0;
                    for r in 0..RANGES as i128 {
                        let start = ((lo as i128 + span * r / RANGES as i128) as i64).max(next);
                        if start > hi || read >= limit {
                            break;
                        }
                        let take = per.min(limit - read);
                        let mut last = None;
                        read += stream(
                            &mut self.conn,
                            &format!(
                                "SELECT {k}, {cols} FROM {from} WHERE {k} >= {start} ORDER BY {k} LIMIT {take}"
                            ),
                            1,
                            width,
                            &mut last,
                            each,
                        )?;
                        if let Some(l) = last {
                            next = l.saturating_add(1);
                        }
                    }
                }
                _ => {
                    stream(
                        &mut self.conn,
                        &format!("SELECT {cols} FROM {from} LIMIT {limit}"),
                        0,
                        width,
                        &mut None,
                        each,
                    )?;
                }
            }
            Ok(())
        })();
        let _ = self.conn.query_drop("COMMIT");
        result
    }
}
