//! Databases as scan targets: the catalog becomes column declarations, sampled values
//! go through the same field scanning as a dump's rows, so a live `customers.ssn` and
//! the same column in a schema file or dump are one exposure.
//!
//! Each backend (`postgres`, `mysql`, `sqlite`) implements [`Connector`] and
//! [`Connection`]: list the tables with their columns, and hand over sampled rows as
//! text. Everything else — declarations, column inference, value scanning, prevalence,
//! several connections over the tables, output in table order — is shared here.
//!
//! Sessions are read-only and time-limited (each backend says how); piiscan never
//! writes, creates temporary tables or runs DDL.

pub mod mysql;
pub mod pgpass;
pub mod postgres;
pub mod sqlite;
mod target;
mod tls;

pub use target::{DbKind, DbTarget, Secret};

use crate::extract::infer::{self, ColumnInference};
use crate::extract::{Declaration, FieldScanner, FindingBuilder, FindingSink, Place};
use crate::finding::{Finding, FindingKind, Scope};
use globset::GlobSet;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Rows sampled per table unless `--sample-rows` says otherwise.
pub const DEFAULT_SAMPLE_ROWS: u64 = 1000;
/// Connections per database unless `--db-connections` says otherwise.
pub const DEFAULT_CONNECTIONS: usize = 2;
/// Longest any one statement may run on the server (`--db-timeout`).
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(60);
/// Seed of the repeatable samples, so two scans read the same rows.
pub const DEFAULT_SEED: u64 = 42;

/// Transport encryption, named as libpq names it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TlsMode {
    /// Never encrypt.
    Disable,
    /// Encrypt when the server offers it, without verifying its certificate (libpq's default).
    #[default]
    Prefer,
    /// Encrypt or fail; the certificate is not verified.
    Require,
    /// Encrypt, verify the certificate chain (`--db-tls-ca`, else the bundled web roots)
    /// and the host name.
    VerifyFull,
}

/// How databases are read.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Rows sampled per table.
    pub sample_rows: u64,
    /// Read every row instead of a sample (server-side cursor).
    pub full: bool,
    /// Connections per database, each scanning whole tables.
    pub connections: usize,
    /// Schemas to read (globs); system schemas are never read.
    pub include: Option<GlobSet>,
    pub exclude: Option<GlobSet>,
    /// Also read plain views: their columns and rows (they store nothing of their own,
    /// so they are left out by default).
    pub views: bool,
    pub tls: Option<TlsMode>,
    pub tls_ca: Option<PathBuf>,
    /// From `--password-file`.
    pub password: Option<Secret>,
    pub statement_timeout: Duration,
    pub seed: u64,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            sample_rows: DEFAULT_SAMPLE_ROWS,
            full: false,
            connections: DEFAULT_CONNECTIONS,
            include: None,
            exclude: None,
            views: false,
            tls: None,
            tls_ca: None,
            password: None,
            statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
            seed: DEFAULT_SEED,
        }
    }
}

impl DbOptions {
    /// Rows to read per table: `None` for every row.
    pub fn limit(&self) -> Option<u64> {
        (!self.full).then_some(self.sample_rows)
    }

    /// Whether a schema is read: never a system schema, then `--db-include`/`--db-exclude`.
    pub fn wants_schema(&self, schema: &str) -> bool {
        self.include.as_ref().is_none_or(|g| g.is_match(schema))
            && !self.exclude.as_ref().is_some_and(|g| g.is_match(schema))
    }
}

/// Failures talking to a database. Messages come from the server or the driver and
/// never carry the password (connection strings are never formatted into them, and
/// [`DbError::scrubbed`] removes it should a driver echo it).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("cannot read the catalog: {0}")]
    Catalog(String),
    #[error("{0}")]
    Query(String),
    #[error("{0}")]
    Config(String),
}

