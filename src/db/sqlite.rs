//! SQLite databases, opened read-only.
//!
//! Catalog: `sqlite_master` and `PRAGMA table_info`. Sampling: up to `sample_rows`
//! rows per table, read as ten contiguous rowid ranges spread evenly between the lowest
//! and highest rowid, so a table of 100 million rows costs ten index seeks, not a scan.
//! Tables without rowid are read with a plain `LIMIT`.

use super::{Column, Connection, Connector, DbError, DbOptions, Row, Table, quote_ansi as quote};
use rusqlite::types::ValueRef;
use rusqlite::{Connection as Sqlite, OpenFlags};
use std::path::{Path, PathBuf};

const RANGES: i64 = 10;

/// Opens read-only; `query_only` makes any write through this connection fail.
pub fn open(path: &Path) -> rusqlite::Result<Sqlite> {
    let conn = Sqlite::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// Opens one SQLite file.
pub struct SqliteConnector {
    pub path: PathBuf,
}

impl Connector for SqliteConnector {
    fn connect(&self) -> Result<Box<dyn Connection>, DbError> {
        let conn = open(&self.path).map_err(|e| DbError::Connect(e.to_string()))?;
        Ok(Box::new(SqliteConnection(conn)))
    }
}

pub struct SqliteConnection(Sqlite);

fn q(e: rusqlite::Error) -> DbError {
    DbError::Query(e.to_string())
}

/// A cell as text for scanning (blobs are skipped: they are not text).
fn text_of(v: ValueRef<'_>) -> Option<Vec<u8>> {
    match v {
        ValueRef::Null | ValueRef::Blob(_) => None,
        ValueRef::Integer(i) => Some(i.to_string().into_bytes()),
        ValueRef::Real(f) => Some(f.to_string().into_bytes()),
        ValueRef::Text(t) => Some(t.to_vec()),
    }
}

impl Connection for SqliteConnection {
    fn tables(&mut self, opts: &DbOptions) -> Result<Vec<Table>, DbError> {
        let c = DbError::Catalog;
        let mut st = self
            .0
            .prepare(
                "SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view') \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .map_err(|e| c(e.to_string()))?;
        let listed: Vec<(String, bool, bool)> = st
            .query_map([], |r| {
                let sql: Option<String> = r.get(2)?;
                let view = r.get::<_, String>(1)? == "view";
                let without_rowid =
                    sql.is_some_and(|s| s.to_ascii_uppercase().contains("WITHOUT ROWID"));
                Ok((r.get(0)?, view, view || without_rowid))
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| c(e.to_string()))?;
        let mut tables = Vec::new();
        // Views store nothing of their own: their rows are the tables' rows.
        for (name, _, no_rowid) in listed.into_iter().filter(|(_, v, _)| !v || opts.views) {
            let mut st = self
                .0
                .prepare(&format!("PRAGMA table_info({})", quote(&name)))
                .map_err(|e| c(e.to_string()))?;
            let columns: Vec<Column> = st
                .query_map([], |r| {
                    Ok(Column {
                        name: r.get(1)?,
                        declared_type: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        comment: None,
                        text: true,
                    })
                })
                .and_then(|rows| rows.collect())
                .map_err(|e| c(e.to_string()))?;
            // The rowid span stands in for a row count (an exact count reads the table).
            let rows_estimate = if no_rowid {
                None
            } else {
                self.0
                    .query_row(
                        &format!("SELECT max(rowid) - min(rowid) + 1 FROM {}", quote(&name)),
                        [],
                        |r| r.get::<_, Option<i64>>(0),
                    )
                    .map_err(|e| c(e.to_string()))?
                    .map(|n| n.max(0) as u64)
                    .or(Some(0))
            };
            tables.push(Table {
                schema: String::new(),
                name,
                columns,
                rows_estimate,
                sampled: true,
                key: (!no_rowid).then(|| "rowid".to_string()),
            });
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
        let t = quote(&table.name);
        let width = table.columns.len();
        let cells = |r: &rusqlite::Row<'_>, skip: usize| -> Row {
            (0..width)
                .map(|i| r.get_ref(i + skip).ok().and_then(text_of))
                .collect()
        };
        if table.key.is_none() || limit.is_none() {
            let sql = match limit {
                Some(n) => format!("SELECT * FROM {t} LIMIT {n}"),
                None => format!("SELECT * FROM {t}"),
            };
            let mut st = self.0.prepare(&sql).map_err(q)?;
            let mut rows = st.query([]).map_err(q)?;
            while let Some(r) = rows.next().map_err(q)? {
                each(cells(r, 0));
            }
            return Ok(());
        }
        let limit = limit.unwrap_or(u64::MAX) as i64;
        let (lo, hi): (Option<i64>, Option<i64>) = self
            .0
            .query_row(
                &format!("SELECT min(rowid), max(rowid) FROM {t}"),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(q)?;
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return Ok(());
        };
        let per_range = ((limit + RANGES - 1) / RANGES).max(1);
        let span = (hi as i128) - (lo as i128) + 1;
        let mut st = self
            .0
            .prepare(&format!(
                "SELECT rowid, * FROM {t} WHERE rowid >= ?1 ORDER BY rowid LIMIT ?2"
            ))
            .map_err(q)?;
        let mut next = lo;
        let mut read = 0i64;
        for k in 0..RANGES as i128 {
            let start = ((lo as i128 + span * k / RANGES as i128) as i64).max(next);
            if start > hi || read >= limit {
                break;
            }
            let mut rows = st.query([start, per_range.min(limit - read)]).map_err(q)?;
            while let Some(r) = rows.next().map_err(q)? {
                next = r.get::<_, i64>(0).map_err(q)?.saturating_add(1);
                each(cells(r, 1));
                read += 1;
            }
        }
        Ok(())
    }
}

/// The connection itself, for tests that check what the session allows.
impl SqliteConnection {
    pub fn raw(&self) -> &Sqlite {
        &self.0
    }
}