impl DbError {
    /// The message with every occurrence of `secret` replaced.
    pub fn scrubbed(self, secret: Option<&Secret>) -> DbError {
        let Some(s) = secret.map(Secret::expose).filter(|s| !s.is_empty()) else {
            return self;
        };
        let fix = |m: String| m.replace(s, "***");
        match self {
            DbError::Connect(m) => DbError::Connect(fix(m)),
            DbError::Catalog(m) => DbError::Catalog(fix(m)),
            DbError::Query(m) => DbError::Query(fix(m)),
            DbError::Config(m) => DbError::Config(fix(m)),
        }
    }
}

/// A table (or materialized view) as the catalog describes it.
#[derive(Debug, Clone)]
pub struct Table {
    /// Schema (PostgreSQL), database (MySQL) or empty (SQLite).
    pub schema: String,
    pub name: String,
    pub columns: Vec<Column>,
    /// The planner's row estimate, when the catalog has one.
    pub rows_estimate: Option<u64>,
    /// Whether rows can be read (not for a materialized view never refreshed).
    pub sampled: bool,
    /// Backend-specific hint for efficient sampling (an integer key column, rowids).
    pub key: Option<String>,
}

impl Table {
    /// The select list: each text column read through `read`, binary ones as `null`.
    pub(crate) fn select_list(&self, read: impl Fn(&str) -> String, null: &str) -> String {
        self.columns
            .iter()
            .map(|c| {
                if c.text {
                    read(&c.name)
                } else {
                    null.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `schema.name`, or `name` without a schema.
    pub fn qualified(&self) -> String {
        if self.schema.is_empty() {
            self.name.clone()
        } else {
            format!("{}.{}", self.schema, self.name)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub declared_type: String,
    pub comment: Option<String>,
    /// False for binary columns (blobs, bytea): their bytes are not text.
    pub text: bool,
}

/// One row: a cell per column, `None` for NULL or unread cells.
pub type Row = Vec<Option<Vec<u8>>>;

/// Opens connections to one database (one per worker).
pub trait Connector: Sync {
    fn connect(&self) -> Result<Box<dyn Connection>, DbError>;
}

/// A read-only session.
pub trait Connection: Send {
    /// Tables of the schemas the options select, in a stable order.
    fn tables(&mut self, opts: &DbOptions) -> Result<Vec<Table>, DbError>;
    /// Calls `row` for up to `limit` rows of `table` (every row for `None`), chosen by
    /// the database efficiently.
    fn rows(
        &mut self,
        table: &Table,
        limit: Option<u64>,
        seed: u64,
        row: &mut dyn FnMut(Row),
    ) -> Result<(), DbError>;
}

/// Sampled values of one column: how many there were and how many held PII.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnSample {
    pub table: String,
    pub column: String,
    /// Non-null values read.
    pub sampled: u64,
    /// Values with at least one finding.
    pub matching: u64,
    /// Values that are hash or crypt strings (`$2b$12$…`, hex digests).
    pub hashed: u64,
    pub rows_estimate: Option<u64>,
}

/// What was read from one database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DbStats {
    pub tables: u64,
    pub rows_read: u64,
    /// Tables that could not be read (privileges, timeouts): named in the diagnostics.
    pub tables_failed: u64,
    #[serde(skip)]
    pub columns: Vec<ColumnSample>,
}

/// A table's findings and samples, produced on a worker and emitted in table order.
struct TableResult {
    findings: Vec<Finding>,
    samples: Vec<ColumnSample>,
    rows: u64,
    error: Option<String>,
}

/// Counts findings passing through, to tell which values matched.
struct Counting<'a> {
    inner: &'a mut Vec<Finding>,
    count: u64,
}

impl FindingSink for Counting<'_> {
    fn finding(&mut self, finding: Finding) {
        self.count += 1;
        self.inner.push(finding);
    }

    fn counted(
        &mut self,
        at: &std::sync::Arc<crate::extract::CountOnly>,
        rule: usize,
        confidence: crate::finding::Confidence,
        n: u64,
    ) {
        self.count += n;
        self.inner.counted(at, rule, confidence, n);
    }

    fn sample(&mut self, at: &std::sync::Arc<crate::extract::CountOnly>, evidence: String) {
        self.inner.sample(at, evidence);
    }
}

/// Scans one database: declarations for its columns, then sampled values, over up to
/// `opts.connections` sessions. Per-table failures are returned as messages (the
/// other tables are still scanned); only a failure to connect or to read the catalog
/// is an error.
pub fn scan(
    connector: &dyn Connector,
    builder: &FindingBuilder<'_>,
    opts: &DbOptions,
    out: &mut dyn FindingSink,
) -> Result<(DbStats, Vec<String>), DbError> {
    let mut first = connector.connect()?;
    let tables = first.tables(opts)?;
    let mut stats = DbStats {
        tables: tables.len() as u64,
        ..DbStats::default()
    };
    let mut problems = Vec::new();
    let next = AtomicUsize::new(0);
    let workers = opts.connections.clamp(1, tables.len().max(1));
    let (tx, rx) = mpsc::channel::<(usize, TableResult)>();
    let work = |mut conn: Box<dyn Connection>, tx: mpsc::Sender<(usize, TableResult)>| {
        let mut fields = FieldScanner::default();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(table) = tables.get(i) else { break };
            let result = scan_table(conn.as_mut(), table, builder, opts, &mut fields);
            if tx.send((i, result)).is_err() {
                break;
            }
        }
    };
    std::thread::scope(|s| {
        for _ in 1..workers {
            let tx = tx.clone();
            let work = &work;
            // A further session that cannot connect just leaves the work to the others.
            s.spawn(move || {
                if let Ok(conn) = connector.connect() {
                    work(conn, tx);
                }
            });
        }
        let tx0 = tx;
        let work0 = &work;
        s.spawn(move || work0(first, tx0));
        // Emit in table order as results arrive.
        let mut pending = std::collections::BTreeMap::new();
        let mut head = 0;
        for (i, result) in rx {
            pending.insert(i, result);
            while let Some(r) = pending.remove(&head) {
                let table = &tables[head];
                for f in r.findings {
                    out.finding(f);
                }
                stats.rows_read += r.rows;
                stats.columns.extend(r.samples);
                if let Some(e) = r.error {
                    stats.tables_failed += 1;
                    problems.push(format!("table {}: {e}", table.qualified()));
                }
                head += 1;
            }
        }
    });
    Ok((stats, problems))
}

/// One table: its column declarations, then its rows (the first `infer::SAMPLE` kept
/// back until the column inference has decided).
fn scan_table(
    conn: &mut dyn Connection,
    table: &Table,
    builder: &FindingBuilder<'_>,
    opts: &DbOptions,
    fields: &mut FieldScanner,
) -> TableResult {
    let qualified = table.qualified();
    let mut findings = Vec::new();
    for c in &table.columns {
        let decl = Declaration {
            kind: FindingKind::Column,
            name: &c.name,
            declared_type: (!c.declared_type.is_empty()).then_some(c.declared_type.as_str()),
            comment: c.comment.as_deref().filter(|c| !c.is_empty()),
        };
        let place = Place {
            line: 1,
            column: 1,
            table: Some(qualified.clone()),
            field: Some(c.name.clone()),
            record: None,
            scope: Scope::Structured,
        };
        builder.declarations(decl, place, &mut findings);
    }
    if !table.sampled {
        return TableResult {
            findings,
            samples: Vec::new(),
            rows: 0,
            error: None,
        };
    }
    let width = table.columns.len();
    let mut sampled = vec![0u64; width];
    let mut matching = vec![0u64; width];
    let mut hashed = vec![0u64; width];
    let mut held: Vec<Row> = Vec::new();
    let mut inferred: Option<Vec<Option<String>>> = None;
    let mut inference = ColumnInference::default();
    let mut rows = 0u64;
    let mut emit = |row: &Row,
                    n: u64,
                    inferred: &[Option<String>],
                    findings: &mut Vec<Finding>,
                    fields: &mut FieldScanner| {
        for (i, v) in row.iter().enumerate().take(width) {
            let Some(v) = v else { continue };
            sampled[i] += 1;
            let name = table.columns[i].name.as_str();
            let place_at = |offset: usize| Place {
                line: 1,
                column: offset as u64 + 1,
                table: Some(qualified.clone()),
                field: Some(name.to_string()),
                record: Some(n),
                scope: Scope::Structured,
            };
            let mut counting = Counting {
                inner: findings,
                count: 0,
            };
            fields.scan(
                builder,
                v,
                Some(name),
                inferred[i].as_deref(),
                &place_at,
                &mut counting,
            );
            if counting.count > 0 {
                matching[i] += 1;
            } else if crate::extract::protection::value_is_hash(v) {
                hashed[i] += 1;
            }
        }
    };
    let decide = |inference: &ColumnInference| -> Vec<Option<String>> {
        table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| inference.decide(i, &infer::name_types(builder.engine, Some(&c.name))))
            .collect()
    };
    let result = conn.rows(table, opts.limit(), opts.seed, &mut |row: Row| {
        rows += 1;
        match &inferred {
            Some(inf) => emit(&row, rows, inf, &mut findings, fields),
            None => {
                for (i, v) in row.iter().enumerate() {
                    if let Some(v) = v {
                        inference.observe(builder.engine, i, v);
                    }
                }
                held.push(row);
                if held.len() >= infer::SAMPLE {
                    let inf = decide(&inference);
                    for (k, r) in held.drain(..).enumerate() {
                        emit(&r, k as u64 + 1, &inf, &mut findings, fields);
                    }
                    inferred = Some(inf);
                }
            }
        }
    });
    if inferred.is_none() {
        let inf = decide(&inference);
        for (k, r) in held.drain(..).enumerate() {
            emit(&r, k as u64 + 1, &inf, &mut findings, fields);
        }
    }
    let samples = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| ColumnSample {
            table: qualified.clone(),
            column: c.name.clone(),
            sampled: sampled[i],
            matching: matching[i],
            hashed: hashed[i],
            rows_estimate: table.rows_estimate,
        })
        .collect();
    TableResult {
        findings,
        samples,
        rows,
        error: result.err().map(|e| e.to_string()),
    }
}

/// Quotes an identifier the ANSI way (`"a""b"`), as PostgreSQL and SQLite want it.
pub(crate) fn quote_ansi(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::extract::FindingPolicy;
    use crate::finding::Confidence;
    use crate::redact::Fingerprinter;
    use crate::rules::RuleSet;

    /// A database in memory: tables of generated rows; `broken` fails to read.
    struct Fake {
        tables: Vec<Table>,
    }

    struct FakeConn<'a>(&'a Fake);

    fn column(name: &str) -> Column {
        Column {
            name: name.into(),
            declared_type: "text".into(),
            comment: None,
            text: true,
        }
    }

    fn ssn(i: u64) -> String {
        format!(
            "{}-{:02}-{:04}",
            100 + i % 500,
            1 + i % 98,
            1 + (i * 7919) % 9998
        )
    }

    impl Connection for FakeConn<'static> {
        fn tables(&mut self, _: &DbOptions) -> Result<Vec<Table>, DbError> {
            Ok(self.0.tables.clone())
        }
        fn rows(
            &mut self,
            table: &Table,
            limit: Option<u64>,
            _: u64,
            row: &mut dyn FnMut(Row),
        ) -> Result<(), DbError> {
            if table.name == "broken" {
                return Err(DbError::Query("permission denied for table broken".into()));
            }
            let n = table
                .rows_estimate
                .unwrap_or(0)
                .min(limit.unwrap_or(u64::MAX));
            for i in 0..n {
                // Vary the timing so tables finish out of order on several sessions.
                if i == 0 && table.name.ends_with('0') {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                row(vec![
                    Some(ssn(i).into_bytes()),
                    Some(ssn(i).replace('-', "").into_bytes()),
                    (i % 4 != 0).then(|| b"order 4410".to_vec()),
                ]);
            }
            Ok(())
        }
    }

    impl Connector for &'static Fake {
        fn connect(&self) -> Result<Box<dyn Connection>, DbError> {
            Ok(Box::new(FakeConn(self)))
        }
    }

    fn fake() -> &'static Fake {
        let mut tables: Vec<Table> = (0..6)
            .map(|t| Table {
                schema: "app".into(),
                name: format!("people{t}"),
                columns: vec![column("ssn"), column("emp_ref"), column("notes")],
                rows_estimate: Some(150 + t * 10),
                sampled: true,
                key: None,
            })
            .collect();
        tables.insert(
            2,
            Table {
                name: "broken".into(),
                ..tables[0].clone()
            },
        );
        Box::leak(Box::new(Fake { tables }))
    }

    fn run(connections: usize, limit: u64) -> (Vec<Finding>, DbStats, Vec<String>) {
        let engine = Engine::new(&RuleSet::builtin().unwrap()).unwrap();
        let fingerprinter = Fingerprinter::new([3; 32]);
        let builder = FindingBuilder {
            count_only: None,
            engine: &engine,
            path: "fake://db".into(),
            source: Some("fake://db"),
            policy: FindingPolicy {
                min_confidence: Confidence::Medium,
                show_values: false,
                fingerprinter: &fingerprinter,
            },
        };
        let opts = DbOptions {
            connections,
            sample_rows: limit,
            ..DbOptions::default()
        };
        let mut out = Vec::new();
        let (stats, problems) = scan(&fake(), &builder, &opts, &mut out).unwrap();
        (out, stats, problems)
    }

    #[test]
    fn tables_in_order_whatever_the_sessions_and_failures_named() {
        let (one, stats, problems) = run(1, 1000);
        let (four, _, _) = run(4, 1000);
        let key = |f: &Finding| {
            (
                f.location.table.clone(),
                f.location.field.clone(),
                f.location.record,
                f.rule_id.clone(),
            )
        };
        assert_eq!(
            one.iter().map(key).collect::<Vec<_>>(),
            four.iter().map(key).collect::<Vec<_>>()
        );
        assert_eq!(stats.tables, 7);
        assert_eq!(stats.tables_failed, 1);
        assert_eq!(
            problems,
            ["table app.broken: permission denied for table broken"]
        );
        // The broken table's columns are still declared from the catalog.
        assert!(
            one.iter()
                .any(|f| f.location.table.as_deref() == Some("app.broken")
                    && f.kind == FindingKind::Column)
        );
        // Prevalence: every ssn and every (inferred) emp_ref value; notes never.
        let t0: Vec<&ColumnSample> = stats
            .columns
            .iter()
            .filter(|c| c.table == "app.people0")
            .collect();
        let counts: Vec<(&str, u64, u64)> = t0
            .iter()
            .map(|c| (c.column.as_str(), c.matching, c.sampled))
            .collect();
        assert_eq!(
            counts,
            [("ssn", 150, 150), ("emp_ref", 150, 150), ("notes", 0, 112)]
        );
        assert!(
            one.iter()
                .all(|f| f.location.source.as_deref() == Some("fake://db"))
        );
    }

    #[test]
    fn the_sample_limit_bounds_rows_per_table() {
        let (_, stats, _) = run(2, 40);
        assert_eq!(stats.rows_read, 6 * 40);
        assert!(stats.columns.iter().all(|c| c.sampled <= 40));
    }
}
